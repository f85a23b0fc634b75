using SmbSign.Policy.Audit;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;
using static SmbSign.Policy.Tests.Audit.AuditTestData;

namespace SmbSign.Policy.Tests.Audit;

public sealed class SnapshotBuilderTests
{
    [Fact]
    public void Build_GroupPolicyTemplateAndLocalValue_PolicyWinsAndLocalIsOverridden()
    {
        MachineSnapshot snapshot = Snapshot(
            ("m.reg", Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=dword:00000000")),
            ("m.inf", Inf(@"MACHINE\System\CurrentControlSet\Services\LanmanWorkstation\Parameters\RequireSecuritySignature=4,1")));

        SnapshotSetting setting = snapshot.Get("client.RequireSecuritySignature")!;

        Assert.Equal(SettingValue.FromNumber(1), setting.Winner!.Value);
        Assert.Equal(PrecedenceLayer.GroupPolicy, setting.Winner.Layer);
        Assert.Equal("m.inf", setting.Winner.Location.File);
        Assert.Equal(7, setting.Winner.Location.Line);
        SnapshotValue local = Assert.Single(setting.Overridden);
        Assert.Equal(SettingValue.FromNumber(0), local.Value);
        Assert.Equal(PrecedenceLayer.Local, local.Layer);
        Assert.Equal(4, local.Location.Line);
    }

    [Fact]
    public void Build_OrderOfSources_DoesNotChangeTheLayerThatWins()
    {
        MachineSnapshot snapshot = Snapshot(
            ("m.inf", Inf(@"MACHINE\System\CurrentControlSet\Services\LanmanWorkstation\Parameters\RequireSecuritySignature=4,1")),
            ("m.reg", Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=dword:00000000")));

        Assert.Equal(SettingValue.FromNumber(1), snapshot.GetValue("client.RequireSecuritySignature")!.Value);
    }

    [Fact]
    public void Build_PolicyKeyAndServiceKeyInOneExport_PolicyKeyWins()
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg(
            $"[{Workstation}]",
            "\"AllowInsecureGuestAuth\"=dword:00000001",
            string.Empty,
            $"[{PolicyWorkstation}]",
            "\"AllowInsecureGuestAuth\"=dword:00000000")));

        SnapshotValue winner = snapshot.GetValue("client.AllowInsecureGuestAuth")!;

        Assert.Equal(SettingValue.FromNumber(0), winner.Value);
        Assert.Equal(PrecedenceLayer.GroupPolicy, winner.Layer);
    }

    [Fact]
    public void Build_ValueDeletedByALaterExport_IsNotConfigured_AndTheDeletionIsKept()
    {
        MachineSnapshot snapshot = Snapshot(
            ("a.reg", Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=dword:00000001")),
            ("b.reg", Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=-")));

        SnapshotSetting setting = snapshot.Get("client.RequireSecuritySignature")!;

        Assert.Null(setting.Winner);
        Assert.Equal("b.reg", setting.Deletion!.Location.File);
        Assert.Equal(SnapshotValueKind.Deleted, setting.Deletion.Kind);
    }

    [Fact]
    public void Build_KeyDeleted_DeletesEverySettingUnderIt()
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg(
            $"[{Server}]",
            "\"RequireSecuritySignature\"=dword:00000001",
            "\"SMB1\"=dword:00000000",
            string.Empty,
            @"[-HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\LanmanServer]")));

        Assert.Null(snapshot.GetValue("server.RequireSecuritySignature"));
        Assert.Null(snapshot.GetValue("server.SMB1"));
        Assert.NotNull(snapshot.Get("server.ServiceStart")!.Deletion);
    }

    [Fact]
    public void Build_RegistryPolDeletion_EmptiesOnlyTheGroupPolicyLayer()
    {
        MachineSnapshot snapshot = Snapshot(
            ("m.reg", Reg($"[{Workstation}]", "\"AllowInsecureGuestAuth\"=dword:00000001")),
            ("m.pol", Pol(
                (@"Software\Policies\Microsoft\Windows\LanmanWorkstation", "AllowInsecureGuestAuth", 0),
                (@"Software\Policies\Microsoft\Windows\LanmanWorkstation", "**del.AllowInsecureGuestAuth", " "))));

        SnapshotValue winner = snapshot.GetValue("client.AllowInsecureGuestAuth")!;

        Assert.Equal(SettingValue.FromNumber(1), winner.Value);
        Assert.Equal(PrecedenceLayer.Local, winner.Layer);
        Assert.Equal(SourceFormat.Reg, winner.Location.Format);
    }

