using System.Text;
using System.Text.Json;
using SmbSign.Policy.Catalog;

namespace SmbSign.Policy.Tests.Catalog;

// Cross-checks the catalog against real exports (TestData/README.md names the sources).
public sealed class CatalogRealDataTests
{
    private static readonly SettingsCatalog s_catalog = SettingsCatalog.Default;

    public static TheoryData<string> CsvFiles() => new()
    {
        "dev_cis_win11_enterprise_24h2_smb_rows_with_intune_columns.csv",
        "dev_cis_server2025_1.0.0_smb_rows_with_intune_columns.csv",
        "msft_baseline_win11_24h2_smb_rows.csv",
    };

    [Theory]
    [MemberData(nameof(CsvFiles))]
    public void FindByRegistry_EveryHardeningKittyRow_Resolves(string file)
    {
        List<Dictionary<string, string>> rows = ReadCsv(file);

        Assert.NotEmpty(rows);
        foreach (Dictionary<string, string> row in rows)
        {
            RegistryMatch? match = s_catalog.FindByRegistry(row["RegistryPath"], row["RegistryItem"]);
            Assert.True(match is not null, $"{file} {row["ID"]}: {row["RegistryPath"]}\\{row["RegistryItem"]}");
            if (row.TryGetValue("RecommendedValue", out string? recommended) && match.Location.Kind != RegistryLocationKind.KnownMisplacement
                && match.Setting.Values.Kind != ValueKind.HardenedPath)
            {
                Assert.True(match.Setting.Values.TryParse(recommended, out _, out string error), $"{row["ID"]}: {error}");
            }
        }
    }

    [Fact]
    public void FindByRegistry_MicrosoftBaselineMailslotRows_AreFlaggedAsMisplaced()
    {
        List<Dictionary<string, string>> rows = ReadCsv("msft_baseline_win11_24h2_smb_rows.csv");

        RegistryMatch[] mailslots = [.. rows.Where(r => r["RegistryItem"] == "EnableMailslots").Select(r => s_catalog.FindByRegistry(r["RegistryPath"], r["RegistryItem"])!)];

        Assert.Equal(2, mailslots.Length);
        Assert.All(mailslots, m => Assert.Equal(RegistryLocationKind.KnownMisplacement, m.Location.Kind));
    }

    [Theory]
    [InlineData("dev_cis_win11_enterprise_24h2_smb_rows_with_intune_columns.csv")]
    [InlineData("dev_cis_server2025_1.0.0_smb_rows_with_intune_columns.csv")]
    public void FindByRegistry_IntunePolicyManagerColumns_Resolve(string file)
    {
        foreach (Dictionary<string, string> row in ReadCsv(file).Where(r => r["RegistryPathDCP"].Length > 0))
        {
            RegistryMatch? match = s_catalog.FindByRegistry(row["RegistryPathDCP"], row["RegistryItemIntune"]);
            RegistryMatch? primary = s_catalog.FindByRegistry(row["RegistryPath"], row["RegistryItem"]);

            Assert.True(match is not null, $"{row["ID"]}: {row["RegistryPathDCP"]}\\{row["RegistryItemIntune"]}");
            Assert.Equal(RegistryLocationKind.PolicyManager, match.Location.Kind);
            Assert.StartsWith(primary!.Setting.Id.Split('.')[0] + "." + primary.Setting.Id.Split('.')[1], match.Setting.Id, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("dev_cis_win11_enterprise_24h2_smb_rows_with_intune_columns.csv")]
    [InlineData("dev_cis_server2025_1.0.0_smb_rows_with_intune_columns.csv")]
    public void CisItems_OfThe24H2Lists_AreInTheCatalog(string file)
    {
        foreach (Dictionary<string, string> row in ReadCsv(file))
        {
            RegistryMatch match = s_catalog.FindByRegistry(row["RegistryPath"], row["RegistryItem"])!;

            // The Server 2025 list repeats 18.6.7.3 for the rate limiter (docs/reference/policy.md §8.9); the catalog keeps the correct number and notes it.
            if (row["ID"] == "18.6.7.3" && row["RegistryItem"] == "EnableAuthRateLimiter")
            {
                Assert.Contains(match.Setting.Cis, c => c.Item == "18.6.7.4" && c.Note!.Contains("18.6.7.3", StringComparison.Ordinal));
                continue;
            }

            string id = row["ID"].StartsWith("18.6.14.1", StringComparison.Ordinal) ? "18.6.14.1" : row["ID"];
            Assert.True(match.Setting.Cis.Any(c => c.Item == id), $"{file}: {match.Setting.Id} lacks CIS {id}");
        }
    }

    [Theory]
    [InlineData("oib_settings_catalog_security_hardening_lanman_smbv1_subset.json")]
    [InlineData("oib_settings_catalog_local_security_policies_24h2_smb_subset.json")]
    public void FindBySettingsCatalogId_EveryOpenIntuneBaselineSetting_Resolves(string file)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", file), Encoding.UTF8));
        var ids = new List<string>();
        Collect(doc.RootElement, ids);
        string[] smbRelated = [.. ids.Where(i => !i.Contains("donotstorelanmanagerhash", StringComparison.Ordinal))];

        Assert.NotEmpty(smbRelated);
        foreach (string id in smbRelated)
        {
            SettingsCatalogMatch? match = s_catalog.FindBySettingsCatalogId(id);
            Assert.True(match is not null, $"{file}: {id}");
        }
    }

    [Fact]
    public void SettingsCatalogDefinitions_OptionIdsMatchPublishedDefinitions()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "intunedocs_setting_definitions_localpoliciessecurityoptions_smb.json"), Encoding.UTF8));

        int checkedCount = 0;
        foreach (JsonElement definition in doc.RootElement.GetProperty("definitions").EnumerateArray())
        {
            string id = definition.GetProperty("id").GetString()!;
            SettingsCatalogMatch? match = s_catalog.FindBySettingsCatalogId(id);
            Assert.True(match is not null, id);
            string offsetUri = definition.GetProperty("offsetUri").GetString()!;
            Assert.EndsWith(offsetUri, match.Setting.Csp!.OmaUri, StringComparison.Ordinal);
            foreach (JsonElement option in definition.GetProperty("options").EnumerateArray())
            {
                string itemId = option.GetProperty("itemId").GetString()!;
                Assert.Contains(match.Setting.SettingsCatalog!.Options, o => o.OptionId == itemId);
                checkedCount++;
            }
        }

        Assert.True(checkedCount >= 12);
    }

    private static void Collect(JsonElement element, List<string> ids)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (property.Name is "settingDefinitionId" or "value" && property.Value.ValueKind == JsonValueKind.String
                        && property.Value.GetString()!.StartsWith("device_vendor_msft_policy_config_", StringComparison.Ordinal))
                    {
                        ids.Add(property.Value.GetString()!);
                    }

                    Collect(property.Value, ids);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Collect(item, ids);
                }

                break;
        }
    }

    private static List<Dictionary<string, string>> ReadCsv(string file)
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", file), Encoding.UTF8);
        string[] header = TestCsv.SplitLine(lines[0]);
        return [.. lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            string[] fields = TestCsv.SplitLine(l);
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < header.Length; i++)
            {
                row[header[i]] = i < fields.Length ? fields[i] : string.Empty;
            }

            return row;
        })];
    }
}
