using System.Text;
using System.Text.RegularExpressions;
using SmbSign.Reporting.Html;
using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Tests.Html;

public sealed partial class HtmlReportBuilderTests
{
    private const string Hostile = "<script>alert(1)</script>";

    private static readonly HtmlReportOptions s_options = new("Fleet " + Hostile, new DateTimeOffset(2026, 12, 7, 3, 4, 5, TimeSpan.Zero), "0.1.0");

    [Fact]
    public void Write_HostileNames_NeverReachThePageAsMarkup()
    {
        string html = Build([Audit(Hostile, "</script>", "x\"><img src=x onerror=alert(2)>")]);

        Assert.DoesNotContain(Hostile, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        // Exactly the data block and the page script: no input opened or closed a script element.
        Assert.Equal(2, ScriptOpen().Count(html));
        Assert.Equal(2, Regex.Count(html, "</script>", RegexOptions.IgnoreCase));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Page_IsSelfContainedWithAStrictContentSecurityPolicy()
    {
        string html = Build([Audit("ws-01"), new ReportSource("scan.json", new RunDocument(RunKind.Scan, default, "0.1.0", Documents.Scan(Documents.ScanRow("10.0.0.1", true))))]);

        Assert.Contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Write_SameInput_SameBytes()
    {
        ReportSource[] sources = [Audit("b", "a", "c"), new ReportSource("l.json", new RunDocument(RunKind.Listen, default, "0.1.0", Documents.Listen(Documents.Client("10.0.0.2:1", false), Documents.Client("10.0.0.1:1", true))))];

        Assert.Equal(Build(sources), Build(sources));
    }

    [Fact]
    public void Write_NoTrend_SaysNoHistory_WithTrend_DrawsOneChartPerFleetSeries()
    {
        Assert.Contains("No history", Build([Audit("a")]), StringComparison.Ordinal);

        TrendPoint[] trend =
        [
            new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), RunKind.Audit, "machines", 10, 5, 0),
            new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), RunKind.Audit, "machines", 13, 2, 0),
            new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), RunKind.Audit, "2.3.8.1", 10, 5, 0),
            new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), RunKind.Audit, "2.3.8.1", 14, 1, 0),
        ];
        string html = Build([Audit("a")], trend);

        Assert.DoesNotContain("No history", html, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(html, "<figure class=\"chart\">"));
        Assert.Equal(2, Regex.Count(html, "<polyline "));
        Assert.Contains("<td>2.3.8.1</td><td class=\"num\">2</td><td>2026-11-01 00:00</td><td class=\"num\">5</td><td>2026-12-01 00:00</td><td class=\"num\">1</td><td class=\"num good\">-4</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Summary_CountsWhatThePageShows()
    {
        using MemoryStream output = new();

        HtmlReportSummary summary = HtmlReportBuilder.Write([Audit("a", "b")], [], s_options, output);

        Assert.Equal(("fail", 2, 2), (summary.Verdict, summary.Machines, summary.MachinesFailing));
    }

    private static ReportSource Audit(params string[] names) => new(
        "audit.json",
        new RunDocument(RunKind.Audit, default, "0.1.0", Documents.Audit("2026-12-01T00:00:00Z", [.. names.Select(n => Documents.Machine(n, "win10", Documents.Result("2.3.8.1", "fail")))])));

    private static string Build(IEnumerable<ReportSource> sources, IReadOnlyList<TrendPoint>? trend = null)
    {
        using MemoryStream output = new();
        HtmlReportBuilder.Write(sources, trend ?? [], s_options, output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [GeneratedRegex("<script[ >]", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOpen();
}
