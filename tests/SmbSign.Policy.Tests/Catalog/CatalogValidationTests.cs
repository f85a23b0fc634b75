using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Catalog;

public sealed class CatalogValidationTests
{
    private static readonly SettingsCatalog s_catalog = SettingsCatalog.Default;

    [Fact]
    public void Validate_EmbeddedCatalog_HasNoProblems()
    {
        IReadOnlyList<string> problems = CatalogValidator.Validate(s_catalog, OsProfiles.All);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("client.RequireSecuritySignature")]
    [InlineData("client.EnableSecuritySignature")]
    [InlineData("server.RequireSecuritySignature")]
    [InlineData("server.EnableSecuritySignature")]
    [InlineData("client.EnablePlainTextPassword")]
    [InlineData("client.AllowInsecureGuestAuth")]
    [InlineData("client.HardenedPaths.NETLOGON")]
    [InlineData("client.HardenedPaths.SYSVOL")]
    [InlineData("client.Smb1Driver")]
    [InlineData("server.SMB1")]
    [InlineData("client.MinSmb2Dialect")]
    [InlineData("client.MaxSmb2Dialect")]
    [InlineData("server.MinSmb2Dialect")]
    [InlineData("server.MaxSmb2Dialect")]
    [InlineData("client.RequireEncryption")]
    [InlineData("client.AuditInsecureGuestLogon")]
    [InlineData("client.AuditServerDoesNotSupportEncryption")]
    [InlineData("client.AuditServerDoesNotSupportSigning")]
    [InlineData("server.AuditClientDoesNotSupportEncryption")]
    [InlineData("server.AuditClientDoesNotSupportSigning")]
    [InlineData("server.AuditInsecureGuestLogon")]
    [InlineData("server.AutoDisconnect")]
    [InlineData("server.SmbServerNameHardeningLevel")]
    [InlineData("system.LmCompatibilityLevel")]
    [InlineData("server.RestrictNullSessAccess")]
    [InlineData("server.EnableForcedLogoff")]
    [InlineData("client.EnableMailslots")]
    [InlineData("server.EnableMailslots")]
    [InlineData("server.EnableAuthRateLimiter")]
    [InlineData("server.InvalidAuthenticationDelayTimeInMs")]
    [InlineData("server.NullSessionPipes")]
    [InlineData("server.NullSessionShares")]
    public void Catalog_RequiredSetting_IsPresentWithRegistryAndDefaults(string id)
    {
        SettingDefinition setting = s_catalog[id];

        Assert.StartsWith("HKLM\\", setting.Registry.Key, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(setting.ValueName));
        Assert.NotEmpty(setting.Defaults);
        Assert.NotNull(OsDefaults.Resolve(setting, OsProfiles.Get("win11-24h2-pro")).Rule);
    }

    [Fact]
    public void Catalog_Ids_AreUniqueCaseInsensitively()
    {
        var ids = s_catalog.Settings.Select(s => s.Id).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Catalog_RegistryTypes_AreKnownAndExplicit()
    {
        foreach (SettingDefinition setting in s_catalog.Settings)
        {
            Assert.True(Enum.IsDefined(setting.ValueType), setting.Id);
        }

        Assert.Equal(RegistryValueType.MultiString, s_catalog["server.NullSessionShares"].ValueType);
        Assert.Equal(RegistryValueType.MultiString, s_catalog["server.NullSessionPipes"].ValueType);
        Assert.Equal(RegistryValueType.String, s_catalog["client.HardenedPaths.SYSVOL"].ValueType);
        Assert.Equal(RegistryValueType.DWord, s_catalog["client.RequireSecuritySignature"].ValueType);
    }

    [Theory]
    [InlineData("client.EnableSecuritySignature", DialectScope.Smb1Only)]
    [InlineData("server.EnableSecuritySignature", DialectScope.Smb1Only)]
    [InlineData("client.RequireSecuritySignature", DialectScope.All)]
    [InlineData("server.RequireSecuritySignature", DialectScope.All)]
    [InlineData("client.AllowInsecureGuestAuth", DialectScope.Smb2Plus)]
    public void Catalog_Dialects_MatchTheSpecification(string id, DialectScope expected)
    {
        Assert.Equal(expected, s_catalog[id].Dialects);
    }

    [Fact]
    public void Validate_BrokenCatalog_ReportsEveryProblem()
    {
        const string json = """
            {
              "schemaVersion": 1,
              "settings": [
                {
                  "id": "client.A", "side": "client", "title": "A", "summary": "a",
                  "registry": { "key": "HKLM\\SYSTEM\\X", "value": "V", "type": "REG_SZ" },
                  "values": { "kind": "boolean" },
                  "dialects": "all",
                  "defaults": [ { "when": { "family": ["windowsClient"] }, "value": 7, "source": "", "confidence": "doc" } ]
                },
                {
                  "id": "client.A", "side": "server", "title": "B", "summary": "b",
                  "registry": { "key": "HKLM\\SYSTEM\\X", "value": "v", "type": "REG_DWORD" },
                  "values": { "kind": "boolean" },
                  "dialects": "all",
                  "defaults": []
                }
              ]
            }
            """;
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        SettingsCatalog broken = SettingsCatalog.Load(stream, "broken.json");

        IReadOnlyList<string> problems = CatalogValidator.Validate(broken, OsProfiles.All);

        Assert.True(problems.Any(p => p.Contains("duplicate id", StringComparison.Ordinal)), string.Join(Environment.NewLine, problems));
        Assert.Contains(problems, p => p.Contains("must be stored as REG_DWORD", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("has no source", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("7 is not one of 0, 1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("also claimed by client.A", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("has no default rules", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("should start with 'server.'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("no default rule matches OS profile server2025", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("unknown member", """{ "schemaVersion": 1, "settings": [], "extra": 1 }""", "extra")]
    [InlineData("wrong schema", """{ "schemaVersion": 2, "settings": [] }""", "schemaVersion 2")]
    [InlineData("not json", """{ "schemaVersion": 1, """, "broken.json")]
    [InlineData("bad registry type", """{ "schemaVersion": 1, "settings": [ { "id": "client.A", "side": "client", "title": "A", "summary": "a", "registry": { "key": "HKLM\\X", "value": "V", "type": "REG_FOO" }, "values": { "kind": "boolean" }, "dialects": "all", "defaults": [] } ] }""", "REG_FOO")]
    public void Load_MalformedCatalog_ThrowsInvalidDataNamingTheProblem(string description, string json, string expected)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => SettingsCatalog.Load(stream, "broken.json"));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{description}: {error.Message}");
    }
}
