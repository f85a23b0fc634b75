namespace SmbSign.Policy.Rules;

/// <summary>How a rule compares the configured value with its expected value. Values are compared parsed, never as strings.</summary>
public enum RuleOperator
{
    /// <summary>The value equals the expected value (numbers numerically, strings ignoring case, lists as sets ignoring case).</summary>
    EqualTo,

    /// <summary>The number is greater than or equal to the expected number ("2000 or more").</summary>
    AtLeast,

    /// <summary>The number is less than or equal to the expected number ("15 or fewer minutes").</summary>
    AtMost,

    /// <summary>The value equals one of the expected values; the first is the one remediation writes.</summary>
    OneOf,

    /// <summary>The value differs from the expected value.</summary>
    NotEqualTo,

    /// <summary>
    /// Hardened UNC Paths flags (<c>RequireMutualAuthentication=1, RequireIntegrity=1</c>): parsed, so order, spacing and
    /// case do not matter (HardeningKitty #13); every flag the expected value sets to 1 must be 1, extra flags are allowed.
    /// </summary>
    HardenedUncFlags,
}

/// <summary>Spellings of <see cref="RuleOperator"/> in rule files and reports.</summary>
public static class RuleOperatorInfo
{
    /// <summary>The token used in rule files and JSON reports: <c>equals</c>, <c>at-least</c>, <c>at-most</c>, <c>one-of</c>, <c>not-equals</c>, <c>hardened-unc-flags</c>.</summary>
    public static string ToToken(this RuleOperator op) => op switch
    {
        RuleOperator.EqualTo => "equals",
        RuleOperator.AtLeast => "at-least",
        RuleOperator.AtMost => "at-most",
        RuleOperator.OneOf => "one-of",
        RuleOperator.NotEqualTo => "not-equals",
        RuleOperator.HardenedUncFlags => "hardened-unc-flags",
        _ => op.ToString(),
    };

    /// <summary>A short symbol for tables: <c>=</c>, <c>&gt;=</c>, <c>&lt;=</c>, <c>in</c>, <c>!=</c>, <c>⊇</c>.</summary>
    public static string ToSymbol(this RuleOperator op) => op switch
    {
        RuleOperator.EqualTo => "=",
        RuleOperator.AtLeast => ">=",
        RuleOperator.AtMost => "<=",
        RuleOperator.OneOf => "in",
        RuleOperator.NotEqualTo => "!=",
        RuleOperator.HardenedUncFlags => "has",
        _ => "?",
    };

    /// <summary>Parses a token (also accepts the HardeningKitty symbols <c>=</c>, <c>&gt;=</c>, <c>&lt;=</c>, <c>!=</c>).</summary>
    public static bool TryParse(string? text, out RuleOperator op)
    {
        RuleOperator? parsed = text?.Trim().ToLowerInvariant() switch
        {
            "equals" or "=" or "==" or "eq" => RuleOperator.EqualTo,
            "at-least" or ">=" or "ge" => RuleOperator.AtLeast,
            "at-most" or "<=" or "le" => RuleOperator.AtMost,
            "one-of" or "in" => RuleOperator.OneOf,
            "not-equals" or "!=" or "ne" => RuleOperator.NotEqualTo,
            "hardened-unc-flags" => RuleOperator.HardenedUncFlags,
            _ => null,
        };
        op = parsed ?? default;
        return parsed is not null;
    }
}
