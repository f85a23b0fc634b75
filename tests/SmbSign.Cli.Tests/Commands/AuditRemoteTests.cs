using System.Text;
using SmbSign.Cli.Commands;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Wire.Rpc;

namespace SmbSign.Cli.Tests.Commands;

/// <summary>The pure parts of <c>audit --remote</c>: what is read, and which OS profile the identity values name.</summary>
public sealed class AuditRemoteTests
{
    [Theory]
    [InlineData("26100", "Professional", "Client", "WinNT", "win11-24h2-pro", OsRole.Workstation)]
    [InlineData("26100", "Enterprise", "Client", "WinNT", "win11-24h2-enterprise", OsRole.Workstation)]
    [InlineData("22631", "Professional", "Client", "WinNT", "win11-23h2", OsRole.Workstation)]
    [InlineData("19045", "Enterprise", "Client", "WinNT", "win10-enterprise", OsRole.Workstation)]
    [InlineData("20348", "ServerStandard", "Server", "ServerNT", "server2022", OsRole.MemberServer)]
    [InlineData("17763", "ServerDatacenter", "Server Core", "LanmanNT", "server2019", OsRole.DomainController)]
    public void OsIdentity_KnownBuild_Profile(string build, string edition, string installation, string productType, string expected, OsRole role)
    {
        var identity = new OsIdentity("Windows", edition, build, null, installation, productType);

        OsProfile? profile = identity.ToProfile(out string explanation);

        Assert.Equal(expected, profile?.Id);
        Assert.Equal(role, identity.Role);
        Assert.Contains(build, explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "ServerNT")] // Samba: no CurrentBuild
    [InlineData("9200", "ServerNT")] // Windows Server 2012: no profile
    [InlineData("26100", "WinNT")] // client without EditionID
    public void OsIdentity_UnknownOrIncomplete_NoProfileAndSaysWhy(string? build, string productType)
    {
        var identity = new OsIdentity(null, null, build, null, null, productType);

        Assert.Null(identity.ToProfile(out string explanation));
        Assert.Contains("ProductType '" + productType + "'", explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void OsIdentity_ReadFromRegistryStrings()
    {
        static RemoteRegistryEntry Sz(string key, string name, string text) => new(key, name, 1, Encoding.Unicode.GetBytes(text + "\0"));
        OsIdentity identity = OsIdentity.From(
        [
            Sz(AuditRemote.CurrentVersionKey, "CurrentBuild", "26100"),
            Sz(AuditRemote.CurrentVersionKey, "EditionID", "Education"),
            Sz(AuditRemote.ProductOptionsKey, "ProductType", "WinNT"),
        ]);

        Assert.Equal("win11-24h2-education", identity.ToProfile(out _)?.Id);
    }

    [Fact]
    public void BuildQuery_EveryCatalogLocationAndTheIdentity()
    {
        SettingsCatalog catalog = SettingsCatalog.Default;

        IReadOnlyList<RemoteKeyQuery> query = AuditRemote.BuildQuery(catalog);

        foreach (RegistryLocation location in catalog.Settings.SelectMany(s => s.AllRegistryLocations))
        {
            RemoteKeyQuery key = Assert.Single(query, q => RegistryPath.KeysEqual(q.Key, location.Key));
            Assert.True(key.AllValues || key.ValueNames.Contains(location.ValueName, StringComparer.OrdinalIgnoreCase), location.FullPath);
        }

        Assert.True(Assert.Single(query, q => q.Key.EndsWith(@"NetworkProvider\HardenedPaths", StringComparison.OrdinalIgnoreCase)).AllValues);
        Assert.Equal(["CurrentBuild", "DisplayVersion", "EditionID", "InstallationType", "ProductName"], Assert.Single(query, q => q.Key == AuditRemote.CurrentVersionKey).ValueNames);
        Assert.Contains("ProductType", Assert.Single(query, q => q.Key == AuditRemote.ProductOptionsKey).ValueNames);
    }
}
