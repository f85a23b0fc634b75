using System.Globalization;
using SmbSign.Protocol;
using SmbSign.Capture.Analysis;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SmbSign.Cli.Rendering;

/// <summary>The human-readable report of <c>smbsign capture</c>: one table of connections, one of sessions, findings.</summary>
internal static class CaptureTable
{
    public static IEnumerable<IRenderable> Render(CaptureSummary summary)
    {
        bool severalFiles = summary.Sources.Count > 1;
        int fileNumber = 0;
        foreach (CaptureSource source in summary.Sources)
        {
            fileNumber++;
            var s = source.Run.Statistics;
            string prefix = severalFiles ? $"[{N(fileNumber)}] " : string.Empty;
            yield return new Markup(Markup.Escape(
                $"{prefix}{source.Source}: {CaptureJsonMapper.FormatName(source.Run.Format)}, {N(source.Run.Packets)} packets, {N(source.Run.Bytes)} bytes, " +
                $"{N(s.TcpConnections)} TCP connection(s), {N(s.SmbConnections)} with SMB, {N(s.SmbMessages)} SMB message(s)") + "\n");
        }

        if (summary.Connections.Count > 0)
        {
            bool showEncrypted = summary.Connections.Any(c => c.Encrypted > 0);
            bool showGaps = summary.Connections.Any(c => c.Gaps > 0);
            var connections = new Table().Border(TableBorder.Rounded).Title("Connections")
                .AddColumn("#").AddColumn("Client").AddColumn("Server").AddColumn("Dialect").AddColumn("Alg.").AddColumn("Required by")
                .AddColumn(new TableColumn("Msgs").RightAligned()).AddColumn(new TableColumn("Signed").RightAligned())
                .AddColumn(new TableColumn("Unsigned").RightAligned());
            // Verifying: verified/failed instead of kind and unsigned, to fit 80 columns; the findings name the user, the
            // key source and anything not checkable.
            bool verifying = summary.Verifying;
            var sessions = new Table().Border(TableBorder.Rounded).Title("Sessions")
                .AddColumn("#").AddColumn(new TableColumn("Session").NoWrap());
            if (!verifying)
            {
                sessions.AddColumn("Kind");
            }

            sessions.AddColumn(new TableColumn("Msgs").RightAligned()).AddColumn(new TableColumn("Signed").RightAligned());
            if (verifying)
            {
                sessions.AddColumn(new TableColumn("Verified").RightAligned()).AddColumn(new TableColumn("Failed").RightAligned());
            }
            else
            {
                sessions.AddColumn(new TableColumn("Unsigned").RightAligned());
            }

            sessions.AddColumn(new TableColumn("Unsigned, required").RightAligned());

            if (showEncrypted)
            {
                connections.AddColumn(new TableColumn("Encrypted").RightAligned());
                sessions.AddColumn(new TableColumn("Encrypted").RightAligned());
            }

            if (showGaps)
            {
                connections.AddColumn(new TableColumn("Gaps").RightAligned());
            }

            var sourceNumbers = summary.Sources.Select((source, index) => (source.Source, index + 1)).ToDictionary(p => p.Source, p => p.Item2, StringComparer.Ordinal);
            var perFile = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (ConnectionSummary c in summary.Connections)
            {
                string file = c.Source ?? "-";
                perFile[file] = perFile.GetValueOrDefault(file) + 1;
                string number = severalFiles && sourceNumbers.TryGetValue(file, out int f) ? $"{N(f)}.{N(perFile[file])}" : N(perFile[file]);
                var row = new List<string>
                {
                    number,
                    Markup.Escape(c.Connection.Client.ToString()),
                    Markup.Escape(c.Connection.Server.ToString()),
                    Markup.Escape(c.Dialect?.ToDisplayString() ?? "?"),
                    Markup.Escape(c.SigningAlgorithm?.ToDisplayString() ?? "?"),
                    RequiredBy(c.ClientRequiresSigning, c.ServerRequiresSigning),
                    N(c.Messages),
                    N(c.Signed),
                    N(c.Unsigned),
                };
                if (showEncrypted)
                {
                    row.Add(N(c.Encrypted));
                }

                if (showGaps)
                {
                    row.Add(N(c.Gaps));
                }

                connections.AddRow(row.ToArray());
                foreach (SessionSummary s in c.Sessions)
                {
                    var sessionRow = new List<string> { number, CaptureSummaryBuilder.FormatSessionId(s.SessionId) };
                    if (!verifying)
                    {
                        sessionRow.Add(Kind(s));
                    }

                    sessionRow.Add(N(s.Messages));
                    sessionRow.Add(N(s.Signed));
                    if (verifying)
                    {
                        sessionRow.Add(N(s.Verified ?? 0));
                        sessionRow.Add(s.Failed > 0 ? $"[red]{N(s.Failed.Value)}[/]" : N(s.Failed ?? 0));
                    }
                    else
                    {
                        sessionRow.Add(N(s.Unsigned));
                    }

                    sessionRow.Add(s.UnsignedWhileRequired is { } u ? N(u) : "?");
                    if (showEncrypted)
                    {
                        sessionRow.Add(N(s.Encrypted));
                    }

                    sessions.AddRow(sessionRow.ToArray());
                }
            }

            yield return connections;
            yield return sessions;
        }

        if (summary.Findings.Count > 0)
        {
            yield return new Markup("[bold]Findings[/]\n");
            foreach (CaptureFinding finding in summary.Findings)
            {
                string label = finding.Severity switch
                {
                    FindingSeverity.Error => "[red]error[/]",
                    FindingSeverity.Warning => "[yellow]warning[/]",
                    _ => "info",
                };
                string frames = finding.Frames.Count > 0 ? $" (frames {string.Join(", ", finding.Frames.Select(f => N(f)))})" : string.Empty;
                yield return new Markup($"  {label}: {Markup.Escape(finding.Message + frames)}\n");
            }
        }
    }

    private static string RequiredBy(bool? client, bool? server) => (client, server) switch
    {
        (true, true) => "both",
        (true, _) => server is null ? "client (server ?)" : "client",
        (_, true) => client is null ? "server (client ?)" : "server",
        (false, false) => "neither",
        _ => "?",
    };

    private static string Kind(SessionSummary session) => session switch
    {
        { Guest: true } => "guest",
        { Anonymous: true } => "anonymous",
        { Established: true } => "user",
        _ => "?",
    };

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
