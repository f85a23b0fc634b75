using System.Globalization;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Rules;

/// <summary>
/// Checks a rule pack against the settings catalog (docs/reference/policy.md §8.9: rule-list data quality): unique rule ids, every
/// rule's setting in the catalog, the registry value one the setting really lives at (not a known misplacement such as
/// EnableMailslots under LanmanServer), the explicit type equal to the catalog's, operators that fit the type, and
/// expected values the setting can hold.
/// </summary>
public static class RulePackValidator
{
    /// <summary>Every problem found; empty when the pack is sound.</summary>
    public static IReadOnlyList<RulePackProblem> Validate(RulePack pack, SettingsCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(pack);
        catalog ??= SettingsCatalog.Default;
        List<RulePackProblem> problems = [];
        void Problem(string? rule, string message) => problems.Add(new RulePackProblem(pack.Origin, rule, message));

        if (pack.Id.Length > 0 && (pack.Id.Any(char.IsWhiteSpace) || pack.Id.Any(char.IsUpper)))
        {
            Problem(null, $"pack id '{pack.Id}' must be lower case without spaces (it is typed on the command line)");
        }

        HashSet<string> ids = new(StringComparer.OrdinalIgnoreCase);
        HashSet<string> identities = new(StringComparer.OrdinalIgnoreCase);
        foreach (AuditRule rule in pack.Rules)
        {
            if (!ids.Add(rule.Id))
            {
                Problem(rule.Id, "duplicate rule id; ids must be unique within a pack (split items get a suffix such as -NETLOGON)");
            }

            if (!catalog.TryGetById(rule.Setting.Id, out SettingDefinition? setting))
            {
                Problem(rule.Id, $"setting '{rule.Setting.Id}' is not in the settings catalog");
                continue;
            }

            if (!identities.Add(setting.Id))
            {
                Problem(rule.Id, $"setting '{setting.Id}' is checked by two rules of the same pack");
            }

            RegistryMatch? match = catalog.FindByRegistry(rule.Registry.Key, rule.Registry.ValueName);
            if (match is null)
            {
                Problem(rule.Id, $"registry value {rule.Registry.FullPath} is not a location of any catalog setting");
            }
            else if (!string.Equals(match.Setting.Id, setting.Id, StringComparison.OrdinalIgnoreCase))
            {
                Problem(rule.Id, $"registry value {rule.Registry.FullPath} belongs to '{match.Setting.Id}', not to '{setting.Id}'");
            }
            else if (match.Location.Kind is RegistryLocationKind.KnownMisplacement or RegistryLocationKind.PolicyManager)
            {
                Problem(rule.Id, $"registry value {rule.Registry.FullPath} is a {match.Location.Kind} location of '{setting.Id}'; rules name the value Windows reads ({setting.Registry.FullPath})");
            }

            if (rule.Registry.Type != setting.ValueType)
            {
                Problem(rule.Id, $"registry type {rule.Registry.Type.ToRegName()} differs from the catalog's {setting.ValueType.ToRegName()} for '{setting.Id}'");
            }

            CheckOperator(rule, setting, Problem);
            foreach (SettingValue expected in rule.Expected)
            {
                CheckValue(rule, setting, expected, Problem);
            }

            if (rule.AppliesTo.Smb1Only && setting.Dialects != DialectScope.Smb1Only)
            {
                Problem(rule.Id, $"smb1Only is set but '{setting.Id}' affects {setting.Dialects}; only SMB1-only settings may be skipped when SMB1 is removed");
            }

            if (rule.AppliesTo.RequiresServerService && setting.Side != SettingSide.Server)
            {
                Problem(rule.Id, $"requiresServerService is set but '{setting.Id}' is a {setting.Side.ToString().ToLowerInvariant()} setting");
            }
        }

        return problems;
    }

    private static void CheckOperator(AuditRule rule, SettingDefinition setting, Action<string?, string> problem)
    {
        bool numeric = rule.Registry.Type is RegistryValueType.DWord or RegistryValueType.QWord;
        switch (rule.Operator)
        {
            case RuleOperator.AtLeast or RuleOperator.AtMost when !numeric:
                problem(rule.Id, $"{rule.Operator.ToToken()} compares numbers but the value is {rule.Registry.Type.ToRegName()}");
                break;
            case RuleOperator.HardenedUncFlags when setting.Values.Kind != ValueKind.HardenedPath:
                problem(rule.Id, $"hardened-unc-flags applies to Hardened UNC Paths values only, not to '{setting.Id}'");
                break;
            case not RuleOperator.HardenedUncFlags when setting.Values.Kind == ValueKind.HardenedPath:
                problem(rule.Id, $"'{setting.Id}' holds Hardened UNC Paths flags; compare it with hardened-unc-flags (parsed), not {rule.Operator.ToToken()} (HardeningKitty #13)");
                break;
            case RuleOperator.OneOf when rule.Expected.Length < 2:
                problem(rule.Id, "one-of needs at least two allowed values");
                break;
            case not RuleOperator.OneOf when rule.Expected.Length != 1:
                problem(rule.Id, $"{rule.Operator.ToToken()} needs exactly one expected value");
                break;
        }
    }

    private static void CheckValue(AuditRule rule, SettingDefinition setting, SettingValue expected, Action<string?, string> problem)
    {
        ValueSpec spec = setting.Values;
        switch (spec.Kind)
        {
            case ValueKind.Boolean or ValueKind.Enumeration or ValueKind.Dialect:
                if (expected.Kind != SettingValueKind.Number || (!spec.Options.IsEmpty && spec.Options.All(o => o.Value != expected.Number)))
                {
                    problem(rule.Id, $"expected value {expected} is not one of the documented values of '{setting.Id}' ({string.Join(", ", spec.Options.Select(o => o.Value.ToString(CultureInfo.InvariantCulture)))})");
                }

                break;
            case ValueKind.Integer:
                if (expected.Kind != SettingValueKind.Number
                    || (spec.Minimum is long min && expected.Number < min)
                    || (spec.Maximum is long max && expected.Number > max))
                {
                    problem(rule.Id, $"expected value {expected} is outside the range of '{setting.Id}' ({spec.Minimum}..{spec.Maximum})");
                }

                break;
            case ValueKind.HardenedPath:
                if (expected.Kind != SettingValueKind.Text || !HardenedPathValue.TryParse(expected.Text!, out _, out string error))
                {
                    problem(rule.Id, $"expected value '{expected}' is not a Hardened UNC Paths value: {(expected.Kind == SettingValueKind.Text ? HardenedPathValue.TryParse(expected.Text!, out _, out error) ? string.Empty : error : "not text")}");
                }

                break;
            case ValueKind.StringList:
                if (expected.Kind != SettingValueKind.List)
                {
                    problem(rule.Id, $"expected value {expected} must be a list for REG_MULTI_SZ");
                }

                break;
        }
    }
}
