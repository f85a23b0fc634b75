using SmbSign.Policy.Formats.Intune;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.Intune;

public sealed class IntunePolicyReaderTests
{
    private const string Workstation = @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters";
    private const string Server = @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters";
    private const string PolicyWorkstation = @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation";
    private const string PolicyServer = @"SOFTWARE\Policies\Microsoft\Windows\LanmanServer";
    private const string HardenedPaths = @"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths";

    private readonly IntunePolicyReader _reader = new();

    [Fact]
    public void Read_OibLocalSecurityPolicies_MapsSigningChoicesToParameters()
    {
        // Source: SkipToTheEndpoint/OpenIntuneBaseline @75c4825 (subset), in TestData/Intune.
        SourceReadResult result = _reader.Read(TestFiles.PathOf("Intune/oib_settings_catalog_local_security_policies_24h2_smb_subset.json"));

        TestFiles.AssertNoDiagnostics(result);
        Observation client = TestFiles.Find(result, Workstation, "RequireSecuritySignature");
        Assert.Equal(RegistryValue.FromDWord(1), client.Value);
        Assert.Equal("device_vendor_msft_policy_config_localpoliciessecurityoptions_microsoftnetworkclient_digitallysigncommunicationsalways", client.Native!.Name);
        Assert.Equal("1", client.NativeValue!.Normalized);
        Assert.Equal(24, client.Location.Line);
        Assert.Equal(1u, TestFiles.DWordOf(result, Server, "RequireSecuritySignature"));
        Assert.Equal(0u, TestFiles.DWordOf(result, Workstation, "EnablePlainTextPassword"));
        Assert.Equal(5u, TestFiles.DWordOf(result, @"SYSTEM\CurrentControlSet\Control\Lsa", "LmCompatibilityLevel"));
        Observation lmHash = result.Observations.Single(o => o.Native!.Name.EndsWith("donotstorelanmanagerhashvalueonnextpasswordchange", StringComparison.Ordinal));
        Assert.Null(lmHash.Registry);
        Assert.Equal(5, result.Observations.Count);
    }

