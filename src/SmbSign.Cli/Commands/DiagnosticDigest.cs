using System.Globalization;
using SmbSign.Policy.Sources;

namespace SmbSign.Cli.Commands;

/// <summary>
/// The stderr digest of an audit's input problems: one line per problem file (its first error, else its first warning,
/// plus how many more it has), and at most <see cref="MaxLinesPerKind"/> lines for one kind of problem, then one line
/// counting the rest. A folder of 100,000 empty files gives 21 lines, not 100,000; a garbage file gives one line, not 201.
/// The full lists stay in the JSON and SARIF reports. Lines are written as they are produced; only the per-kind counters
/// are kept.
/// </summary>
internal sealed class DiagnosticDigest(TextWriter error)
{
    /// <summary>Lines printed for one kind of problem (a diagnostic code, or a fleet-layout message) before the rest are counted.</summary>
    public const int MaxLinesPerKind = 20;

    /// <summary>Characters of a message shown in a summary line.</summary>
    private const int SummaryChars = 80;

    private readonly Dictionary<string, (int Printed, int Suppressed, string What)> _kinds = new(StringComparer.Ordinal);

    /// <summary>Writes the fleet plan's problems and warnings (before any machine is audited).</summary>
    public void WritePlan(IReadOnlyList<string> problems, IReadOnlyList<string> warnings)
    {
        foreach (string problem in problems)
        {
            Line(KindOf(problem), "smbsign: " + problem, Tail(problem));
        }

        foreach (string warning in warnings)
        {
            Line("warning " + KindOf(warning), "smbsign: warning: " + warning, Tail(warning));
        }
    }

    /// <summary>Writes the summary lines: how many more files had each problem whose lines were cut.</summary>
    public void WriteSummary()
    {
        foreach ((string _, (int _, int suppressed, string what)) in _kinds)
        {
            if (suppressed > 0)
            {
                error.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"smbsign: ... and {suppressed:N0} more {(suppressed == 1 ? "file" : "files")} with the same problem ({what})"));
            }
        }
    }

    /// <summary>Writes one audited machine's problem files, one line each (called as machines are audited).</summary>
    public void WriteMachine(IReadOnlyList<SourceDiagnostic> diagnostics)
    {
        // Diagnostics come grouped by source file (a file's are added together); pick each file's worst first one.
        int i = 0;
        while (i < diagnostics.Count)
        {
            string file = diagnostics[i].Location.File;
            SourceDiagnostic? shown = null;
            int count = 0;
            for (; i < diagnostics.Count && string.Equals(diagnostics[i].Location.File, file, StringComparison.Ordinal); i++)
            {
                SourceDiagnostic d = diagnostics[i];
                if (d.Severity == DiagnosticSeverity.Info)
                {
                    continue;
                }

                count++;
                if (shown is null || (d.Severity == DiagnosticSeverity.Error && shown.Severity != DiagnosticSeverity.Error))
                {
                    shown = d;
                }
            }

            if (shown is null)
            {
                continue;
            }

            string more = count > 1
                ? string.Create(CultureInfo.InvariantCulture, $" (and {count - 1:N0} more {(count == 2 ? "problem" : "problems")} in this file; --format json lists them)")
                : string.Empty;
            string what = shown.Code + ": " + Shorten(shown.Message);
            Line(shown.Code, "smbsign: " + shown + more, what);
        }
    }

    private void Line(string kind, string line, string what)
    {
        (int printed, int suppressed, string first) = _kinds.TryGetValue(kind, out var state) ? state : (0, 0, what);
        if (printed < MaxLinesPerKind)
        {
            _kinds[kind] = (printed + 1, suppressed, first);
            error.WriteLine(line);
        }
        else
        {
            _kinds[kind] = (printed, suppressed + 1, first);
        }
    }

    /// <summary>A fleet-layout message is "PATH: what"; the kind is the "what" without quoted or path-like parts.</summary>
    private static string KindOf(string message) => Shorten(Tail(message));

    private static string Tail(string message)
    {
        int colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? message : message[(colon + 2)..];
    }

    private static string Shorten(string message)
    {
        int end = message.IndexOfAny([';', '(']);
        string head = (end > 0 ? message[..end] : message).Trim();
        return head.Length <= SummaryChars ? head : head[..SummaryChars] + "...";
    }
}
