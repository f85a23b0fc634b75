using SmbSign.Policy.Formats.SmbConf;
using SmbSign.Policy.Remediation;

namespace SmbSign.Policy.Tests.Formats.SmbConf;

public sealed class SmbConfWriterTests
{
    [Fact]
    public void Plan_SigningBaseline_MandatoryRequiredAndNoPlaintext()
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Get("signing"));

        SmbConfPlan conf = SmbConfWriter.Plan(plan);

        Assert.Equal(
            ["client signing = required", "client plaintext auth = no", "server signing = mandatory"],
            conf.Parameters.Select(p => p.Name + " = " + p.Value));
        Assert.Equal(2, conf.Parameters[0].Items.Length);
        string text = SmbConfWriter.GlobalSection(conf, plan.Title);
        Assert.Contains("[global]\n", text, StringComparison.Ordinal);
        Assert.Contains("\t# server.RequireSecuritySignature = 1 (signing-3): Server: digitally sign communications (always)\n", text, StringComparison.Ordinal);
        Assert.Contains("\tserver signing = mandatory\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Smb1OffAndMinimumDialect_OneServerMinProtocolThatSatisfiesBoth()
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(new Baseline("t", "t", [new("server.SMB1", "0", null), new("server.MinSmb2Dialect", "785", null), new("server.AutoDisconnect", "15", null)]));

        SmbConfPlan conf = SmbConfWriter.Plan(plan);

        SmbConfParameter p = Assert.Single(conf.Parameters);
        Assert.Equal("server min protocol = SMB3_11", p.Name + " = " + p.Value);
        Assert.Equal("server.AutoDisconnect", Assert.Single(conf.Skipped).Setting);
    }

    [Fact]
    public void Patch_LegacySambaFile_ChangesInPlaceKeepsCommentsOrderAndAddsMissing()
    {
        string original = File.ReadAllText(TestFiles.PathOf("Remediation/samba-legacy.smb.conf"));
        RemediationPlan plan = new RemediationPlanner().FromBaseline(new Baseline("t", "t",
            [new("server.RequireSecuritySignature", "1", "2.3.9.2"), new("server.SMB1", "0", "18.4.3"), new("system.LmCompatibilityLevel", "5", "2.3.11.7"), new("client.RequireSecuritySignature", "1", "2.3.8.1")]));

        SmbConfPatch patch = SmbConfPatcher.Patch(original, SmbConfWriter.Plan(plan).Parameters);

        string[] lines = patch.Text.Split('\n');
        Assert.Equal("# Legacy Samba box kept for old scanners", lines[0]);
        Assert.Contains("   server signing = mandatory", lines);
        Assert.Contains("   server min protocol = SMB2_02", lines);
        Assert.Contains("   ntlm auth = ntlmv2-only", lines);
        Assert.Contains("   # smbsign fix: was 'auto'; server.RequireSecuritySignature = 1 (2.3.9.2)", lines);
        int added = Array.IndexOf(lines, "   client signing = required");
        Assert.True(added > 0 && added < Array.IndexOf(lines, "[scans]"), "client signing goes into [global]");
        Assert.Equal(["workgroup", "server role", "server signing", "server min protocol", "ntlm auth", "map to guest"],
            lines.Where(l => l.StartsWith("   ", StringComparison.Ordinal) && !l.TrimStart().StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
                .Select(l => l.Split('=')[0].Trim()).Take(6));
        Assert.Contains("   guest ok = yes", lines);
        Assert.Equal([SmbConfEditKind.Changed, SmbConfEditKind.Changed, SmbConfEditKind.Changed, SmbConfEditKind.Added], patch.Edits.Select(e => e.Kind));
        IReadOnlyDictionary<string, string> global = SmbConfPatcher.ReadGlobal(patch.Text);
        Assert.Equal("mandatory", global[SmbConfPatcher.CanonicalName("server signing")]);
    }

    [Theory]
    [InlineData("no [global] section", "[data]\n path = /x\n", "[global]\n")]
    [InlineData("CRLF kept", "[global]\r\n\tserver signing = auto\r\n", "\tserver signing = mandatory\r\n")]
    [InlineData("continuation line collapsed", "[global]\n  server signing = \\\n     auto\n[x]\n", "  server signing = mandatory\n[x]")]
    [InlineData("spelling and case of the name kept", "[GLOBAL]\n ServerSigning=disabled\n", " ServerSigning = mandatory\n")]
    [InlineData("already compliant: untouched", "[global]\n server signing = required\n", "[global]\n server signing = required\n")]
    [InlineData("share sections are not global", "[global]\n a = b\n[s]\n server signing = auto\n", " a = b\n # smbsign fix: added")]
    public void Patch_Edges(string description, string original, string expectedFragment)
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(new Baseline("t", "t", [new("server.RequireSecuritySignature", "1", null)]));

        SmbConfPatch patch = SmbConfPatcher.Patch(original, SmbConfWriter.Plan(plan).Parameters);

        Assert.True(patch.Text.Contains(expectedFragment, StringComparison.Ordinal), $"{description}:\n{patch.Text}");
        Assert.Equal("mandatory|required", SmbConfPatcher.ReadGlobal(patch.Text)[SmbConfPatcher.CanonicalName("server signing")] is "mandatory" or "required" ? "mandatory|required" : "other");
    }
}
