using SmbSign.Policy.Catalog;
using SmbSign.Policy.Rules;

namespace SmbSign.Policy.Tests.Rules;

/// <summary>
/// Cross-checks the rule packs against the CIS and Microsoft-baseline rows as HardeningKitty transcribes them
/// (TestData/Rules/hardeningkitty, sources in SOURCE.md): every SMB row has a rule for the same setting, with the same
/// item number and the same recommended value. Known, documented differences are listed explicitly.
/// </summary>
public sealed class HardeningKittyCrossCheckTests
{
    public static TheoryData<string, string> ListsAndPacks => new()
    {
        { "cis_win11_enterprise_23h2_smb_rows.csv", "cis-win11-23h2" },
        { "dev_cis_win11_enterprise_24h2_smb_rows_with_intune_columns.csv", "cis-win11-24h2" },
        { "cis_server2022_3.0.0_smb_rows.csv", "cis-server2022" },
        { "dev_cis_server2025_1.0.0_smb_rows_with_intune_columns.csv", "cis-server2025" },
        { "msft_baseline_win11_24h2_smb_rows.csv", "msft-win11-24h2" },
    };

    [Theory]
    [MemberData(nameof(ListsAndPacks))]
    public void EveryRow_HasARuleForTheSameSetting(string csv, string packId)
    {
        RulePack pack = Pack(packId);
        foreach (Row row in Rows(csv))
        {
            AuditRule? rule = RuleFor(pack, row);
            Assert.True(rule is not null, $"{csv} row {row.Id} ({row.Path}\\{row.Item}) has no rule in {packId}");
        }
    }

    [Theory]
    [MemberData(nameof(ListsAndPacks))]
    public void ItemNumbers_Agree(string csv, string packId)
    {
        if (packId.StartsWith("msft", StringComparison.Ordinal))
        {
            return; // HardeningKitty's own numbering (10210, ...); the baseline has no item numbers.
        }

        RulePack pack = Pack(packId);
        foreach (Row row in Rows(csv))
        {
            AuditRule rule = RuleFor(pack, row)!;
            string expectedItem = row.Id;
            if (rule.Setting.Id.StartsWith("client.HardenedPaths.", StringComparison.Ordinal))
            {
                expectedItem = row.Id[..row.Id.LastIndexOf('.')]; // HardeningKitty splits 18.6.14.1 into .1 (NETLOGON) and .2 (SYSVOL)
            }

            if (packId == "cis-server2025" && rule.Setting.Id == "server.EnableAuthRateLimiter")
            {
                Assert.Equal("18.6.7.3", row.Id); // the transcription's duplicate ID (docs/reference/policy.md §8.9)
                Assert.Equal("18.6.7.4", rule.Item);
                continue;
            }

            Assert.True(expectedItem == rule.Item, $"{csv}: {row.Path}\\{row.Item} is {row.Id} in the list but {rule.Item} in {packId}");
        }
    }

    [Theory]
    [MemberData(nameof(ListsAndPacks))]
    public void RecommendedValues_Agree(string csv, string packId)
    {
        RulePack pack = Pack(packId);
        foreach (Row row in Rows(csv))
        {
            AuditRule rule = RuleFor(pack, row)!;
            if (rule.Operator == RuleOperator.HardenedUncFlags)
            {
                Assert.True(HardenedPathValue.TryParse(row.Recommended, out HardenedPathValue? listed, out _), row.Recommended);
                Assert.True(HardenedPathValue.TryParse(rule.Target.Text!, out HardenedPathValue? ours, out _));
                Assert.Equal(listed, ours);
                continue;
            }

            Assert.True(long.TryParse(row.Recommended, out long number), $"{csv} {row.Id}: '{row.Recommended}'");
            Assert.True(SettingValue.FromNumber(number).Equals(rule.Target), $"{csv} {row.Id}: list says {number}, {packId} {rule.Id} says {rule.Target}");
        }
    }

    [Theory]
    [MemberData(nameof(ListsAndPacks))]
    public void Operators_Agree_ExceptWhereAStricterValueMustAlsoPass(string csv, string packId)
    {
        RulePack pack = Pack(packId);
        foreach (Row row in Rows(csv))
        {
            AuditRule rule = RuleFor(pack, row)!;
            RuleOperator listed = row.Operator switch
            {
                "<=" => RuleOperator.AtMost,
                ">=" => RuleOperator.AtLeast,
                _ => RuleOperator.EqualTo,
            };
            if (rule.Operator == RuleOperator.HardenedUncFlags)
            {
                Assert.Equal(RuleOperator.EqualTo, listed);
                continue;
            }

            // Documented differences: a minimum dialect of 3.1.1 also satisfies "minimum 3.0", and a longer rate-limiter
            // delay also satisfies "2000" (the Windows 11 24H2 list itself says >= for it).
            bool relaxed = listed == RuleOperator.EqualTo && rule.Operator == RuleOperator.AtLeast
                && rule.Setting.Id is "server.MinSmb2Dialect" or "client.MinSmb2Dialect" or "server.InvalidAuthenticationDelayTimeInMs";
            Assert.True(relaxed || listed == rule.Operator, $"{csv} {row.Id}: list '{row.Operator}', {packId} {rule.Id} '{rule.Operator.ToToken()}'");
        }
    }

    [Fact]
    public void BaselineList_ChecksMailslotsWhereWindowsDoesNotReadThem_AndThePackUsesTheRightKey()
    {
        // windows_hardening #180: the list queries LanmanServer/LanmanWorkstation; Windows reads Bowser/NetworkProvider.
        RulePack pack = Pack("msft-win11-24h2");
        foreach (Row row in Rows("msft_baseline_win11_24h2_smb_rows.csv").Where(r => r.Item == "EnableMailslots"))
        {
            RegistryMatch match = SettingsCatalog.Default.FindByRegistry(row.Path, row.Item)!;
            Assert.Equal(RegistryLocationKind.KnownMisplacement, match.Location.Kind);
            AuditRule rule = pack.Rules.Single(r => r.Setting.Id == match.Setting.Id);
            Assert.Equal(RegistryLocationKind.Policy, SettingsCatalog.Default.FindByRegistry(rule.Registry.Key, rule.Registry.ValueName)!.Location.Kind);
        }
    }

    private static RulePack Pack(string id)
    {
        Assert.True(RulePacks.TryGet(id, out RulePack? pack), id);
        return pack;
    }

    private static AuditRule? RuleFor(RulePack pack, Row row)
    {
        RegistryMatch? match = SettingsCatalog.Default.FindByRegistry(row.Path, row.Item);
        return match is null ? null : pack.Rules.SingleOrDefault(r => r.Setting.Id == match.Setting.Id);
    }

    private static IEnumerable<Row> Rows(string file)
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "Rules", "hardeningkitty", file));
        string[] header = TestCsv.SplitLine(lines[0]);
        int id = Array.IndexOf(header, "ID");
        int path = Array.IndexOf(header, "RegistryPath");
        int item = Array.IndexOf(header, "RegistryItem");
        int recommended = Array.IndexOf(header, "RecommendedValue");
        int op = Array.IndexOf(header, "Operator");
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            string[] f = TestCsv.SplitLine(line);
            yield return new Row(f[id], f[path], f[item], f[recommended], f[op]);
        }
    }

    private sealed record Row(string Id, string Path, string Item, string Recommended, string Operator);
}
