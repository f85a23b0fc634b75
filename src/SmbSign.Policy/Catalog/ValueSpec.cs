using System.Collections.Immutable;
using System.Globalization;
using SmbSign.Protocol;

namespace SmbSign.Policy.Catalog;

/// <summary>How a setting's value is to be read.</summary>
public enum ValueKind
{
    /// <summary>0 = disabled, 1 = enabled.</summary>
    Boolean,

    /// <summary>A number within <see cref="ValueSpec.Minimum"/>..<see cref="ValueSpec.Maximum"/>.</summary>
    Integer,

    /// <summary>One of the numbers in <see cref="ValueSpec.Options"/>.</summary>
    Enumeration,

    /// <summary>An MS-SMB2 dialect revision in decimal: 514 (2.0.2), 528 (2.1), 768 (3.0), 770 (3.0.2), 785 (3.1.1).</summary>
    Dialect,

    /// <summary>A Hardened UNC Paths string such as <c>RequireMutualAuthentication=1, RequireIntegrity=1</c>.</summary>
    HardenedPath,

    /// <summary>Free text.</summary>
    Text,

    /// <summary>A list of strings (REG_MULTI_SZ).</summary>
    StringList,
}

/// <summary>One documented value of a setting and what it means.</summary>
public sealed record ValueOption(long Value, string Meaning);

/// <summary>What values a setting accepts and what they mean; parses the spellings users type.</summary>
public sealed record ValueSpec
{
    public required ValueKind Kind { get; init; }

    public long? Minimum { get; init; }

    public long? Maximum { get; init; }

    /// <summary>"minutes", "milliseconds", ... when the number has a unit.</summary>
    public string? Unit { get; init; }

    /// <summary>Documented values (always filled for booleans, enumerations and dialects).</summary>
    public ImmutableArray<ValueOption> Options { get; init; } = [];

    /// <summary>The meaning of <paramref name="value"/> (e.g. "Enabled: the client requires signing"), or null.</summary>
    public string? Describe(SettingValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Kind != SettingValueKind.Number)
        {
            return null;
        }

        foreach (ValueOption option in Options)
        {
            if (option.Value == value.Number)
            {
                return option.Meaning;
            }
        }

        return null;
    }

    /// <summary>
    /// Parses user text: booleans accept 0/1/true/false/enabled/disabled/yes/no/on/off; dialects accept
    /// "3.1.1", "785", "0x0311", "SMB3_11"; lists are comma or semicolon separated. On failure
    /// <paramref name="error"/> says what was expected.
    /// </summary>
    public bool TryParse(string text, out SettingValue value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = SettingValue.FromNumber(0);
        error = string.Empty;
        string t = text.Trim();
        switch (Kind)
        {
            case ValueKind.Boolean:
                bool? flag = ParseBoolean(t);
                if (flag is null)
                {
                    error = $"'{text}' is not a switch value; expected 0, 1, true, false, enabled or disabled";
                    return false;
                }

                value = SettingValue.FromBoolean(flag.Value);
                return true;

            case ValueKind.Dialect:
                if (DialectInfo.TryParse(t, out Dialect dialect) && dialect.IsSmb2Family() && dialect != Dialect.Smb2Wildcard)
                {
                    value = SettingValue.FromNumber((ushort)dialect);
                    return true;
                }

                error = $"'{text}' is not an SMB2/3 dialect; expected 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1 or 514, 528, 768, 770, 785";
                return false;

            case ValueKind.Integer:
            case ValueKind.Enumeration:
                if (!TryParseNumber(t, out long number))
                {
                    error = $"'{text}' is not a number" + ExpectedSuffix();
                    return false;
                }

                if (Kind == ValueKind.Enumeration && !Options.Any(o => o.Value == number))
                {
                    error = $"{number} is not an accepted value" + ExpectedSuffix();
                    return false;
                }

                if ((Minimum is long min && number < min) || (Maximum is long max && number > max))
                {
                    error = $"{number} is out of range" + ExpectedSuffix();
                    return false;
                }

                value = SettingValue.FromNumber(number);
                return true;

            case ValueKind.HardenedPath:
                if (!HardenedPathValue.TryParse(t, out HardenedPathValue? parsed, out string flagError))
                {
                    error = flagError;
                    return false;
                }

                value = SettingValue.FromText(parsed.ToString());
                return true;

            case ValueKind.StringList:
                value = SettingValue.FromList(t.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                return true;

            default:
                value = SettingValue.FromText(t);
                return true;
        }
    }

    /// <summary>Checks a value read from a file or the registry against this spec; null when it is acceptable.</summary>
    public string? Validate(SettingValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (Kind)
        {
            case ValueKind.Boolean or ValueKind.Integer or ValueKind.Enumeration or ValueKind.Dialect:
                if (value.Kind != SettingValueKind.Number)
                {
                    return $"expected a number, got {value.Kind.ToString().ToLowerInvariant()} '{value}'";
                }

                if (Kind is ValueKind.Boolean or ValueKind.Enumeration or ValueKind.Dialect && !Options.IsEmpty && !Options.Any(o => o.Value == value.Number))
                {
                    return $"{value.Number} is not one of {string.Join(", ", Options.Select(o => o.Value.ToString(CultureInfo.InvariantCulture)))}";
                }

                if ((Minimum is long min && value.Number < min) || (Maximum is long max && value.Number > max))
                {
                    return $"{value.Number} is outside {Minimum?.ToString(CultureInfo.InvariantCulture) ?? "-"}..{Maximum?.ToString(CultureInfo.InvariantCulture) ?? "-"}";
                }

                return null;

            case ValueKind.HardenedPath:
                return value.Kind == SettingValueKind.Text && HardenedPathValue.TryParse(value.Text!, out _, out string error) ? null : $"not a Hardened UNC Paths value: {value}";

            case ValueKind.StringList:
                return value.Kind == SettingValueKind.List ? null : $"expected a list of strings, got '{value}'";

            default:
                return value.Kind == SettingValueKind.Text ? null : $"expected text, got '{value}'";
        }
    }

    /// <summary>0/1/true/false/enabled/disabled/yes/no/on/off, case-insensitive; null for anything else.</summary>
    public static bool? ParseBoolean(string text) => text.Trim().ToUpperInvariant() switch
    {
        "1" or "TRUE" or "ENABLED" or "ENABLE" or "YES" or "ON" => true,
        "0" or "FALSE" or "DISABLED" or "DISABLE" or "NO" or "OFF" => false,
        _ => null,
    };

    private static bool TryParseNumber(string text, out long number)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number);
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
    }

    private string ExpectedSuffix()
    {
        if (!Options.IsEmpty && Kind == ValueKind.Enumeration)
        {
            return "; expected one of " + string.Join(", ", Options.Select(o => o.Value.ToString(CultureInfo.InvariantCulture) + " (" + o.Meaning + ")"));
        }

        if (Minimum is not null || Maximum is not null)
        {
            return $"; expected {Minimum?.ToString(CultureInfo.InvariantCulture) ?? "-"}..{Maximum?.ToString(CultureInfo.InvariantCulture) ?? "-"}" + (Unit is null ? string.Empty : " " + Unit);
        }

        return string.Empty;
    }
}