    [Fact]
    public void Build_RegistryPolValue_KeepsTheByteOffset()
    {
        MachineSnapshot snapshot = Snapshot(("m.pol", Pol((@"Software\Policies\Microsoft\Windows\LanmanWorkstation", "AllowInsecureGuestAuth", 0))));

        SnapshotValue winner = snapshot.GetValue("client.AllowInsecureGuestAuth")!;

        Assert.Equal(8, winner.Location.ByteOffset);
        Assert.Equal("m.pol@8", winner.Location.ToString());
    }

    [Fact]
    public void Build_IntuneAndLocalValue_IntuneWins()
    {
        string intune = """
            { "@odata.type": "#microsoft.graph.windows10CustomConfiguration", "omaSettings": [
              { "@odata.type": "#microsoft.graph.omaSettingInteger",
                "omaUri": "./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/MicrosoftNetworkClient_DigitallySignCommunicationsAlways",
                "value": 1 } ] }
            """;
        MachineSnapshot snapshot = Snapshot(
            ("m.reg", Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=dword:00000000")),
            ("m.intune.json", Utf8(intune)));

        SnapshotValue winner = snapshot.GetValue("client.RequireSecuritySignature")!;

        Assert.Equal(PrecedenceLayer.Mdm, winner.Layer);
        Assert.Equal(SettingValue.FromNumber(1), winner.Value);
        Assert.True(winner.Location.Line > 0);
    }

    [Fact]
    public void Build_PolicyManagerRecordInARegExport_CountsAsIntune()
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg(
            @"[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\PolicyManager\current\device\LocalPoliciesSecurityOptions]",
            "\"MicrosoftNetworkClient_DigitallySignCommunicationsAlways\"=dword:00000001")));

        SnapshotValue winner = snapshot.GetValue("client.RequireSecuritySignature")!;

        Assert.Equal(PrecedenceLayer.Mdm, winner.Layer);
    }

    [Fact]
    public void Build_ValueAtAKnownMisplacement_IsIgnoredWithANote()
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg($"[{PolicyWorkstation}]", "\"EnableMailslots\"=dword:00000000")));

        Assert.Null(snapshot.Get("client.EnableMailslots"));
        Assert.Contains(snapshot.Notes, n => n.Contains("not read by Windows", StringComparison.Ordinal) && n.Contains("m.reg:4", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_DwordWrittenAsString_IsFlaggedAsATypeMismatch()
    {
        MachineSnapshot snapshot = Snapshot(("m.reg", Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=\"1\"")));

        SnapshotValue winner = snapshot.GetValue("client.RequireSecuritySignature")!;

        Assert.True(winner.TypeMismatch);
        Assert.Equal(SettingValue.FromNumber(1), winner.Value);
    }

    [Theory]
    [InlineData("mandatory", 1L)]
    [InlineData("required", 1L)]
    [InlineData("auto", 0L)]
    [InlineData("disabled", 0L)]
    public void Build_SmbConfServerSigning_MapsToTheWindowsValue(string text, long expected)
    {
        MachineSnapshot snapshot = Snapshot(("smb.conf", Utf8($"[global]\n   server signing = {text}\n")));

        SnapshotValue winner = snapshot.GetValue("server.RequireSecuritySignature")!;

        Assert.Equal(SettingValue.FromNumber(expected), winner.Value);
        Assert.Equal(2, winner.Location.Line);
        Assert.Equal(SourceFormat.SmbConf, winner.Location.Format);
    }

    [Fact]
    public void Build_SmbConfDefault_MeansNotConfigured()
    {
        MachineSnapshot snapshot = Snapshot(("smb.conf", Utf8("[global]\n   server signing = default\n   server role = active directory domain controller\n")));

        Assert.Null(snapshot.GetValue("server.RequireSecuritySignature"));
        Assert.Equal("active directory domain controller", snapshot.SambaServerRole);
    }

    [Fact]
    public void Build_SmbConfShareSection_IsNotAMachineSetting()
    {
        MachineSnapshot snapshot = Snapshot(("smb.conf", Utf8("[global]\n   workgroup = X\n[data]\n   path = /srv\n   server signing = disabled\n")));

        Assert.Null(snapshot.Get("server.RequireSecuritySignature"));
    }

    [Fact]
    public void Build_UnreadableSource_IsRecordedWithItsDiagnostic()
    {
        MachineSnapshot snapshot = Snapshot(
            ("good.reg", Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=dword:00000001")),
            ("bad.json", Utf8("{ \"RequireSecuritySignature\": tru")));

        Assert.True(snapshot.HasUnreadableSource);
        SourceDiagnostic diagnostic = Assert.Single(snapshot.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("bad.json", diagnostic.Location.File);
        Assert.NotNull(snapshot.GetValue("client.RequireSecuritySignature"));
    }
}
