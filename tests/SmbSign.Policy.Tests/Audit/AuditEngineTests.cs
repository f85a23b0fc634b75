using SmbSign.Policy.Audit;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;
using static SmbSign.Policy.Tests.Audit.AuditTestData;

namespace SmbSign.Policy.Tests.Audit;

public sealed class AuditEngineTests
{
    private static readonly MachineSnapshot s_empty = Snapshot(("empty.reg", Reg($"[{Workstation}]", "\"KeepConn\"=dword:00000258")));

    [Fact]
    public void Evaluate_Win11_24H2ProWithoutRequireSecuritySignature_PassesByTheCompliantDefault()
    {
        AuditFinding finding = Finding(s_empty, "win11-24h2-pro", "cis-win11-24h2", "2.3.8.1");

        Assert.Equal(AuditStatus.Pass, finding.Status);
        Assert.Equal("default", finding.Reason);
        Assert.True(finding.NotConfigured);
        Assert.Null(finding.Configured);
        Assert.Equal(SettingValue.FromNumber(1), finding.Effective);
        Assert.True(finding.EffectiveCompliant);
        Assert.True(finding.StrictFailure);
        Assert.Contains("win11-24h2-pro", finding.EffectiveSource, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Win10WithoutRequireSecuritySignature_FailsBecauseTheEffectiveDefaultIsZero()
    {
        // CIS 2.3.8.1 "Default Value: Disabled": a Windows 10 machine with nothing configured does not require signing.
        AuditFinding finding = Finding(s_empty, "win10", "cis-win11-23h2", "2.3.8.1");

        Assert.Equal(AuditStatus.Fail, finding.Status);
        Assert.Equal("not-configured", finding.Reason);
        Assert.True(finding.NotConfigured);
        Assert.Null(finding.Configured);
        Assert.Equal(SettingValue.FromNumber(0), finding.Effective);
        Assert.False(finding.EffectiveCompliant);
        Assert.Contains("win10", finding.EffectiveSource, StringComparison.Ordinal);
        Assert.Contains("effective 0", finding.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Win10WithoutRequireSecuritySignature_FailsWithoutStrictToo()
    {
        AuditFinding lenient = Finding(s_empty, "win10", "cis-win11-23h2", "2.3.8.1", strict: false);
        AuditFinding strict = Finding(s_empty, "win10", "cis-win11-23h2", "2.3.8.1", strict: true);

        Assert.Equal(AuditStatus.Fail, lenient.Status);
        Assert.Equal(AuditStatus.Fail, strict.Status);
    }

    [Theory]
    [InlineData("win10")]
    [InlineData("win11-24h2-pro")]
    public void Evaluate_Strict_TurnsNotConfiguredIntoFail(string os)
    {
        AuditFinding finding = Finding(s_empty, os, os == "win10" ? "cis-win11-23h2" : "cis-win11-24h2", "2.3.8.1", strict: true);

        Assert.Equal(AuditStatus.Fail, finding.Status);
        Assert.True(finding.NotConfigured);
        Assert.Contains(os == "win10" ? "effective 0" : "--strict", finding.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Server2025WithNothingConfigured_ClientRequiredServerNot()
    {
        AuditFinding client = Finding(s_empty, "server2025", "cis-server2025", "2.3.8.1");
        AuditFinding server = Finding(s_empty, "server2025", "cis-server2025", "2.3.9.2");

        Assert.Equal(SettingValue.FromNumber(1), client.Effective);
        Assert.Equal(SettingValue.FromNumber(0), server.Effective);
        Assert.False(server.EffectiveCompliant);
    }

    [Fact]
    public void Evaluate_DomainController_ServerSigningDefaultsToRequired_AndMemberOnlyItemIsNotApplicable()
    {
        AuditFinding signing = Finding(s_empty, "server2022", "cis-server2022", "2.3.9.2", role: OsRole.DomainController);
        AuditFinding spn = Finding(s_empty, "server2022", "cis-server2022", "2.3.9.5", role: OsRole.DomainController);

        Assert.Equal(SettingValue.FromNumber(1), signing.Effective);
        Assert.Equal(AuditStatus.NotApplicable, spn.Status);
        Assert.Contains("member", spn.Note, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("canonical", "RequireMutualAuthentication=1, RequireIntegrity=1, RequirePrivacy=1")]
    [InlineData("no spaces, other order", "RequireIntegrity=1,RequirePrivacy=1,RequireMutualAuthentication=1")]
    [InlineData("extra spaces", "  RequirePrivacy=1 ,   RequireMutualAuthentication=1,RequireIntegrity=1  ")]
    [InlineData("semicolons and lower case", "requireintegrity=1; requiremutualauthentication=1; requireprivacy=1")]
    public void Evaluate_HardenedUncPaths_SpacingAndOrderDoNotMatter(string description, string flags)
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg($"[{HardenedPaths}]", $"\"\\\\\\\\*\\\\NETLOGON\"=\"{flags}\"")));

        AuditFinding finding = Finding(snapshot, "win11-24h2-enterprise", "cis-win11-24h2", "18.6.14.1-NETLOGON");

        Assert.True(finding.Status == AuditStatus.Pass, $"{description}: {finding.Status} {finding.Note}");
    }

    [Fact]
    public void Evaluate_HardenedUncPathsWithoutPrivacy_FailsCisButPassesTheMicrosoftBaseline()
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg($"[{HardenedPaths}]", "\"\\\\\\\\*\\\\SYSVOL\"=\"RequireIntegrity=1,RequireMutualAuthentication=1\"")));

        AuditFinding cis = Finding(snapshot, "win11-24h2-enterprise", "cis-win11-24h2", "18.6.14.1-SYSVOL");
        AuditFinding microsoft = Finding(snapshot, "win11-24h2-enterprise", "msft-win11-24h2", "client.HardenedPaths.SYSVOL");

        Assert.Equal(AuditStatus.Fail, cis.Status);
        Assert.Contains("RequirePrivacy=1", cis.Note, StringComparison.Ordinal);
        Assert.Equal(AuditStatus.Pass, microsoft.Status);
    }

    [Fact]
    public void Evaluate_IntuneOnlyMachine_IsNotFalselyNonCompliant()
    {
        // windows_hardening #22, HardeningKitty #47/#70: Intune-managed devices audited as non-compliant because GPO paths are empty.
        string json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "oib_settings_catalog_local_security_policies_24h2_smb_subset.json"));
        MachineSnapshot snapshot = Snapshot(("tenant.json", Utf8(json)));
        RulePack pack = Pack("cis-intune-windows");
        OsProfile os = OsProfiles.Get("win11-24h2-enterprise");

