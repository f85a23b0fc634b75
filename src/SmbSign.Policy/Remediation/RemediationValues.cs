using System.Globalization;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Remediation;

/// <summary>Conversions between catalog values (<see cref="SettingValue"/>) and typed registry values, always with the
/// catalog's explicit registry type (never inferred from the text: docs/reference/policy.md §8 lesson 6).</summary>
public static class RemediationValues
{
    /// <summary>The hive-less identity of a setting's primary registry location.</summary>
    public static RegistryIdentity IdentityOf(SettingDefinition setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return new RegistryIdentity(setting.Registry.KeyWithoutHive, setting.Registry.ValueName);
    }

    /// <summary>The typed registry value that stores <paramref name="value"/> for <paramref name="setting"/>.</summary>
    /// <exception cref="ArgumentException">The value does not fit the setting's registry type.</exception>
    public static RegistryValue ToRegistryValue(SettingDefinition setting, SettingValue value)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(value);
        switch (setting.ValueType)
        {
            case RegistryValueType.DWord:
                if (value.Kind != SettingValueKind.Number || value.Number < 0 || value.Number > uint.MaxValue)
                {
                    throw new ArgumentException($"{setting.Id} is a REG_DWORD; '{value}' is not a number in 0..4294967295.", nameof(value));
                }

                return RegistryValue.FromDWord((uint)value.Number);
            case RegistryValueType.QWord:
                if (value.Kind != SettingValueKind.Number || value.Number < 0)
                {
                    throw new ArgumentException($"{setting.Id} is a REG_QWORD; '{value}' is not a non-negative number.", nameof(value));
                }

                return RegistryValue.FromQWord((ulong)value.Number);
            case RegistryValueType.MultiString:
                return RegistryValue.FromMultiString(value.Kind == SettingValueKind.List ? value.Items : [value.ToString()]);
            case RegistryValueType.String or RegistryValueType.ExpandString:
                return RegistryValue.FromString(value.Kind == SettingValueKind.Text ? value.Text! : value.ToString(), setting.ValueType == RegistryValueType.ExpandString);
            default:
                throw new ArgumentException($"{setting.Id}: registry type {setting.ValueType} cannot be written.", nameof(value));
        }
    }

    /// <summary>The catalog value held by a registry value read back for <paramref name="setting"/>, or null when the
    /// registry value has the wrong type for the setting (a REG_SZ where a REG_DWORD belongs is not compliant).</summary>
    public static SettingValue? FromRegistryValue(SettingDefinition setting, RegistryValue value)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Type != setting.ValueType)
        {
            return null;
        }

        if (value.TryGetUInt64(out ulong number))
        {
            return SettingValue.FromNumber((long)number);
        }

        if (value.TryGetStrings(out IReadOnlyList<string> items))
        {
            return SettingValue.FromList(items);
        }

        if (value.TryGetString(out string text))
        {
            return setting.Values.Kind == ValueKind.HardenedPath && HardenedPathValue.TryParse(text, out HardenedPathValue? flags, out _)
                ? SettingValue.FromText(flags.ToString())
                : SettingValue.FromText(text);
        }

        return null;
    }

    /// <summary>
    /// Parses a value as an audit or baseline writes it: a JSON-ish scalar text ("1", "true", "785", "3.1.1",
    /// "RequireMutualAuthentication=1, RequireIntegrity=1", "a, b"), optionally prefixed by a comparison operator
    /// ("&lt;= 15", "&gt;=1", "= 1"; strict &lt; and &gt; are not accepted) whose bound is the value to write. Returns false with a reason when it does not fit.
    /// </summary>
    public static bool TryParseTarget(SettingDefinition setting, string text, out SettingValue value, out string error)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(text);
        string t = StripOperator(text.Trim());
        if (!setting.Values.TryParse(t, out value, out error))
        {
            return false;
        }

        string? invalid = setting.Values.Validate(value);
        if (invalid is not null)
        {
            error = invalid;
            return false;
        }

        try
        {
            _ = ToRegistryValue(setting, value);
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }

        return true;
    }

    /// <summary>Formats a number with the invariant culture.</summary>
    internal static string Invariant(long number) => number.ToString(CultureInfo.InvariantCulture);

    private static string StripOperator(string text)
    {
        foreach (string op in new[] { "<=", ">=", "==", "=" })
        {
            if (text.StartsWith(op, StringComparison.Ordinal))
            {
                return text[op.Length..].Trim();
            }
        }

        return text;
    }
}
