using System.Globalization;
using SmbSign.Protocol;
using SmbSign.Wire.Capture.Analysis;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SmbSign.Cli.Rendering;

/// <summary>The human-readable report of <c>smbsign capture</c>: one table of connections, one of sessions, findings.</summary>
internal static class CaptureTable
{
    public static IEnumerable<IRenderable> Render(CaptureSummary summary)
    {
        foreach (CaptureSource source in summary.Sources)
        {
            var s = source.Run.Statistics;
            yield return new Markup(Markup.Escape(
                $"{source.Source}: {CaptureJsonMapper.FormatName(source.Run.Format)}, {N(source.Run.Packets)} packets, {N(source.Run.Bytes)} bytes, " +
                $"{N(s.TcpConnections)} TCP connection(s), {N(s.SmbConnections)} with SMB, {N(s.SmbMessages)} SMB message(s)") + "\n");
        }

        if (summary.Connections.Count > 0)
        {
            var connections = new Table().Border(TableBorder.Rounded).Title("Connections")
                .AddColumn("#").AddColumn("Client").AddColumn("Server").AddColumn("Dialect")
                .AddColumn("Client requires").AddColumn("Server requires")
                .AddColumn(new TableColumn("Messages").RightAligned()).AddColumn(new TableColumn("Signed").RightAligned())
                .AddColumn(new TableColumn("Unsigned").RightAligned()).AddColumn(new TableColumn("Encrypted").RightAligned())
                .AddColumn(new TableColumn("Gaps").RightAligned());
            foreach (ConnectionSummary c in summary.Connections)
            {
                connections.AddRow(
                    N(c.Connection.StreamIndex),
                    Markup.Escape(c.Connection.Client.ToString()),
                    Markup.Escape(c.Connection.Server.ToString()),
                    Markup.Escape(c.Dialect?.ToDisplayString() ?? "?"),
                    YesNo(c.ClientRequiresSigning),
                    YesNo(c.ServerRequiresSigning),
                    N(c.Messages),
                    N(c.Signed),
                    N(c.Unsigned),
                    N(c.Encrypted),
                    N(c.Gaps));
            }

            yield return connections;

            var sessions = new Table().Border(TableBorder.Rounded).Title("Sessions")
                .AddColumn("#").AddColumn("Session").AddColumn("Guest").AddColumn("Anonymous")
                .AddColumn(new TableColumn("Messages").RightAligned()).AddColumn(new TableColumn("Signed").RightAligned())
                .AddColumn(new TableColumn("Unsigned").RightAligned()).AddColumn(new TableColumn("Unsigned while required").RightAligned())
                .AddColumn(new TableColumn("Encrypted").RightAligned()).AddColumn("Verified");
            foreach (ConnectionSummary c in summary.Connections)
            {
                foreach (SessionSummary s in c.Sessions)
                {
                    sessions.AddRow(
                        N(c.Connection.StreamIndex),
                        CaptureSummaryBuilder.FormatSessionId(s.SessionId),
                        YesNo(s.Guest),
                        YesNo(s.Anonymous),
                        N(s.Messages),
                        N(s.Signed),
                        N(s.Unsigned),
                        s.UnsignedWhileRequired is { } u ? N(u) : "?",
                        N(s.Encrypted),
                        "not checked");
                }
            }

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

    private static string YesNo(bool? value) => value switch
    {
        true => "yes",
        false => "no",
        null => "?",
    };

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
