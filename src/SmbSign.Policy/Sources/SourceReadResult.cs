namespace SmbSign.Policy.Sources;

/// <summary>Everything read from one source file: its observations in file order and its diagnostics.</summary>
public sealed class SourceReadResult
{
    /// <summary>Creates a result (the lists are taken as they are; pass arrays).</summary>
    public SourceReadResult(string source, SourceFormat format, IReadOnlyList<Observation> observations, IReadOnlyList<SourceDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(diagnostics);
        Source = source;
        Format = format;
        Observations = observations;
        Diagnostics = diagnostics;
    }

    /// <summary>The path or name the source was read from.</summary>
    public string Source { get; }

    /// <summary>The format it was read as.</summary>
    public SourceFormat Format { get; }

    /// <summary>Observations in source order (later ones override earlier ones within one file).</summary>
    public IReadOnlyList<Observation> Observations { get; }

    /// <summary>Problems found, in source order.</summary>
    public IReadOnlyList<SourceDiagnostic> Diagnostics { get; }

    /// <summary>True when at least one diagnostic is an <see cref="DiagnosticSeverity.Error"/>.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>A result holding only one error (unreadable or unrecognised file).</summary>
    public static SourceReadResult Failed(string source, SourceFormat format, string code, string message) =>
        new(source, format, [], [new SourceDiagnostic(DiagnosticSeverity.Error, code, message, SourceLocation.OfFile(source, format))]);
}
