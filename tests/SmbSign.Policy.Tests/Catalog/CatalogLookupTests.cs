using SmbSign.Policy.Catalog;

namespace SmbSign.Policy.Tests.Catalog;

public sealed class CatalogLookupTests
{
    private static readonly SettingsCatalog s_catalog = SettingsCatalog.Default;

    [Theory]
    [InlineData("client.RequireSecuritySignature")]
    [InlineData("CLIENT.requiresecuritysignature")]
    [InlineData("  client.RequireSecuritySignature ")]
    public void TryGetById_CaseAndSpaceInsensitive(string id)
    {
        Assert.True(s_catalog.TryGetById(id, out SettingDefinition? setting));
        Assert.Equal("client.RequireSecuritySignature", setting.Id);
    }

    [Fact]
    public void Indexer_UnknownId_SuggestsClosest()
    {
        KeyNotFoundException error = Assert.Throws<KeyNotFoundException>(() => s_catalog["server.RequireSecuritySignatur"]);

        Assert.Contains("Did you mean server.RequireSecuritySignature", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(@"HKLM\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters", "RequireSecuritySignature", "client.RequireSecuritySignature", RegistryLocationKind.Service)]
    [InlineData(@"HKEY_LOCAL_MACHINE\System\CurrentControlSet\Services\LanManServer\Parameters", "requiresecuritysignature", "server.RequireSecuritySignature", RegistryLocationKind.Service)]
    [InlineData(@"HKLM:\System\CurrentControlSet\Services\LanManServer\Parameters\", "EnableSecuritySignature", "server.EnableSecuritySignature", RegistryLocationKind.Service)]
    [InlineData(@"MACHINE\System\CurrentControlSet\Services\LanmanServer\Parameters", "EnableForcedLogOff", "server.EnableForcedLogoff", RegistryLocationKind.Service)]
    [InlineData(@"SYSTEM\ControlSet001\Services\LanmanWorkstation\Parameters", "EnablePlainTextPassword", "client.EnablePlainTextPassword", RegistryLocationKind.Service)]
    [InlineData(@"Software\Policies\Microsoft\Windows\LanmanWorkstation", "AllowInsecureGuestAuth", "client.AllowInsecureGuestAuth", RegistryLocationKind.Policy)]
    [InlineData(@"HKLM\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters", "AllowInsecureGuestAuth", "client.AllowInsecureGuestAuth", RegistryLocationKind.Service)]
    [InlineData(@"Computer\HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths", @"\\*\SYSVOL", "client.HardenedPaths.SYSVOL", RegistryLocationKind.Policy)]
    [InlineData(@"HKLM\SOFTWARE\Policies\Microsoft\Windows\Bowser", "EnableMailslots", "server.EnableMailslots", RegistryLocationKind.Policy)]
    [InlineData(@"HKLM\SOFTWARE\Policies\Microsoft\Windows\LanmanServer", "EnableMailslots", "server.EnableMailslots", RegistryLocationKind.KnownMisplacement)]
    [InlineData(@"HKLM\SYSTEM\CurrentControlSet\Services\MrxSmb10", "Start", "client.Smb1Driver", RegistryLocationKind.Service)]
    [InlineData(@"HKLM\SYSTEM\CurrentControlSet\Control\Lsa", "LmCompatibilityLevel", "system.LmCompatibilityLevel", RegistryLocationKind.Service)]
    [InlineData(@"HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\LocalPoliciesSecurityOptions", "MicrosoftNetworkClient_DigitallySignCommunicationsAlways", "client.RequireSecuritySignature", RegistryLocationKind.PolicyManager)]
    [InlineData(@"HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\LanmanWorkstation", "EnableInsecureGuestLogons", "client.AllowInsecureGuestAuth", RegistryLocationKind.PolicyManager)]
    public void FindByRegistry_AnySpelling_FindsSettingAndLocationKind(string key, string valueName, string expectedId, RegistryLocationKind expectedKind)
    {
        RegistryMatch? match = s_catalog.FindByRegistry(key, valueName);

        Assert.NotNull(match);
        Assert.Equal(expectedId, match.Setting.Id);
        Assert.Equal(expectedKind, match.Location.Kind);
    }

    [Theory]
    [InlineData(@"HKLM\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters", "NoSuchValue")]
    [InlineData(@"HKCU\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters", "RequireSecuritySignature")]
    [InlineData(@"HKLM\SYSTEM\CurrentControlSet\Services\LanmanWorkstation", "RequireSecuritySignature")]
    public void FindByRegistry_WrongKeyOrValue_ReturnsNull(string key, string valueName)
    {
        Assert.Null(s_catalog.FindByRegistry(key, valueName));
    }

    [Theory]
    [InlineData(@"MACHINE\System\CurrentControlSet\Services\LanmanWorkstation\Parameters\RequireSecuritySignature", "client.RequireSecuritySignature")]
    [InlineData(@"MACHINE\System\CurrentControlSet\Services\LanManServer\Parameters\NullSessionPipes", "server.NullSessionPipes")]
    [InlineData(@"HKLM\Software\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths\\\*\NETLOGON", "client.HardenedPaths.NETLOGON")]
    public void FindByRegistryPath_JoinedKeyAndValue(string path, string expectedId)
    {
        Assert.Equal(expectedId, s_catalog.FindByRegistryPath(path)?.Setting.Id);
    }

    [Theory]
    [InlineData("./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/MicrosoftNetworkServer_DigitallySignCommunicationsAlways", "server.RequireSecuritySignature")]
    [InlineData("./Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/MicrosoftNetworkClient_DigitallySignCommunicationsIfServerAgrees", "client.EnableSecuritySignature")]
    [InlineData("LanmanWorkstation/EnableInsecureGuestLogons", "client.AllowInsecureGuestAuth")]
    [InlineData("NetworkSecurity_LANManagerAuthenticationLevel", "system.LmCompatibilityLevel")]
    [InlineData("MSSecurityGuide/ConfigureSMBV1Server", "server.SMB1")]
    public void FindByCspUri_FullPartialOrNode(string uri, string expectedId)
    {
        Assert.Equal(expectedId, s_catalog.FindByCspUri(uri)?.Id);
    }

    [Theory]
    [InlineData("device_vendor_msft_policy_config_localpoliciessecurityoptions_microsoftnetworkclient_digitallysigncommunicationsalways", "client.RequireSecuritySignature", null)]
    [InlineData("device_vendor_msft_policy_config_localpoliciessecurityoptions_microsoftnetworkclient_digitallysigncommunicationsalways_1", "client.RequireSecuritySignature", "1")]
    [InlineData("device_vendor_msft_policy_config_lanmanserver_minsmb2dialect_768", "server.MinSmb2Dialect", "768")]
    [InlineData("device_vendor_msft_policy_config_mssecurityguide_configuresmbv1clientdriver_pol_secguide_smb1clientdriver_4", "client.Smb1Driver", "4")]
    [InlineData("device_vendor_msft_policy_config_mssecurityguide_configuresmbv1clientdriver_1", "client.Smb1Driver", null)]
    [InlineData("device_vendor_msft_policy_config_localpoliciessecurityoptions_networksecurity_lanmanagerauthenticationlevel_5", "system.LmCompatibilityLevel", "5")]
    [InlineData("device_vendor_msft_policy_config_connectivity_hardeneduncpaths_pol_hardenedpaths_key", "client.HardenedPaths.NETLOGON", null)]
    public void FindBySettingsCatalogId_DefinitionOptionOrChild(string id, string expectedId, string? expectedValue)
    {
        SettingsCatalogMatch? match = s_catalog.FindBySettingsCatalogId(id);

        Assert.NotNull(match);
        Assert.Equal(expectedId, match.Setting.Id);
        Assert.Equal(expectedValue, match.Value);
    }

    [Fact]
    public void FindByPowerShellProperty_SideDisambiguates()
    {
        Assert.Equal(2, s_catalog.FindByPowerShellProperty("EnableSecuritySignature").Count);
        Assert.Equal("client.EnableSecuritySignature", Assert.Single(s_catalog.FindByPowerShellProperty("enablesecuritysignature", SettingSide.Client)).Id);
        Assert.Equal("client.AllowInsecureGuestAuth", Assert.Single(s_catalog.FindByPowerShellProperty("EnableInsecureGuestLogons")).Id);
        Assert.Equal("server.AutoDisconnect", Assert.Single(s_catalog.FindByPowerShellProperty("AutoDisconnectTimeout")).Id);
    }

    [Fact]
    public void FindBySmbConfParameter_IgnoresSpacesAndCase()
    {
        string[] ids = [.. s_catalog.FindBySmbConfParameter("Server  Signing").Select(s => s.Id)];

        Assert.Equal(["server.RequireSecuritySignature", "server.EnableSecuritySignature"], ids);
        Assert.Equal(["server.MinSmb2Dialect", "server.SMB1"], s_catalog.FindBySmbConfParameter("server min protocol").Select(s => s.Id).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [InlineData("Microsoft network client: Digitally sign communications (always)", null, "client.RequireSecuritySignature")]
    [InlineData("RequireSecuritySignature", SettingSide.Server, "server.RequireSecuritySignature")]
    [InlineData("EnableInsecureGuestLogons", null, "client.AllowInsecureGuestAuth")]
    [InlineData("client signing", null, "client.RequireSecuritySignature,client.EnableSecuritySignature")]
    [InlineData("serversigning", null, "server.RequireSecuritySignature,server.EnableSecuritySignature")]
    [InlineData("signing_required", null, "client.RequireSecuritySignature")]
    [InlineData("Hardened UNC Paths", null, "client.HardenedPaths.NETLOGON,client.HardenedPaths.SYSVOL")]
    [InlineData(@"HKLM\SYSTEM\CurrentControlSet\Control\Lsa\LmCompatibilityLevel", null, "system.LmCompatibilityLevel")]
    [InlineData("MicrosoftNetworkServer_ServerSPNTargetNameValidationLevel", null, "server.SmbServerNameHardeningLevel")]
    [InlineData("SMB1", null, "server.SMB1")]
    public void Find_AnyIdentity(string query, SettingSide? side, string expectedIds)
    {
        Assert.Equal(expectedIds.Split(','), s_catalog.Find(query, side).Select(s => s.Id).ToArray());
    }

    [Fact]
    public void Find_ValueNameOnBothSides_ReturnsBoth()
    {
        Assert.Equal(2, s_catalog.Find("RequireSecuritySignature").Count);
    }

    [Theory]
    [InlineData("RequireSecuritySignatur", "client.RequireSecuritySignature")]
    [InlineData("AllowInsecureGuestAuh", "client.AllowInsecureGuestAuth")]
    [InlineData("LmCompatibiltyLevel", "system.LmCompatibilityLevel")]
    [InlineData("mailslot", "client.EnableMailslots")]
    [InlineData("server signin", "server.EnableSecuritySignature")]
    public void Suggest_Typos_FindsIntendedSetting(string query, string expected)
    {
        Assert.Contains(expected, s_catalog.Suggest(query, max: 5));
    }

    [Fact]
    public void Suggest_Nonsense_ReturnsNothing()
    {
        Assert.Empty(s_catalog.Suggest("qqqqqqqqqqqqqqqqqqq"));
    }

    [Theory]
    [InlineData(@"HKLM\SYSTEM\ControlSet002\Services\X", @"SYSTEM\CurrentControlSet\Services\X")]
    [InlineData(@"HKEY_LOCAL_MACHINE\\Software//Policies\", @"Software\Policies")]
    [InlineData(@"Registry::HKEY_LOCAL_MACHINE\SOFTWARE", "SOFTWARE")]
    [InlineData("HKLM", "")]
    public void RegistryPath_NormalizeKey(string key, string expected)
    {
        Assert.Equal(expected, RegistryPath.NormalizeKey(key));
    }

    [Fact]
    public void SettingDefinition_ExposesEveryChannel()
    {
        SettingDefinition s = s_catalog["client.RequireSecuritySignature"];

        Assert.Equal(GpoKind.SecurityOption, s.Gpo!.Kind);
        Assert.Equal("int", s.Csp!.DataType);
        Assert.Equal("LocalPoliciesSecurityOptions", s.Csp.Area);
        Assert.Equal("device_vendor_msft_policy_config_localpoliciessecurityoptions_microsoftnetworkclient_digitallysigncommunicationsalways_1", s.SettingsCatalog!.OptionFor(SettingValue.FromNumber(1)));
        Assert.Equal("Set-SmbClientConfiguration", s.PowerShell!.Cmdlet);
        Assert.Equal("client signing", s.Samba!.Parameter);
        Assert.Equal(1, s.Samba.Find("mandatory")!.Value);
        Assert.Equal("signing_required", s.MacOs!.Parameter);
        Assert.Contains(s.Cis, c => c.Item == "2.3.8.1");
        Assert.Null(s.PolicyKey);
        Assert.Equal(s.Registry, s.ServiceKey);
        Assert.Contains(s.AllRegistryLocations, l => l.Kind == RegistryLocationKind.PolicyManager);
    }

    [Fact]
    public void SettingDefinition_PolicyAndServiceKeyForms()
    {
        SettingDefinition s = s_catalog["client.AllowInsecureGuestAuth"];

        Assert.Equal(@"HKLM\SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation", s.PolicyKey!.Key);
        Assert.Equal(@"HKLM\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters", s.ServiceKey!.Key);
        Assert.Equal(@"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation", s.Registry.KeyWithoutHive);
    }

    [Theory]
    [InlineData("client.RequireSecuritySignature", "enabled", 1L)]
    [InlineData("client.RequireSecuritySignature", "FALSE", 0L)]
    [InlineData("client.MinSmb2Dialect", "3.1.1", 785L)]
    [InlineData("client.MinSmb2Dialect", "SMB3_00", 768L)]
    [InlineData("server.AutoDisconnect", "0x0F", 15L)]
    [InlineData("system.LmCompatibilityLevel", "5", 5L)]
    public void ValueSpec_TryParse_AcceptsUserSpellings(string id, string text, long expected)
    {
        Assert.True(s_catalog[id].Values.TryParse(text, out SettingValue value, out string error), error);
        Assert.Equal(expected, value.Number);
    }

    [Theory]
    [InlineData("switch with a word", "client.RequireSecuritySignature", "maybe", "not a switch value")]
    [InlineData("switch out of range", "client.RequireSecuritySignature", "2", "not a switch value")]
    [InlineData("dialect 1.0", "client.MinSmb2Dialect", "smb1", "not an SMB2/3 dialect")]
    [InlineData("level 6", "system.LmCompatibilityLevel", "6", "not an accepted value")]
    [InlineData("negative minutes", "server.AutoDisconnect", "-1", "out of range")]
    [InlineData("hardened flag typo", "client.HardenedPaths.SYSVOL", "RequireIntegrty=1", "unknown Hardened UNC Paths flag")]
    public void ValueSpec_TryParse_RejectsWithReason(string description, string id, string text, string expectedError)
    {
        Assert.False(s_catalog[id].Values.TryParse(text, out _, out string error), description);
        Assert.Contains(expectedError, error, StringComparison.Ordinal);
    }
}
