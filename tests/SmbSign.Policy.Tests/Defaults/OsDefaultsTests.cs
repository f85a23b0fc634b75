using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Protocol;

namespace SmbSign.Policy.Tests.Defaults;

// Source: docs/reference/policy.md §4 (Ned Pyle's 24H2 / Server 2025 posts; Default Domain Controllers Policy).
public sealed class OsDefaultsTests
{
    private static readonly SettingsCatalog s_catalog = SettingsCatalog.Default;

    [Theory]
    [InlineData("win10", 0, 1, 0, 0)]
    [InlineData("win10-enterprise", 0, 1, 0, 0)]
    [InlineData("win11-23h2", 0, 1, 0, 0)]
    [InlineData("win11-24h2-home", 0, 1, 0, 0)]
    [InlineData("win11-24h2-pro", 1, 1, 1, 1)]
    [InlineData("win11-24h2-enterprise", 1, 1, 1, 1)]
    [InlineData("win11-24h2-education", 1, 1, 1, 1)]
    [InlineData("server2016", 0, 1, 0, 0)]
    [InlineData("server2019", 0, 1, 0, 0)]
    [InlineData("server2022", 0, 1, 0, 0)]
    [InlineData("server2025", 1, 1, 0, 0)]
    public void Resolve_SigningDefaults_PerOsProfile(string profileId, long clientRequire, long clientEnable, long serverRequire, long serverEnable)
    {
        OsProfile os = OsProfiles.Get(profileId);

        Assert.Equal(clientRequire, Default("client.RequireSecuritySignature", os));
        Assert.Equal(clientEnable, Default("client.EnableSecuritySignature", os));
        Assert.Equal(serverRequire, Default("server.RequireSecuritySignature", os));
        Assert.Equal(serverEnable, Default("server.EnableSecuritySignature", os));
    }

    [Theory]
    [InlineData("server2016")]
    [InlineData("server2022")]
    [InlineData("server2025")]
    public void Resolve_DomainController_RequiresServerSigningViaDefaultDomainControllersPolicy(string profileId)
    {
        OsProfile dc = OsProfiles.Get(profileId).WithRole(OsRole.DomainController);

        DefaultValue require = s_catalog.GetDefault("server.RequireSecuritySignature", dc);
        DefaultValue enable = s_catalog.GetDefault("server.EnableSecuritySignature", dc);

        Assert.Equal(1, require.Value!.Number);
        Assert.Equal(1, enable.Value!.Number);
        Assert.Contains("Default Domain Controllers Policy", require.Provenance, StringComparison.Ordinal);
        Assert.Contains("(domain controller)", require.Provenance, StringComparison.Ordinal);
        Assert.Equal(["netlogon", "samr", "lsarpc"], s_catalog.GetDefault("server.NullSessionPipes", dc).Value!.Items.ToArray());
        Assert.Empty(s_catalog.GetDefault("server.NullSessionPipes", OsProfiles.Get(profileId)).Value!.Items);
    }

    [Fact]
    public void Resolve_Server2025DomainController_RequiresBothDirections()
    {
        OsProfile dc = OsProfiles.Get("server2025").WithRole(OsRole.DomainController);

        Assert.Equal(1, Default("client.RequireSecuritySignature", dc));
        Assert.Equal(1, Default("server.RequireSecuritySignature", dc));
    }

