using SmbSign.Policy.Remediation;

namespace SmbSign.Policy.Tests.Remediation;

public sealed class ImpactAnalyzerTests
{
    private static readonly RemediationPlan s_signing = new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Get("signing"));

    [Theory]
    [InlineData("SMB2 server signs", true, "enabled", null, null, false, null)]
    [InlineData("SMB2 server advertising no signing (ksmbd #515)", true, "disabled", null, null, false, ImpactLevel.Breaks)]
    [InlineData("SMB1-only, signing disabled", false, null, true, "disabled", false, ImpactLevel.Breaks)]
    [InlineData("SMB1-only, signing enabled", false, null, true, "enabled", false, null)]
    [InlineData("guest-only share", true, "enabled", null, null, true, ImpactLevel.Breaks)]
    [InlineData("no dialect", false, null, false, null, false, ImpactLevel.Unknown)]
    public void ClientRequiresSigning_Servers(string description, bool smb2, string? smb2Signing, bool? smb1, string? smb1Signing, bool guest, ImpactLevel? expected)
    {
        var server = new ScannedServer("fs1", 445, true, smb1, smb1Signing, smb2, smb2Signing, smb2 ? "3.1.1" : null, guest, null);

        ImpactFinding? finding = ImpactAnalyzer.ClientSigningImpact(server);

        Assert.True(expected == finding?.Level, $"{description}: {finding}");
    }

    [Fact]
    public void Analyze_SigningBaseline_ServersFromScanClientsFromAudit()
    {
        ScannedServer[] servers =
        [
            new("ok", 445, true, false, null, true, "enabled", "3.1.1", null, null),
            new("nas", 445, true, true, "disabled", false, null, null, null, null),
            new("down", 445, false, null, null, null, null, null, null, "timeout: connect"),
        ];
        ClientPosture[] clients =
        [
            new("win", "win11-24h2-pro", false, false, 785, false),
            new("oldsamba", "samba", true, true, null, false),
            new("guesty", "win10", false, false, 785, true),
        ];

        ImpactReport report = ImpactAnalyzer.Analyze(s_signing, servers, clients, null, "not in this build");

        Assert.Equal(["The client requires signing", "The server requires signing"], report.Sections.Select(s => s.Change));
        ImpactSection client = report.Sections[0];
        Assert.Equal((3, 1), (client.PeersChecked, client.Compatible));
        Assert.Equal([("nas", ImpactLevel.Breaks), ("down", ImpactLevel.Unknown)], client.Findings.Select(f => (f.Peer, f.Level)));
        ImpactSection server = report.Sections[1];
        Assert.Equal([("oldsamba", ImpactLevel.Breaks), ("guesty", ImpactLevel.AtRisk)], server.Findings.Select(f => (f.Peer, f.Level)));
        Assert.Equal(2, report.Breaking);
        Assert.Equal("not in this build", report.CostUnavailable);
    }

    [Fact]
    public void Analyze_NoScanNoClients_SectionsSayWhatToProvide()
    {
        ImpactReport report = ImpactAnalyzer.Analyze(s_signing, null, null);

        Assert.All(report.Sections, s => Assert.NotNull(s.Note));
        Assert.Contains("--scan", report.Sections[0].Note, StringComparison.Ordinal);
        Assert.Equal(0, report.Breaking);
    }

    [Fact]
    public void Analyze_MinimumDialectAndSmb1Off_ListsOldPeers()
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(new Baseline("t", "t", [new("client.MinSmb2Dialect", "785", null), new("client.Smb1Driver", "4", null), new("server.MinSmb2Dialect", "785", null)]));
        ScannedServer[] servers = [new("old2012", 445, true, false, null, true, "enabled", "3.0.2", null, null), new("xp", 445, true, true, "enabled", false, null, null, null, null)];
        ClientPosture[] clients = [new("w7", "win7", false, false, 528, false)];

        ImpactReport report = ImpactAnalyzer.Analyze(plan, servers, clients);

        Assert.Contains(report.Sections, s => s.Change.Contains("3.1.1", StringComparison.Ordinal) && s.Findings.Any(f => f.Peer == "old2012" && f.Level == ImpactLevel.Breaks));
        Assert.Contains(report.Sections, s => s.Change.StartsWith("The SMBv1 client", StringComparison.Ordinal) && s.Findings.Single().Peer == "xp");
        Assert.Contains(report.Sections, s => s.Change.StartsWith("The server requires SMB 3.1.1", StringComparison.Ordinal) && s.Findings.Single().Peer == "w7");
    }
}
