using SmbSign.Policy.Catalog;
using SmbSign.Policy.Rules;

namespace SmbSign.Policy.Audit;

/// <summary>Compares a parsed value with a rule's expectation (docs/reference/policy.md §0.6: parsed values, never strings).</summary>
public static class ValueMatcher
{
    /// <summary>True when <paramref name="actual"/> satisfies <paramref name="rule"/>; <paramref name="problem"/> explains a
    /// value that cannot be compared (a malformed Hardened UNC string, text where a number is expected).</summary>
    public static bool Satisfies(AuditRule rule, SettingValue actual, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(actual);
        problem = null;
        switch (rule.Operator)
        {
            case RuleOperator.EqualTo:
                return ValuesEqual(actual, rule.Target);
            case RuleOperator.NotEqualTo:
                return !ValuesEqual(actual, rule.Target);
            case RuleOperator.OneOf:
                return rule.Expected.Any(e => ValuesEqual(actual, e));
            case RuleOperator.AtLeast or RuleOperator.AtMost:
                if (actual.Kind != SettingValueKind.Number)
                {
                    problem = $"'{actual}' is not a number";
                    return false;
                }

                return rule.Operator == RuleOperator.AtLeast ? actual.Number >= rule.Target.Number : actual.Number <= rule.Target.Number;
            case RuleOperator.HardenedUncFlags:
                return HardenedFlagsSatisfy(actual, rule.Target, out problem);
            default:
                problem = $"operator {rule.Operator} is not supported";
                return false;
        }
    }

    /// <summary>
    /// Hardened UNC Paths: every flag the expected value sets to 1 must be 1 in the actual value; order, spacing, separators
    /// (comma or semicolon) and case do not matter; extra flags are allowed.
    /// </summary>
    public static bool HardenedFlagsSatisfy(SettingValue actual, SettingValue expected, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(expected);
        problem = null;
        if (actual.Kind != SettingValueKind.Text)
        {
            problem = $"'{actual}' is not a Hardened UNC Paths string";
            return false;
        }

        if (!HardenedPathValue.TryParse(actual.Text!, out HardenedPathValue? have, out string error))
        {
            problem = error;
            return false;
        }

        if (!HardenedPathValue.TryParse(expected.Text ?? string.Empty, out HardenedPathValue? want, out error))
        {
            problem = "the rule's expected value is malformed: " + error;
            return false;
        }

        List<string> missing = [];
        if (want.RequireMutualAuthentication == true && have.RequireMutualAuthentication != true)
        {
            missing.Add("RequireMutualAuthentication=1");
        }

        if (want.RequireIntegrity == true && have.RequireIntegrity != true)
        {
            missing.Add("RequireIntegrity=1");
        }

        if (want.RequirePrivacy == true && have.RequirePrivacy != true)
        {
            missing.Add("RequirePrivacy=1");
        }

        if (missing.Count > 0)
        {
            problem = "missing " + string.Join(", ", missing);
            return false;
        }

        return true;
    }

    /// <summary>Numbers numerically, text ignoring case and surrounding spaces, lists as sets ignoring case and order.</summary>
    public static bool ValuesEqual(SettingValue a, SettingValue b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Kind != b.Kind)
        {
            return false;
        }

        return a.Kind switch
        {
            SettingValueKind.Number => a.Number == b.Number,
            SettingValueKind.Text => string.Equals(a.Text?.Trim(), b.Text?.Trim(), StringComparison.OrdinalIgnoreCase),
            _ => new HashSet<string>(a.Items.Select(i => i.Trim()).Where(i => i.Length > 0), StringComparer.OrdinalIgnoreCase)
                .SetEquals(b.Items.Select(i => i.Trim()).Where(i => i.Length > 0)),
        };
    }
}
