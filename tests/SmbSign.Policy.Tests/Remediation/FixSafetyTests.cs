using System.Text;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Remediation;

/// <summary>fix never harms the machine it fixes: rollback restores only what the audit proves, deletes only policy values
/// the fix creates, and changes that stop a service or cut off clients need --level 2.</summary>
public sealed class FixSafetyTests
{
    private static readonly string s_auditPath = Path.Combine(AppContext.BaseDirectory, "TestData", "Remediation", "fleet-audit.json");

    private static AuditDocument Parse(string json) => AuditJsonFixture.Parse(json, "audit.json");

    [Fact]
    public void Rollback_ValuesTheExportDoesNotHold_AreNeverDeleted_AndAreListed()
    {
        // ws-win10-01's export holds neither LanmanServer\Start nor mrxsmb10\Start; --strict --level 2 sets both.
        RemediationPlan plan = new RemediationPlanner().FromAudit(AuditDocumentReader.Read(s_auditPath), "ws-win10-01", strict: true, level: 2).Single();
        Assert.NotNull(plan.Find("server.ServiceStart"));
        Assert.NotNull(plan.Find("client.Smb1Driver"));

        string rollback = RegWriter.ToText(RegistryChanges.Rollback(plan), RegistryChanges.RollbackHeader(plan));

        Assert.DoesNotContain("=-", rollback, StringComparison.Ordinal);
        Assert.Empty(RegistryChanges.Rollback(plan));
        Assert.Equal(plan.Items.Select(i => i.Setting.Id), RegistryChanges.NotRestored(plan).Select(i => i.Setting.Id));
        Assert.Contains("; NOT RESTORED by this file", rollback, StringComparison.Ordinal);
        Assert.Contains(@";   HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\LanmanServer\Start (server.ServiceStart, set to 4, was (not configured))", rollback, StringComparison.Ordinal);
        Assert.Contains(@";   HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\mrxsmb10\Start (client.Smb1Driver", rollback, StringComparison.Ordinal);
        Assert.Contains("Restore-SmbSigning.ps1", rollback, StringComparison.Ordinal);

        // The file still imports cleanly (comments only).
        Assert.False(new RegFileReader().Parse(RegWriter.Write(RegistryChanges.Rollback(plan), RegistryChanges.RollbackHeader(plan)), "rollback.reg").HasErrors);
    }

