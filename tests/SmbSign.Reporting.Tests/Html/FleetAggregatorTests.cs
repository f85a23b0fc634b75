using System.Text;
using SmbSign.Reporting.Html;
using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Tests.Html;

public sealed class FleetAggregatorTests
{
    [Fact]
    public void Aggregate_RuleCounts_FollowTheAuditSummaryRules()
    {
        ParsedDocument audit = Read("audit.json", Documents.Audit(
            "2026-12-01T00:00:00Z",
            Documents.Machine("a", "win10", Documents.Result("1", "pass"), Documents.Result("2", "fail", notConfigured: true)),
            Documents.Machine("b", "win10", Documents.Result("1", "pass", notConfigured: true), Documents.Result("2", "fail")),
            Documents.Machine("c", "win11", Documents.Result("1", "not-applicable"), Documents.Result("2", "error"))));

        FleetReport report = Aggregate(audit);

        RuleCount one = report.Rules.Single(r => r.Rule == "1");
        RuleCount two = report.Rules.Single(r => r.Rule == "2");
        Assert.Equal((2, 1, 0, 0, 1, 0), (one.Pass, one.PassByDefault, one.Fail, one.FailNotConfigured, one.NotApplicable, one.Error));
        Assert.Equal((0, 0, 2, 1, 0, 1), (two.Pass, two.PassByDefault, two.Fail, two.FailNotConfigured, two.NotApplicable, two.Error));
        Assert.Equal(3, report.MachinesFailing);
        OsCount win10 = report.OperatingSystems.Single(o => o.Os == "win10");
        Assert.Equal((2, 2, 2, 2), (win10.Machines, win10.MachinesFailing, win10.Pass, win10.Fail));
        Assert.Equal(FleetVerdict.Fail, report.Verdict);
    }

    [Fact]
    public void Aggregate_SameMachineInTwoAudits_NewestDocumentWinsAndANoteSaysSo()
    {
        ParsedDocument older = Read("old.json", Documents.Audit("2026-11-01T00:00:00Z", Documents.Machine("PC1", "win10", Documents.Result("1", "fail"))));
        ParsedDocument newer = Read("new.json", Documents.Audit("2026-12-01T00:00:00Z", Documents.Machine("pc1", "win10", Documents.Result("1", "pass"))));

        FleetReport report = Aggregate(newer, older);

        (AuditMachine machine, int source) = Assert.Single(report.Machines);
        Assert.True(machine.Passed);
        Assert.Equal(0, source);
        Assert.Contains(report.Notes, n => n.StartsWith("1 machine(s) appeared in more than one audit document", StringComparison.Ordinal));
        Assert.Equal(FleetVerdict.Pass, report.Verdict);
    }

    [Fact]
    public void Aggregate_ListenHost_OneConnectionThatDidNotEnforceMakesTheHostNotEnforcing()
    {
        ParsedDocument listen = Read("listen.json", Documents.Listen(
            Documents.Client("10.0.0.5:50001", true),
            Documents.Client("10.0.0.5:50002", false),
            Documents.Client("[fd00::7]:50003", true),
            Documents.Client("10.0.0.6:50004", null)));

        FleetReport report = Aggregate(listen);

        Assert.Equal(["10.0.0.5", "10.0.0.6", "fd00::7"], report.Clients.Select(c => c.Host));
        Assert.Equal([false, null, true], report.Clients.Select(c => c.Enforces));
        Assert.Equal(2, report.Clients[0].Connections);
        Assert.Equal(FleetVerdict.Fail, report.Verdict);
    }

    [Fact]
    public void Aggregate_NothingFailsButAServerWasNotJudged_IsIncompleteNotPass()
    {
        ParsedDocument scan = Read("scan.json", Documents.Scan(Documents.ScanRow("10.0.0.1", false), Documents.ScanRow("10.0.0.2", null, dialect: null, algorithm: null)));

        FleetReport report = Aggregate(scan);

        Assert.Equal(FleetVerdict.Incomplete, report.Verdict);
        Assert.Contains(report.VerdictReasons, r => r.StartsWith("1 scanned servers could not be judged", StringComparison.Ordinal));
        WireCount dialect = Assert.Single(report.Dialects);
        Assert.Equal(("scan", "3.1.1", 1), (dialect.Kind, dialect.Value, dialect.Count));
    }

    [Fact]
    public void Aggregate_WireCounts_ComeFromScanVerifyAndListenSeparately()
    {
        FleetReport report = Aggregate(
            Read("scan.json", Documents.Scan(Documents.ScanRow("10.0.0.1", false), Documents.ScanRow("10.0.0.2", false, algorithm: "AES-CMAC"))),
            Read("verify.json", Documents.Verify("fs01", "not-enforced")),
            Read("listen.json", Documents.Listen(Documents.Client("10.0.0.5:1", true))));

        Assert.Equal(
            [("scan", "AES-CMAC", 1), ("scan", "AES-GMAC", 1), ("verify", "AES-CMAC", 1), ("listen", "AES-GMAC", 1)],
            report.SigningAlgorithms.Select(w => (w.Kind, w.Value, w.Count)));
        Assert.Equal(FleetVerdict.Fail, report.Verdict);
        Assert.Contains(report.VerdictReasons, r => r.StartsWith("1 of 1 verified servers do not enforce signing", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("10.0.0.5:445", "10.0.0.5")]
    [InlineData("[fe80::1]:50000", "fe80::1")]
    [InlineData("fe80::1", "fe80::1")]
    [InlineData("host", "host")]
    public void HostOf_StripsThePort(string client, string host) => Assert.Equal(host, FleetAggregator.HostOf(client));

    private static ParsedDocument Read(string name, string json) => ReportDocumentReader.Read(name, Encoding.UTF8.GetBytes(json));

    private static FleetReport Aggregate(params ParsedDocument[] documents) =>
        FleetAggregator.Aggregate(documents, Array.Empty<TrendPoint>(), "t", "2026-12-07T00:00:00Z", "0.1.0");
}
