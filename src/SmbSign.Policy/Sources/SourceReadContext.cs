using System.Globalization;

namespace SmbSign.Policy.Sources;

/// <summary>Collects observations and diagnostics while one source is parsed. Diagnostics are capped at
/// <see cref="MaxDiagnostics"/> so a garbage file cannot produce an unbounded list.</summary>
public sealed class SourceReadContext
{
    /// <summary>Diagnostics kept per source; one more says that the rest were dropped.</summary>
    public const int MaxDiagnostics = 200;

    private readonly List<Observation> _observations = [];
    private readonly List<SourceDiagnostic> _diagnostics = [];
    private bool _truncatedDiagnostics;

    internal SourceReadContext(string source, SourceFormat format)
    {
        Source = source;
        Format = format;
    }

    /// <summary>The source name used in provenance.</summary>
    public string Source { get; }

    /// <summary>The format being read.</summary>
    public SourceFormat Format { get; }

    /// <summary>Number of error diagnostics so far.</summary>
    public int ErrorCount { get; private set; }

    /// <summary>Location of a line in this source.</summary>
    public SourceLocation Line(int line) => SourceLocation.AtLine(Source, Format, line);

    /// <summary>Location of a byte offset in this source.</summary>
    public SourceLocation Offset(long offset) => SourceLocation.AtOffset(Source, Format, offset);

    /// <summary>Location of the whole source.</summary>
    public SourceLocation WholeFile() => SourceLocation.OfFile(Source, Format);

    /// <summary>Adds an observation.</summary>
    public void Add(Observation observation) => _observations.Add(observation);

    /// <summary>Adds a diagnostic.</summary>
    public void Report(DiagnosticSeverity severity, string code, string message, SourceLocation location)
    {
        if (severity == DiagnosticSeverity.Error)
        {
            ErrorCount++;
        }

        if (_diagnostics.Count >= MaxDiagnostics)
        {
            if (!_truncatedDiagnostics)
            {
                _truncatedDiagnostics = true;
                _diagnostics.Add(new SourceDiagnostic(
                    DiagnosticSeverity.Error,
                    DiagnosticCodes.Src004,
                    string.Create(CultureInfo.InvariantCulture, $"more than {MaxDiagnostics} problems; the rest are not listed"),
                    location));
            }

            return;
        }

        _diagnostics.Add(new SourceDiagnostic(severity, code, message, location));
    }

    /// <summary>Error at a line.</summary>
    public void ErrorAtLine(int line, string code, string message) => Report(DiagnosticSeverity.Error, code, message, Line(line));

    /// <summary>Warning at a line.</summary>
    public void WarningAtLine(int line, string code, string message) => Report(DiagnosticSeverity.Warning, code, message, Line(line));

    /// <summary>Info at a line.</summary>
    public void InfoAtLine(int line, string code, string message) => Report(DiagnosticSeverity.Info, code, message, Line(line));

    /// <summary>Error at a byte offset.</summary>
    public void ErrorAtOffset(long offset, string code, string message) => Report(DiagnosticSeverity.Error, code, message, Offset(offset));

    internal SourceReadResult ToResult() => new(Source, Format, _observations.ToArray(), _diagnostics.ToArray());
}
