using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Sources;

public sealed class SettingMapTests
{
    [Theory]
    [InlineData("device_vendor_msft_policy_config_localpoliciessecurityoptions_microsoftnetworkclient_digitallysigncommunicationsalways", @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters", "RequireSecuritySignature")]
    [InlineData("device_vendor_msft_policy_config_localpoliciessecurityoptions_microsoftnetworkserver_digitallysigncommunicationsalways", @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters", "RequireSecuritySignature")]
    [InlineData("device_vendor_msft_policy_config_lanmanworkstation_enableinsecureguestlogons", @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation", "AllowInsecureGuestAuth")]
    [InlineData("device_vendor_msft_policy_config_lanmanserver_enablemailslots", @"SOFTWARE\Policies\Microsoft\Windows\Bowser", "EnableMailslots")]
    [InlineData("device_vendor_msft_policy_config_lanmanworkstation_enablemailslots", @"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider", "EnableMailslots")]
    [InlineData("device_vendor_msft_policy_config_mssecurityguide_configuresmbv1clientdriver_pol_secguide_smb1clientdriver", @"SYSTEM\CurrentControlSet\Services\mrxsmb10", "Start")]
    [InlineData("device_vendor_msft_policy_config_lanmanserver_authratelimiterdelayinms", @"SOFTWARE\Policies\Microsoft\Windows\LanmanServer", "InvalidAuthenticationDelayTimeInMs")]
    public void FindCatalogId_DocumentedIds_MapToRegistry(string id, string key, string value)
    {
        SettingMapping? mapping = SettingMap.FindCatalogId(id);

        Assert.NotNull(mapping);
        Assert.Equal(new RegistryIdentity(key, value), mapping!.Identity);
    }

    [Theory]
    [InlineData(false, "RequireSecuritySignature", @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters", "RequireSecuritySignature")]
    [InlineData(true, "requireSecuritySignature", @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters", "RequireSecuritySignature")]
    [InlineData(true, "EnableSMB1Protocol", @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters", "SMB1")]
    [InlineData(true, "AutoDisconnectTimeout", @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters", "AutoDisconnect")]
    [InlineData(false, "EnableInsecureGuestLogons", @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation", "AllowInsecureGuestAuth")]
    public void FindPowerShell_DocumentedProperties_MapToRegistry(bool server, string property, string key, string value)
    {
        Assert.Equal(new RegistryIdentity(key, value), SettingMap.FindPowerShell(server, property)!.Identity);
    }

    [Theory]
    [InlineData("./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/MicrosoftNetworkClient_DigitallySignCommunicationsAlways")]
    [InlineData("./Vendor/MSFT/Policy/Config/localpoliciessecurityoptions/microsoftnetworkclient_digitallysigncommunicationsalways")]
    [InlineData("LocalPoliciesSecurityOptions/MicrosoftNetworkClient_DigitallySignCommunicationsAlways")]
    public void FindOmaUri_Spellings_FindTheSameRow(string uri)
    {
        Assert.Equal("RequireSecuritySignature", SettingMap.FindOmaUri(uri)!.ValueName);
    }

    [Fact]
    public void Entries_AreUniqueAndConsistent()
    {
        Assert.Equal(SettingMap.Entries.Count, SettingMap.Entries.Select(e => e.Identity).Distinct().Count());
        Assert.All(SettingMap.Entries, e => Assert.StartsWith("policy.md", e.Evidence, StringComparison.Ordinal));
        Assert.All(SettingMap.Entries.Where(e => e.CspNode is not null), e => Assert.StartsWith(SettingMap.CatalogPrefix, SettingMap.CatalogIdOf(e), StringComparison.Ordinal));
        Assert.Null(SettingMap.FindPowerShell(false, "AutoDisconnectTimeout"));
    }
}
