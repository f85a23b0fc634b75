using System.Globalization;

namespace SmbSign.Policy.Sources;

/// <summary>How bad a <see cref="SourceDiagnostic"/> is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Worth knowing; nothing was lost (e.g. a GPO directive that sets no value).</summary>
    Info,

    /// <summary>Read with a repair or an assumption, or something was skipped (e.g. unknown smb.conf parameter).</summary>
    Warning,

    /// <summary>Content could not be read as the format requires; some or all settings of the source are missing.</summary>
    Error,
}

/// <summary>A problem found while reading a source. Readers never throw for bad content: they return these.
/// <paramref name="Code"/> is stable (tests assert it; e.g. <c>REG041</c>), the message may change. Messages are
/// written by SmbSign (never exception text) and say what was expected.</summary>
public sealed record SourceDiagnostic(DiagnosticSeverity Severity, string Code, string Message, SourceLocation Location)
{
    /// <summary><c>file:12: error REG041: message</c>.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Location}: {Severity.ToString().ToLowerInvariant()} {Code}: {Message}");
}
