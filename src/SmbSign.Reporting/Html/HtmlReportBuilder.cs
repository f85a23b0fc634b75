using System.Globalization;
using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Html;

/// <summary>Options of one report: its title, when it was made and by which smbsign.</summary>
public sealed record HtmlReportOptions(string Title, DateTimeOffset GeneratedAt, string ToolVersion);

/// <summary>
/// <c>smbsign report</c>: run documents (files given on the command line, or the newest runs from the posture store) and
/// trend points (from the store) → one self-contained HTML page. The same reader serves both paths, so a report from the
/// store equals one from the files the runs wrote. docs/cli/report.md.
/// </summary>
public static class HtmlReportBuilder
{
    /// <summary>Builds the page from documents named by the store (each is shown as "kind run at time").</summary>
    public static HtmlReportSummary Write(IEnumerable<RunDocument> documents, IReadOnlyList<TrendPoint> trend, HtmlReportOptions options, Stream output)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return Write(
            documents.Select(d => new ReportSource($"{d.Kind.ToString().ToLowerInvariant()} run at {d.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}", d)),
            trend,
            options,
            output);
    }

    /// <summary>Builds the page from named documents; throws <see cref="ReportInputException"/> for a document that is
    /// not the shape its kind documents.</summary>
    public static HtmlReportSummary Write(IEnumerable<ReportSource> sources, IReadOnlyList<TrendPoint> trend, HtmlReportOptions options, Stream output)
    {
        ArgumentNullException.ThrowIfNull(sources);
        List<ReportInput> parsed = [];
        foreach (ReportSource source in sources)
        {
            parsed.Add(Parse(source.Name, System.Text.Encoding.UTF8.GetBytes(source.Document.Json)));
        }

        return Write(parsed, trend, options, output);
    }

    /// <summary>Reads one document (a file's bytes), so a caller can read files one at a time and name the bad one;
    /// throws <see cref="ReportInputException"/>.</summary>
    public static ReportInput Parse(string source, ReadOnlySpan<byte> utf8) => new(ReportDocumentReader.Read(source, utf8));

    /// <summary>Builds the page from parsed documents.</summary>
    public static HtmlReportSummary Write(IReadOnlyList<ReportInput> inputs, IReadOnlyList<TrendPoint> trend, HtmlReportOptions options, Stream output)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Write([.. inputs.Select(i => i.Parsed)], trend, options, output);
    }

    internal static HtmlReportSummary Write(IReadOnlyList<ParsedDocument> documents, IReadOnlyList<TrendPoint> trend, HtmlReportOptions options, Stream output)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(trend);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        FleetReport report = FleetAggregator.Aggregate(
            documents,
            trend,
            options.Title,
            options.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            options.ToolVersion);
        HtmlReportWriter.Write(report, output);
        return new HtmlReportSummary(
            report.Verdict switch
            {
                FleetVerdict.Pass => "pass",
                FleetVerdict.Fail => "fail",
                _ => "incomplete",
            },
            report.VerdictReasons,
            report.Machines.Count,
            report.MachinesFailing,
            report.Servers.Count,
            report.Servers.Count(s => s.RelayTarget == true),
            report.Sessions.Count,
            report.Clients.Count,
            report.Clients.Count(c => c.Enforces == false),
            report.Trend.Count,
            report.Notes);
    }
}

/// <summary>What a report shows at a glance, for the command's own output (<c>--format json</c>).</summary>
public sealed record HtmlReportSummary(
    string Verdict,
    IReadOnlyList<string> Reasons,
    int Machines,
    int MachinesFailing,
    int Servers,
    int RelayTargets,
    int VerifiedServers,
    int Clients,
    int ClientsNotEnforcing,
    int TrendPoints,
    IReadOnlyList<string> Notes);

/// <summary>One parsed input document: which command wrote it and how many machines, servers, sessions or connections it
/// holds.</summary>
public sealed class ReportInput
{
    internal ReportInput(ParsedDocument parsed)
    {
        Parsed = parsed;
    }

    public string Source => Parsed.Source;

    public RunKind Kind => Parsed.Kind;

    public int Items => Parsed.Items;

    internal ParsedDocument Parsed { get; }
}