        IReadOnlyList<AuditFinding> findings = AuditEngine.Evaluate(snapshot, os, os.Role, pack, strict: false);

        // Every value the profile sets is read as set: nothing it configures fails. What fails is only what the profile
        // does not set and whose Windows default does not comply (Hardened UNC Paths without RequirePrivacy).
        Assert.DoesNotContain(findings, f => f.Status == AuditStatus.Fail && !f.NotConfigured);
        Assert.All(findings.Where(f => f.Status == AuditStatus.Fail), f => Assert.StartsWith("client.HardenedPaths.", f.Rule.Setting.Id, StringComparison.Ordinal));
        AuditFinding sign = findings.Single(f => f.Rule.Id == "49.12");
        Assert.Equal(AuditStatus.Pass, sign.Status);
        Assert.Equal(PrecedenceLayer.Mdm, sign.Layer);
        Assert.Equal("tenant.json", sign.Source!.Value.File);
    }

    [Fact]
    public void Evaluate_ServerServiceDisabled_ServerSideItemsAreNotApplicable()
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg(
            @"[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\LanmanServer]",
            "\"Start\"=dword:00000004",
            string.Empty,
            $"[{Server}]",
            "\"RequireSecuritySignature\"=dword:00000000")));

        AuditFinding server = Finding(snapshot, "win11-23h2", "cis-win11-23h2", "2.3.9.2");
        AuditFinding client = Finding(snapshot, "win11-23h2", "cis-win11-23h2", "2.3.8.1");
        AuditFinding service = Finding(snapshot, "win11-23h2", "cis-win11-23h2", "5.26.1");

        Assert.Equal(AuditStatus.NotApplicable, server.Status);
        Assert.Contains("Server service is disabled", server.Note, StringComparison.Ordinal);
        Assert.Equal(4, server.Source!.Value.Line);
        Assert.Equal(AuditStatus.Fail, client.Status);
        Assert.Equal("not-configured", client.Reason);
        Assert.Equal(AuditStatus.Pass, service.Status);
    }

    [Fact]
    public void Evaluate_Smb1Removed_IfAgreesItemsAreNotApplicable_AlwaysItemsStillCount()
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg(
            @"[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\mrxsmb10]",
            "\"Start\"=dword:00000004",
            string.Empty,
            $"[{Server}]",
            "\"SMB1\"=dword:00000000")));

        Assert.Equal(AuditStatus.NotApplicable, Finding(snapshot, "win11-24h2-pro", "cis-win11-24h2", "2.3.8.2").Status);
        Assert.Equal(AuditStatus.NotApplicable, Finding(snapshot, "win11-24h2-pro", "cis-win11-24h2", "2.3.9.3").Status);
        Assert.Equal(AuditStatus.Pass, Finding(snapshot, "win11-24h2-pro", "cis-win11-24h2", "2.3.8.1").Status);
        Assert.Equal("default", Finding(snapshot, "win11-24h2-pro", "cis-win11-24h2", "2.3.8.1").Reason);
    }

    [Fact]
    public void Evaluate_Smb1NotRemoved_IfAgreesItemIsEvaluated()
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg($"[{Workstation}]", "\"EnableSecuritySignature\"=dword:00000000")));

        Assert.Equal(AuditStatus.Fail, Finding(snapshot, "win11-24h2-pro", "cis-win11-24h2", "2.3.8.2").Status);
    }

    [Fact]
    public void Evaluate_SettingThatDoesNotExistOnTheOs_IsNotApplicable()
    {
        AuditFinding finding = Finding(s_empty, "win10", "cis-win11-24h2", "18.6.8.3");

        Assert.Equal(AuditStatus.NotApplicable, finding.Status);
        Assert.Contains("does not exist on win10", finding.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnreadableSource_AbsentSettingsAreErrors_ConfiguredOnesStillEvaluated()
    {
        MachineSnapshot snapshot = Snapshot(
            ("good.reg", Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=dword:00000001")),
            ("bad.pol", [.. "PReg"u8.ToArray(), 1, 0, 0, 0, (byte)'[', 0, (byte)'S']));

        AuditFinding configured = Finding(snapshot, "win11-24h2-pro", "cis-win11-24h2", "2.3.8.1");
        AuditFinding absent = Finding(snapshot, "win11-24h2-pro", "cis-win11-24h2", "2.3.9.2");

        Assert.Equal(AuditStatus.Pass, configured.Status);
        Assert.Contains("could not be read fully", configured.Note, StringComparison.Ordinal);
        Assert.Equal(AuditStatus.Error, absent.Status);
        Assert.Contains("see its diagnostics", absent.Note, StringComparison.Ordinal);
        Assert.Equal("bad.pol", snapshot.Diagnostics.First(d => d.Severity == global::SmbSign.Policy.Sources.DiagnosticSeverity.Error).Location.File);
    }

    [Fact]
    public void Evaluate_WrongRegistryType_Fails()
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=\"1\"")));

        AuditFinding finding = Finding(snapshot, "win10", "cis-win11-23h2", "2.3.8.1");

        Assert.Equal(AuditStatus.Fail, finding.Status);
        Assert.Contains("REG_SZ", finding.Note, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(15, AuditStatus.Pass)]
    [InlineData(5, AuditStatus.Pass)]
    [InlineData(30, AuditStatus.Fail)]
    public void Evaluate_AtMost_ComparesNumbers(int minutes, AuditStatus expected)
    {
        MachineSnapshot snapshot = Snapshot(("m.inf", Inf($@"MACHINE\System\CurrentControlSet\Services\LanManServer\Parameters\AutoDisconnect=4,{minutes}")));

        Assert.Equal(expected, Finding(snapshot, "server2022", "cis-server2022", "2.3.9.1").Status);
    }

    [Theory]
    [InlineData(768, AuditStatus.Pass, AuditStatus.Fail)]
    [InlineData(785, AuditStatus.Pass, AuditStatus.Pass)]
    [InlineData(514, AuditStatus.Fail, AuditStatus.Fail)]
    public void Evaluate_MinimumDialect_MicrosoftAndCisDisagree(int dialect, AuditStatus microsoft, AuditStatus cis)
    {
        MachineSnapshot snapshot = Snapshot(("m.pol", Pol((@"Software\Policies\Microsoft\Windows\LanmanWorkstation", "MinSmb2Dialect", dialect))));

        Assert.Equal(microsoft, Finding(snapshot, "win11-24h2-enterprise", "msft-win11-24h2", "client.MinSmb2Dialect").Status);
        Assert.Equal(cis, Finding(snapshot, "win11-24h2-enterprise", "cis-win11-24h2", "18.6.8.6").Status);
    }

    [Fact]
    public void Evaluate_UnknownOs_FailsClosedAndSaysHowToFixIt()
    {
        RulePack pack = Pack("cis-win11-24h2");
        AuditFinding finding = AuditEngine.Evaluate(pack.Rules.Single(r => r.Id == "2.3.8.1"), s_empty, null, OsRole.Workstation, pack, strict: false);

        Assert.Equal(AuditStatus.Fail, finding.Status);
        Assert.Equal("not-configured, OS unknown", finding.Reason);
        Assert.Contains("machines.json", finding.Note, StringComparison.Ordinal);
        Assert.Null(finding.Effective);
        Assert.Null(finding.EffectiveCompliant);
        Assert.Contains("--os", finding.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_OverriddenLocalValue_IsReported()
    {
        MachineSnapshot snapshot = Snapshot(
            ("m.reg", Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=dword:00000000")),
            ("m.inf", Inf(@"MACHINE\System\CurrentControlSet\Services\LanmanWorkstation\Parameters\RequireSecuritySignature=4,1")));

        AuditFinding finding = Finding(snapshot, "win11-24h2-pro", "cis-win11-24h2", "2.3.8.1");

        Assert.Equal(AuditStatus.Pass, finding.Status);
        Assert.Equal("m.inf:7", finding.Source.ToString());
        Assert.Single(finding.Overridden);
        Assert.Contains("overrides", finding.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SambaWithoutCounterpart_IsNotApplicable()
    {
        MachineSnapshot snapshot = Snapshot(("smb.conf", Utf8("[global]\n   server signing = mandatory\n")));

        Assert.Equal(AuditStatus.Pass, Finding(snapshot, "samba", "cis-server2025", "2.3.9.2").Status);
        Assert.Equal(AuditStatus.NotApplicable, Finding(snapshot, "samba", "cis-server2025", "18.6.8.4").Status);
    }

    [Fact]
    public void Evaluate_ValueMatcher_ListsCompareAsSets()
    {
        Assert.True(ValueMatcher.ValuesEqual(SettingValue.FromList(["netlogon", "samr", "lsarpc"]), SettingValue.FromList(["LSARPC", "netlogon", "samr"])));
        Assert.False(ValueMatcher.ValuesEqual(SettingValue.FromList(["netlogon"]), SettingValue.FromList([])));
        Assert.True(ValueMatcher.ValuesEqual(SettingValue.FromList([string.Empty]), SettingValue.FromList([])));
    }
}