    [Fact]
    public void WithRole_DomainControllerOnAClient_Throws()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => OsProfiles.Get("win11-24h2-pro").WithRole(OsRole.DomainController));

        Assert.Contains("cannot be a domain controller", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("win10", 1)]
    [InlineData("win10-enterprise", 0)]
    [InlineData("win11-23h2", 1)]
    [InlineData("win11-23h2-enterprise", 0)]
    [InlineData("win11-24h2-home", 1)]
    [InlineData("win11-24h2-pro", 0)]
    [InlineData("win11-24h2-enterprise", 0)]
    [InlineData("win11-24h2-education", 0)]
    [InlineData("server2016", 1)]
    [InlineData("server2019", 0)]
    [InlineData("server2022", 0)]
    [InlineData("server2025", 0)]
    public void Resolve_InsecureGuestDefault_PerOsProfile(string profileId, long expected)
    {
        Assert.Equal(expected, Default("client.AllowInsecureGuestAuth", OsProfiles.Get(profileId)));
    }

    [Theory]
    [InlineData("system.LmCompatibilityLevel", 3)]
    [InlineData("server.AutoDisconnect", 15)]
    [InlineData("server.EnableForcedLogoff", 1)]
    [InlineData("server.SmbServerNameHardeningLevel", 0)]
    [InlineData("client.EnablePlainTextPassword", 0)]
    [InlineData("client.MinSmb2Dialect", 514)]
    [InlineData("client.MaxSmb2Dialect", 785)]
    [InlineData("client.RequireEncryption", 0)]
    [InlineData("server.RestrictNullSessAccess", 1)]
    public void Resolve_SameOnEveryWindowsProfile(string settingId, long expected)
    {
        foreach (OsProfile os in OsProfiles.All.Where(p => p.IsWindows))
        {
            Assert.Equal(expected, Default(settingId, os));
        }
    }

    [Theory]
    [InlineData("win10", null)]
    [InlineData("server2022", null)]
    [InlineData("win11-24h2-pro", 0L)]
    [InlineData("server2025", 0L)]
    public void Resolve_24H2AuditSwitch_ExistsOnlyFrom24H2(string profileId, long? expected)
    {
        DefaultValue value = s_catalog.GetDefault("server.AuditClientDoesNotSupportSigning", OsProfiles.Get(profileId));

        Assert.Equal(expected, value.Value?.Number);
        Assert.NotNull(value.Rule);
    }

    [Fact]
    public void Resolve_HardenedPathsDefault_RequiresIntegrityOnWindows()
    {
        DefaultValue value = s_catalog.GetDefault("client.HardenedPaths.SYSVOL", OsProfiles.Get("win10"));

        Assert.True(HardenedPathValue.TryParse(value.Value!.Text!, out HardenedPathValue? flags, out _));
        Assert.True(flags.RequiresSigning);
        Assert.True(flags.RequireMutualAuthentication);
        Assert.Equal(Confidence.Unconfirmed, value.Rule!.Confidence);
    }

    [Fact]
    public void Resolve_EveryDefault_CarriesProvenance()
    {
        foreach (SettingDefinition setting in s_catalog.Settings)
        {
            foreach (OsProfile os in OsProfiles.All.Where(p => p.IsWindows))
            {
                DefaultValue value = OsDefaults.Resolve(setting, os);
                Assert.False(string.IsNullOrWhiteSpace(value.Rule?.Source), $"{setting.Id} on {os.Id}");
                Assert.StartsWith("default for " + os.Id, value.Provenance, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Resolve_SambaServerSigning_DependsOnRole()
    {
        OsProfile samba = OsProfiles.Get("samba");

        Assert.Equal(0, Default("server.RequireSecuritySignature", samba));
        Assert.Equal(1, Default("server.RequireSecuritySignature", samba.WithRole(OsRole.DomainController)));
    }

    [Fact]
    public void OsProfiles_ListsRequiredIds()
    {
        string[] required = ["win10", "win11-23h2", "win11-24h2-home", "win11-24h2-pro", "win11-24h2-enterprise", "win11-24h2-education", "server2016", "server2019", "server2022", "server2025"];

        Assert.All(required, id => Assert.True(OsProfiles.TryGet(id, out _), id));
        Assert.Equal(OsProfiles.All.Length, OsProfiles.Ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void OsProfiles_IdsWrittenOutForHelp_AreTheFilesIdsInOrder()
    {
        // Help text lists OsProfiles.Ids without loading the file; the two must never drift apart.
        Assert.Equal(OsProfiles.All.Select(p => p.Id), OsProfiles.Ids);
        Assert.Equal("win11-24h2-pro", OsProfiles.DefaultClient.Id);
        Assert.Equal(OsProfiles.DefaultClientId, OsProfiles.DefaultClient.Id);
        Assert.Equal(OsProfiles.DefaultServerId, OsProfiles.DefaultServer.Id);
    }

    [Fact]
    public void OsProfiles_UnknownId_ListsKnownIds()
    {
        KeyNotFoundException error = Assert.Throws<KeyNotFoundException>(() => OsProfiles.Get("win12"));

        Assert.Contains("win11-24h2-pro", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("win10")]
    [InlineData("server2016")]
    [InlineData("server2019")]
    public void OsProfiles_PreGmacWindows_OfferNoSigningCapabilities(string profileId)
    {
        Assert.Empty(OsProfiles.Get(profileId).SigningAlgorithms);
    }

    [Fact]
    public void OsProfiles_Samba_OffersGmacCmacHmacInServerOrder()
    {
        OsProfile samba = OsProfiles.Get("samba");

        Assert.Equal([SigningAlgorithm.AesGmac, SigningAlgorithm.AesCmac, SigningAlgorithm.HmacSha256], samba.SigningAlgorithms.ToArray());
        Assert.Equal(AlgorithmSelection.ServerOrder, samba.AlgorithmSelection);
    }

    private static long? Default(string settingId, OsProfile os) => s_catalog.GetDefault(settingId, os).Value?.Number;
}
