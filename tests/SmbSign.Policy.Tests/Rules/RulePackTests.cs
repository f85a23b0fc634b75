using System.Text;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;
using SmbSign.Testing;

namespace SmbSign.Policy.Tests.Rules;

public sealed class RulePackTests
{
    private static readonly string[] s_expectedIds =
        ["cis-intune-windows", "cis-server2022", "cis-server2022-v4", "cis-server2025", "cis-win11-23h2", "cis-win11-24h2", "msft-win11-24h2"];

    [Fact]
    public void BuiltIn_EveryGeneration_IsEmbedded()
    {
        Assert.Equal(s_expectedIds, RulePacks.Ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BuiltIn_EveryPack_PassesValidation()
    {
        foreach (RulePack pack in RulePacks.BuiltIn)
        {
            IReadOnlyList<RulePackProblem> problems = RulePackValidator.Validate(pack);
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }
    }

    [Fact]
    public void BuiltIn_RuleIds_AreUniqueWithinEachPack()
    {
        foreach (RulePack pack in RulePacks.BuiltIn)
        {
            string[] duplicates = [.. pack.Rules.GroupBy(r => r.Id, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key)];
            Assert.True(duplicates.Length == 0, $"{pack.Id}: duplicate ids {string.Join(", ", duplicates)}");
        }
    }

    [Fact]
    public void BuiltIn_EveryRule_NamesACatalogSettingWithItsExplicitType()
    {
        SettingsCatalog catalog = SettingsCatalog.Default;
        foreach (RulePack pack in RulePacks.BuiltIn)
        {
            foreach (AuditRule rule in pack.Rules)
            {
                Assert.True(catalog.TryGetById(rule.Setting.Id, out SettingDefinition? setting), $"{pack.Id} {rule.Id}: {rule.Setting.Id}");
                Assert.Equal(setting.ValueType, rule.Registry.Type);
                RegistryMatch? match = catalog.FindByRegistry(rule.Registry.Key, rule.Registry.ValueName);
                Assert.NotNull(match);
                Assert.Equal(setting.Id, match.Setting.Id);
                Assert.True(match.Location.Kind is RegistryLocationKind.Service or RegistryLocationKind.Policy, $"{pack.Id} {rule.Id}: {match.Location.Kind}");
                Assert.True(Enum.IsDefined(rule.Operator), $"{pack.Id} {rule.Id}");
            }
        }
    }

    [Fact]
    public void BuiltIn_CisPacks_CarryLevels_AndTheBaselineDoesNot()
    {
        foreach (RulePack pack in RulePacks.BuiltIn)
        {
            bool cis = pack.Publisher == "CIS";
            Assert.All(pack.Rules, r => Assert.Equal(cis, r.Level != BenchmarkLevel.None));
            Assert.All(pack.Rules, r => Assert.Equal(cis, r.Item is not null));
        }
    }

    [Fact]
    public void BuiltIn_ShippedFiles_AreTheEmbeddedPacks()
    {
        // The rules/ folder at the repository root is what the build embeds: every file loads to an embedded pack.
        string folder = Path.Combine(TestPaths.RepositoryRoot, "rules");
        string[] files = Directory.GetFiles(folder, "*.json");
        Assert.Equal(RulePacks.BuiltIn.Length, files.Length);
        foreach (string file in files)
        {
            RulePackLoadResult result = RulePackLoader.LoadFile(file);
            Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
            Assert.True(RulePacks.TryGet(result.Pack!.Id, out RulePack? embedded));
            Assert.Equal(embedded.Rules.Select(r => r.Id), result.Pack.Rules.Select(r => r.Id));
        }
    }

    [Theory]
    [InlineData("win10", "cis-win11-23h2")]
    [InlineData("win10-enterprise", "cis-win11-23h2")]
    [InlineData("win11-23h2", "cis-win11-23h2")]
    [InlineData("win11-24h2-home", "cis-win11-24h2")]
    [InlineData("win11-24h2-enterprise", "cis-win11-24h2")]
    [InlineData("server2016", "cis-server2022")]
    [InlineData("server2019", "cis-server2022")]
    [InlineData("server2022", "cis-server2022")]
    [InlineData("server2025", "cis-server2025")]
    [InlineData("samba", "cis-server2025")]
    public void DefaultFor_OsProfile_PicksTheGenerationOfThatOs(string os, string expected)
    {
        RulePack? pack = RulePacks.DefaultFor(OsProfiles.Get(os));

        Assert.NotNull(pack);
        Assert.Equal(expected, pack.Id);
    }

    [Fact]
    public void Load_HardenedUncRule_KeepsExpectedAsParsedFlags()
    {
        RulePacks.TryGet("cis-win11-24h2", out RulePack? pack);

        AuditRule rule = pack!.Rules.Single(r => r.Id == "18.6.14.1-NETLOGON");

        Assert.Equal(RuleOperator.HardenedUncFlags, rule.Operator);
        Assert.Equal(RegistryValueType.String, rule.Registry.Type);
        Assert.True(HardenedPathValue.TryParse(rule.Target.Text!, out HardenedPathValue? flags, out _));
        Assert.Equal(new HardenedPathValue(true, true, true), flags);
    }

    public static TheoryData<string, string, string> MalformedPacks => new()
    {
        { "invalid JSON", "{ \"schemaVersion\": 1, \"id\": ", "invalid rule pack JSON" },
        { "unknown property", Pack(Rule()).Replace("\"title\": \"t\"", "\"titel\": \"t\"", StringComparison.Ordinal), "invalid rule pack JSON" },
        { "schema version", Pack(Rule()).Replace("\"schemaVersion\": 1", "\"schemaVersion\": 2", StringComparison.Ordinal), "schemaVersion 2 is not supported" },
        { "unknown setting", Pack(Rule(setting: "client.NoSuchThing")), "setting 'client.NoSuchThing' is not in the settings catalog" },
        { "unknown operator", Pack(Rule(op: "greater")), "unknown operator 'greater'" },
        { "type not explicit", Pack(Rule(type: "")), "is not explicit" },
        { "type differs from catalog", Pack(Rule(type: "REG_SZ", expected: "\"1\"")), "differs from the catalog's REG_DWORD" },
        { "expected of the wrong kind", Pack(Rule(expected: "\"1\"")), "does not fit REG_DWORD" },
        { "expected not a documented value", Pack(Rule(expected: "7")), "is not one of the documented values" },
        { "duplicate id", Pack(Rule(), Rule(setting: "client.EnableSecuritySignature", value: "EnableSecuritySignature")), "duplicate rule id" },
        { "value at a known misplacement", Pack(Rule(setting: "server.EnableMailslots", key: @"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\LanmanServer", value: "EnableMailslots", expected: "0")), "KnownMisplacement location" },
        { "registry of another setting", Pack(Rule(setting: "client.EnableSecuritySignature")), "belongs to 'client.RequireSecuritySignature'" },
        { "hardened paths compared as strings", Pack(Rule(setting: "client.HardenedPaths.SYSVOL", key: @"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths", value: @"\\\\*\\SYSVOL", type: "REG_SZ", expected: "\"RequireIntegrity=1\"")), "compare it with hardened-unc-flags" },
        { "at-least on a string", Pack(Rule(setting: "client.HardenedPaths.SYSVOL", key: @"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths", value: @"\\\\*\\SYSVOL", type: "REG_SZ", op: "at-least", expected: "\"RequireIntegrity=1\"")), "compares numbers" },
        { "unknown role", Pack(Rule(extra: ", \"appliesTo\": { \"roles\": [\"kiosk\"] }")), "unknown role 'kiosk'" },
        { "smb1Only on a setting for all dialects", Pack(Rule(extra: ", \"appliesTo\": { \"smb1Only\": true }")), "smb1Only is set" },
        { "no rules", Pack(), "no usable rule" },
    };

    [Theory]
    [MemberData(nameof(MalformedPacks))]
    public void Load_MalformedPack_ReportsWhatWasExpected(string description, string json, string expectedProblem)
    {
        RulePackLoadResult result = RulePackLoader.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.json");

        Assert.False(result.IsValid, description);
        Assert.Contains(result.Problems, p => p.ToString().Contains(expectedProblem, StringComparison.Ordinal) && p.Origin == "test.json");
    }

    [Fact]
    public void Load_MinimalValidPack_Loads()
    {
        RulePackLoadResult result = RulePackLoader.Load(new MemoryStream(Encoding.UTF8.GetBytes(Pack(Rule()))), "test.json");

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
        Assert.Equal(SettingValue.FromNumber(1), result.Pack!.Rules.Single().Target);
    }

    private static string Pack(params string[] rules) =>
        "{ \"schemaVersion\": 1, \"id\": \"test\", \"title\": \"t\", \"publisher\": \"p\", \"version\": \"1\", \"generation\": \"g\", \"rules\": [" + string.Join(",", rules) + "] }";

    private static string Rule(
        string setting = "client.RequireSecuritySignature",
        string key = @"HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters",
        string value = "RequireSecuritySignature",
        string type = "REG_DWORD",
        string op = "equals",
        string expected = "1",
        string extra = "") =>
        $"{{ \"id\": \"1.1\", \"title\": \"t\", \"level\": \"L1\", \"setting\": \"{setting}\", \"registry\": {{ \"key\": \"{key}\", \"value\": \"{value}\", \"type\": \"{type}\" }}, \"operator\": \"{op}\", \"expected\": {expected}{extra} }}";
}
