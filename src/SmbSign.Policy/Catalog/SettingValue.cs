using System.Collections.Immutable;
using System.Globalization;

namespace SmbSign.Policy.Catalog;

/// <summary>The kind of data a <see cref="SettingValue"/> holds.</summary>
public enum SettingValueKind
{
    /// <summary>A number (REG_DWORD / REG_QWORD).</summary>
    Number,

    /// <summary>A string (REG_SZ / REG_EXPAND_SZ).</summary>
    Text,

    /// <summary>A list of strings (REG_MULTI_SZ).</summary>
    List,
}

/// <summary>An immutable registry-style value: a number, a string or a list of strings. Compares by content.</summary>
public sealed class SettingValue : IEquatable<SettingValue>
{
    private SettingValue(SettingValueKind kind, long number, string? text, ImmutableArray<string> items)
    {
        Kind = kind;
        Number = number;
        Text = text;
        Items = items;
    }

    public SettingValueKind Kind { get; }

    /// <summary>The number for <see cref="SettingValueKind.Number"/>; 0 otherwise.</summary>
    public long Number { get; }

    /// <summary>The string for <see cref="SettingValueKind.Text"/>; null otherwise.</summary>
    public string? Text { get; }

    /// <summary>The items for <see cref="SettingValueKind.List"/>; empty otherwise.</summary>
    public ImmutableArray<string> Items { get; }

    /// <summary>True for a non-zero number (the 0/1 switches).</summary>
    public bool IsTrue => Kind == SettingValueKind.Number && Number != 0;

    public static SettingValue FromNumber(long number) => new(SettingValueKind.Number, number, null, []);

    public static SettingValue FromBoolean(bool value) => FromNumber(value ? 1 : 0);

    public static SettingValue FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(SettingValueKind.Text, 0, text, []);
    }

    public static SettingValue FromList(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new(SettingValueKind.List, 0, null, [.. items]);
    }

    /// <summary>"1", "RequireIntegrity=1, RequireMutualAuthentication=1", "netlogon, samr, lsarpc" (an empty list is "(empty)").</summary>
    public override string ToString() => Kind switch
    {
        SettingValueKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        SettingValueKind.Text => Text ?? string.Empty,
        _ => Items.IsEmpty ? "(empty)" : string.Join(", ", Items),
    };

    public bool Equals(SettingValue? other)
    {
        if (other is null || other.Kind != Kind)
        {
            return false;
        }

        return Kind switch
        {
            SettingValueKind.Number => Number == other.Number,
            SettingValueKind.Text => string.Equals(Text, other.Text, StringComparison.Ordinal),
            _ => Items.SequenceEqual(other.Items, StringComparer.Ordinal),
        };
    }

    public override bool Equals(object? obj) => Equals(obj as SettingValue);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(Number);
        hash.Add(Text, StringComparer.Ordinal);
        foreach (string item in Items)
        {
            hash.Add(item, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}