    [Fact]
    public void Rollback_ValueFoundInTheServiceKey_FixedInThePolicyKey_DeletesOnlyThePolicyValue()
    {
        // The export holds AllowInsecureGuestAuth = 1 in the service key (local layer); the fix writes the policy key.
        const string export = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n\"AllowInsecureGuestAuth\"=dword:00000001\r\n";
        const string json = """
            {"benchmark": "cis-win11-24h2", "machines": [{"name": "pc", "results": [
              {"rule": "18.6.8.1", "level": "L1", "setting": "client.AllowInsecureGuestAuth", "status": "fail",
               "registry": {"key": "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\LanmanWorkstation", "valueName": "AllowInsecureGuestAuth", "type": "REG_DWORD"},
               "expected": "0", "configured": "1", "stored": "REG_DWORD 1", "effective": "1", "layer": "local", "source": "pc.reg:4"}]}]}
            """;
        RemediationPlan plan = new RemediationPlanner().FromAudit(Parse(json), null, strict: false).Single();
        RemediationItem item = Assert.Single(plan.Items);
        Assert.Equal(PreviousState.Absent, item.Previous.State);
        Assert.Contains("rollback deletes only that policy value", item.Note, StringComparison.Ordinal);

        var registry = new SimulatedRegistry();
        registry.Import(new RegFileReader().Parse(Encoding.Unicode.GetBytes(export), "pc.reg"));
        Dictionary<RegistryIdentity, RegistryValue> before = new(registry.Values);
        registry.Import(new RegFileReader().Parse(RegWriter.Write(RegistryChanges.Apply(plan)), "apply.reg"));
        Assert.Equal(2, registry.Values.Count);
        RegistryChange[] rollback = [.. RegistryChanges.Rollback(plan)];
        registry.Import(new RegFileReader().Parse(RegWriter.Write(rollback), "rollback.reg"));

        RegistryChange deletion = Assert.Single(rollback);
        Assert.True(deletion.IsDelete);
        Assert.Equal(@"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation", deletion.Identity.KeyPath, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(before.OrderBy(p => p.Key.ToString()), registry.Values.OrderBy(p => p.Key.ToString()));
    }

    [Fact]
    public void Strict_NeverAddsLevel2OrServiceStop_Level2WritesThemWithAWarning()
    {
        AuditDocument audit = AuditDocumentReader.Read(s_auditPath);

        RemediationPlan strict = new RemediationPlanner().FromAudit(audit, "ws-win10-01", strict: true).Single();
        RemediationPlan level2 = new RemediationPlanner().FromAudit(audit, "ws-win10-01", strict: true, level: 2).Single();

        Assert.Null(strict.Find("server.ServiceStart"));
        SkippedSetting skipped = Assert.Single(strict.Skipped, s => s.Setting == "server.ServiceStart");
        Assert.Contains("stops the Server service", skipped.Reason, StringComparison.Ordinal);
        Assert.EndsWith("written only with --level 2", skipped.Reason, StringComparison.Ordinal);
        Assert.All(strict.Items, i => Assert.Null(i.ImpactWarning));

        RemediationItem stop = level2.Find("server.ServiceStart")!;
        Assert.Contains("no longer shares files", stop.ImpactWarning, StringComparison.Ordinal);
        Assert.Contains(DisruptiveChanges.Warnings(level2), w => w.StartsWith("server.ServiceStart = 4: stops the Server service", StringComparison.Ordinal));
    }

    [Fact]
    public void Baseline_Level2ItemsOnlyWithLevel2()
    {
        Baseline baseline = BaselineCatalog.Default.Get("cis-win11-24h2");

        RemediationPlan level1 = new RemediationPlanner().FromBaseline(baseline);
        RemediationPlan level2 = new RemediationPlanner().FromBaseline(baseline, level: 2);

        Assert.Null(level1.Find("server.ServiceStart"));
        Assert.Contains(level1.Skipped, s => s.Setting == "server.ServiceStart" && s.Reason.EndsWith("written only with --level 2", StringComparison.Ordinal));
        Assert.NotNull(level2.Find("server.ServiceStart")?.ImpactWarning);
    }

    [Fact]
    public void Smb1ServerOff_WithSmb1OnlyClientsSeen_NeedsLevel2()
    {
        const string json = """
            {"machines": [
              {"name": "fs1", "os": "server2022", "results": [
                {"rule": "18.4.3", "level": "L1", "setting": "server.SMB1", "status": "fail", "registry": {"type": "REG_DWORD"}, "expected": "0", "configured": "1", "stored": "REG_DWORD 1", "layer": "local"}]},
              {"name": "old-scanner", "os": "samba", "results": [
                {"rule": "x", "setting": "client.MaxSmb2Dialect", "status": "pass", "expected": null, "configured": "1", "effective": "1", "stored": "client max protocol = NT1"}]}]}
            """;
        AuditDocument audit = Parse(json);
        List<ClientPosture> clients = [ClientPosture.FromAudit(audit.Machines[1])];
        Assert.True(clients[0].Smb1Only);

        foreach (int level in new[] { 1, 2 })
        {
            RemediationPlan plan = new RemediationPlanner().FromAudit(audit, "fs1", strict: false, level).Single();
            ImpactReport impact = ImpactAnalyzer.Analyze(plan, null, clients);
            RemediationPlan gated = DisruptiveChanges.WithholdClientCutoffs(plan, impact, level);
            if (level == 1)
            {
                Assert.Null(gated.Find("server.SMB1"));
                Assert.Contains(gated.Skipped, s => s.Setting == "server.SMB1" && s.Reason.Contains("old-scanner", StringComparison.Ordinal) && s.Reason.EndsWith("--level 2", StringComparison.Ordinal));
            }
            else
            {
                Assert.Contains("old-scanner", gated.Find("server.SMB1")!.ImpactWarning, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Smb1ServerOff_NoSmb1ClientsSeen_IsWrittenAtLevel1()
    {
        const string json = """
            {"machines": [{"name": "fs1", "results": [
                {"rule": "18.4.3", "setting": "server.SMB1", "status": "fail", "registry": {"type": "REG_DWORD"}, "expected": "0", "configured": "1"}]}]}
            """;
        RemediationPlan plan = new RemediationPlanner().FromAudit(Parse(json), null, strict: false).Single();

        RemediationPlan gated = DisruptiveChanges.WithholdClientCutoffs(plan, ImpactAnalyzer.Analyze(plan, null, []), 1);

        Assert.Same(plan, gated);
        Assert.Null(gated.Find("server.SMB1")!.ImpactWarning);
    }
}

/// <summary>The audit JSON shape fix reads: expected/configured/effective are a string or null, parsed by registry.type.</summary>
public sealed class AuditDocumentShapeTests
{
    private static AuditResultRow Row(string json) =>
        AuditJsonFixture.Parse(json).Machines.Single().Results.Single();

    [Fact]
    public void StringShape_DwordAsDecimalText()
    {
        AuditResultRow row = Row("""{"machines": [{"name": "m", "results": [{"rule": "2.3.8.1", "setting": "client.RequireSecuritySignature", "status": "fail", "registry": {"key": "HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters", "valueName": "RequireSecuritySignature", "type": "REG_DWORD"}, "expected": "1", "configured": "4294967295", "effective": null}]}]}""");

        Assert.Equal("1", row.Expected!.Text);
        Assert.Equal("4294967295", row.Configured!.Text);
        Assert.Null(row.Effective);
        (PreviousValue previous, _) = RemediationPlanner.PreviousOf(SettingsCatalogLookup("client.RequireSecuritySignature"), row);
        Assert.Equal(RegistryValue.FromDWord(uint.MaxValue), previous.Value);
    }

    [Fact]
    public void StringShape_RegSzAsIs_EmptyIsAValueNotAbsent()
    {
        AuditResultRow row = Row("""{"machines": [{"name": "m", "results": [{"setting": "client.HardenedPaths.NETLOGON", "status": "fail", "registry": {"type": "REG_SZ"}, "expected": "RequireMutualAuthentication=1, RequireIntegrity=1", "configured": "", "effective": "absent"}]}]}""");

        Assert.Equal(string.Empty, row.Configured!.Text);
        Assert.False(row.Configured.IsList);
        Assert.Equal("absent", row.Effective!.Text);
        (PreviousValue previous, _) = RemediationPlanner.PreviousOf(SettingsCatalogLookup("client.HardenedPaths.NETLOGON"), row);
        Assert.Equal(PreviousState.Present, previous.State);
        Assert.Equal(RegistryValue.FromString(string.Empty), previous.Value);
    }

    [Fact]
    public void StringShape_MultiStringItemsJoinedWithNewline()
    {
        AuditResultRow row = Row("""{"machines": [{"name": "m", "results": [{"setting": "x", "status": "fail", "registry": {"type": "REG_MULTI_SZ"}, "expected": "a, b\n\\\\srv\\share\né", "configured": "", "effective": null}]}]}""");

        Assert.True(row.Expected!.IsList);
        Assert.Equal(["a, b", @"\\srv\share", "é"], row.Expected.Items.ToArray());
        Assert.True(row.Configured!.IsList);
        Assert.Empty(row.Configured.Items);
    }

    [Fact]
    public void InvalidUtf8InsideAString_IsAnInputErrorNamingLineAndOffset()
    {
        byte[] json = Encoding.UTF8.GetBytes("{\n \"machines\": [{\"name\": \"m\u00e9X\", \"results\": []}]\n}");
        int at = Array.IndexOf(json, (byte)'X');
        json[at] = 0xFF;

        RemediationInputException e = Assert.Throws<RemediationInputException>(() => AuditDocumentReader.Parse(json, "bad.json"));

        Assert.Equal($"bad.json:2: invalid UTF-8 at byte offset {at} (0xFF); expected UTF-8 JSON (the output of 'smbsign audit --format json')", e.Message);

        // With a BOM the offset is still the file's.
        byte[] withBom = [0xEF, 0xBB, 0xBF, .. json];
        Assert.Contains($"byte offset {at + 3} ", Assert.Throws<RemediationInputException>(() => AuditDocumentReader.Parse(withBom, "bad.json")).Message, StringComparison.Ordinal);
    }

    private static SmbSign.Policy.Catalog.SettingDefinition SettingsCatalogLookup(string id)
    {
        Assert.True(SmbSign.Policy.Catalog.SettingsCatalog.Default.TryGetById(id, out SmbSign.Policy.Catalog.SettingDefinition? setting));
        return setting;
    }
}