    [Fact]
    public void Read_OibSecurityHardening_MapsLanmanSmbV1AndChildChoices()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf("Intune/oib_settings_catalog_security_hardening_lanman_smbv1_subset.json"));

        TestFiles.AssertNoDiagnostics(result);
        Assert.Equal(4u, TestFiles.DWordOf(result, @"SYSTEM\CurrentControlSet\Services\mrxsmb10", "Start"));
        Assert.Equal(0u, TestFiles.DWordOf(result, Server, "SMB1"));
        Assert.Equal(0u, TestFiles.DWordOf(result, PolicyWorkstation, "AllowInsecureGuestAuth"));
        Assert.Equal(768u, TestFiles.DWordOf(result, PolicyWorkstation, "MinSmb2Dialect"));
        Assert.Equal(785u, TestFiles.DWordOf(result, PolicyWorkstation, "MaxSmb2Dialect"));
        Assert.Equal(768u, TestFiles.DWordOf(result, PolicyServer, "MinSmb2Dialect"));
        Assert.Equal(0u, TestFiles.DWordOf(result, PolicyWorkstation, "RequireEncryption"));
        Assert.Equal(2000u, TestFiles.DWordOf(result, PolicyServer, "InvalidAuthenticationDelayTimeInMs"));
        Assert.Equal(1u, TestFiles.DWordOf(result, PolicyServer, "EnableAuthRateLimiter"));
        Assert.Equal(0u, TestFiles.DWordOf(result, @"SOFTWARE\Policies\Microsoft\Windows\Bowser", "EnableMailslots"));
        Assert.Equal(0u, TestFiles.DWordOf(result, @"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider", "EnableMailslots"));
        Assert.Equal(1u, TestFiles.DWordOf(result, PolicyServer, "AuditClientDoesNotSupportSigning"));
        Assert.Equal(1u, TestFiles.DWordOf(result, PolicyWorkstation, "AuditServerDoesNotSupportSigning"));
        Observation parent = result.Observations.Single(o => o.Native!.Name == "device_vendor_msft_policy_config_mssecurityguide_configuresmbv1clientdriver");
        Assert.Null(parent.Registry);
        Assert.Equal("1", parent.NativeValue!.Normalized);
    }

    [Fact]
    public void Read_HardenedUncGroupCollection_BecomesHardenedPathsValues()
    {
        // Source: Pacers31Colts18/Intune.Docs @1e173ea, in TestData/Intune.
        SourceReadResult result = _reader.Read(TestFiles.PathOf("Intune/intunedocs_hardeneduncpaths_groupcollection_instance.json"));

        TestFiles.AssertNoDiagnostics(result);
        Assert.Equal(2, result.Observations.Count);
        Observation netlogon = TestFiles.Find(result, HardenedPaths, @"\\*\NETLOGON");
        Assert.Equal(RegistryValue.FromString("RequireIntegrity=1,RequireMutualAuthentication=1,RequirePrivacy=1"), netlogon.Value);
        Assert.Equal(10, netlogon.Location.Line);
        Assert.NotNull(TestFiles.Find(result, HardenedPaths, @"\\*\SYSVOL").Value);
    }

    [Fact]
    public void Read_CustomProfile_MapsIntegerAndAdmxStringsAndWarnsAboutEncryptedValues()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf("Intune/custom-profile-smb-signing.json"));

        Observation client = TestFiles.Find(result, Workstation, "RequireSecuritySignature");
        Assert.Equal(RegistryValue.FromDWord(1), client.Value);
        Assert.Equal(NativeSchemes.IntuneOmaUri, client.Native!.Scheme);
        Assert.Equal(6, client.Location.Line);
        Assert.Equal(0u, TestFiles.DWordOf(result, Server, "RequireSecuritySignature"));
        Assert.Equal(4u, TestFiles.DWordOf(result, @"SYSTEM\CurrentControlSet\Services\mrxsmb10", "Start"));
        Assert.Equal(0u, TestFiles.DWordOf(result, Server, "SMB1"));
        Assert.True(TestFiles.Find(result, HardenedPaths, @"\\*\SYSVOL").Value!.TryGetString(out string sysvol));
        Assert.Equal("RequireMutualAuthentication=1,RequireIntegrity=1", sysvol);
        Assert.Contains(result.Observations, o => o.Native!.Name.EndsWith("AllowDoNotTrack", StringComparison.Ordinal) && o.Registry is null);
        SourceDiagnostic encrypted = Assert.Single(result.Diagnostics);
        Assert.Equal(("INT007", DiagnosticSeverity.Warning), (encrypted.Code, encrypted.Severity));
        Assert.DoesNotContain(result.Observations, o => o.Registry == new RegistryIdentity(PolicyWorkstation, "AllowInsecureGuestAuth"));
    }

    [Fact]
    public void Read_GraphListWrapper_ReadsEveryPolicyInIt()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf("Intune/graph-list-mixed.json"));

        TestFiles.AssertNoDiagnostics(result);
        Assert.Equal(1u, TestFiles.DWordOf(result, Workstation, "RequireSecuritySignature"));
        Assert.Equal(1u, TestFiles.DWordOf(result, Workstation, "EnableSecuritySignature"));
        Assert.Equal(0u, TestFiles.DWordOf(result, PolicyWorkstation, "AllowInsecureGuestAuth"));
    }

    [Fact]
    public void Parse_ExportedArray_ReadsEachPolicy()
    {
        string json = "[" + File.ReadAllText(TestFiles.PathOf("Intune/oib_settings_catalog_local_security_policies_24h2_smb_subset.json"))
            + "," + File.ReadAllText(TestFiles.PathOf("Intune/custom-profile-smb-signing.json")) + "]";

        SourceReadResult result = _reader.Parse(TestFiles.Utf8(json), "all.json");

        Assert.Equal(2, result.Observations.Count(o => o.Registry == new RegistryIdentity(Workstation, "RequireSecuritySignature")));
    }

    [Fact]
    public void Read_SettingDefinitions_ReportsThatNothingIsSet()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf("Intune/intunedocs_setting_definitions_localpoliciessecurityoptions_smb.json"));

        Assert.Empty(result.Observations);
        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal(("INT002", DiagnosticSeverity.Info), (d.Code, d.Severity));
    }

    [Theory]
    [InlineData("invalid JSON", "{\n\"settings\": [,]\n}", "INT001", 2)]
    [InlineData("truncated", "{\n\"settings\": [\n{\"settingInstance\": {", "INT001", 3)]
    [InlineData("not a policy", "{\n\"name\": \"x\"\n}", "INT003", 1)]
    [InlineData("unknown instance", "{\"settingInstance\": {\"settingDefinitionId\": \"x\", \"@odata.type\": \"#microsoft.graph.fooInstance\"}}", "INT004", 1)]
    [InlineData("foreign choice value", "{\"settingInstance\": {\"settingDefinitionId\": \"a\", \"choiceSettingValue\": {\"value\": \"b_1\"}}}", "INT005", 1)]
    [InlineData("hardened item without value", "{\"settingInstance\": {\"settingDefinitionId\": \"device_vendor_msft_policy_config_connectivity_hardeneduncpaths_pol_hardenedpaths\", \"groupSettingCollectionValue\": [{\"children\": []}]}}", "INT006", 1)]
    [InlineData("oma text for an integer setting", "{\"omaSettings\": [{\"omaUri\": \"./Device/Vendor/MSFT/Policy/Config/LanmanWorkstation/RequireEncryption\", \"value\": \"yes\"}]}", "INT008", 1)]
    public void Parse_Malformed_ReportsCodeAndLine(string description, string json, string code, int line)
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf8(json), "bad.json");

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.True(code == d.Code, $"{description}: {d}");
        Assert.Equal(line, d.Location.Line);
    }

    [Fact]
    public void Parse_EveryTruncation_NeverThrows()
    {
        byte[] whole = TestFiles.Bytes("Intune/intunedocs_hardeneduncpaths_groupcollection_instance.json");

        for (int length = 0; length < whole.Length; length++)
        {
            SourceReadResult cut = _reader.Parse(whole.AsSpan(0, length), "h.json");

            Assert.True(cut.HasErrors || length >= whole.Length - 2, $"length {length}");
        }
    }
}
