namespace SmbSign.Policy.Sources;

/// <summary>The registry hive an observation belongs to. Registry-style identities are hive-less; SMB settings
/// all live under <see cref="LocalMachine"/>.</summary>
public enum RegistryHive
{
    /// <summary>Not registry-shaped (smb.conf, nsmb.conf).</summary>
    None = 0,

    /// <summary>HKEY_LOCAL_MACHINE (MACHINE\ in security templates; Machine\Registry.pol).</summary>
    LocalMachine,

    /// <summary>HKEY_CURRENT_USER (User\Registry.pol).</summary>
    CurrentUser,

    /// <summary>HKEY_USERS.</summary>
    Users,

    /// <summary>HKEY_CLASSES_ROOT.</summary>
    ClassesRoot,

    /// <summary>HKEY_CURRENT_CONFIG.</summary>
    CurrentConfig,
}

/// <summary>A registry value identity: hive-less normalised key path (e.g.
/// <c>SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters</c>) plus value name (empty = the key's
/// default value, or the key itself for key-level observations). Equality and hashing ignore case, like Windows.</summary>
public readonly struct RegistryIdentity : IEquatable<RegistryIdentity>
{
    /// <summary>Creates an identity; <paramref name="keyPath"/> is normalised with <see cref="RegistryPaths.NormalizeKey(string)"/>.</summary>
    public RegistryIdentity(string keyPath, string valueName)
    {
        ArgumentNullException.ThrowIfNull(keyPath);
        ArgumentNullException.ThrowIfNull(valueName);
        KeyPath = RegistryPaths.NormalizeKey(keyPath);
        ValueName = valueName;
    }

    /// <summary>Hive-less key path without leading or trailing backslash.</summary>
    public string KeyPath { get; }

    /// <summary>Value name; empty for the default value (<c>@</c>) or for key-level observations.</summary>
    public string ValueName { get; }

    /// <summary>Compares identities ignoring case.</summary>
    public static IEqualityComparer<RegistryIdentity> Comparer { get; } = EqualityComparer<RegistryIdentity>.Default;

    /// <summary>Equal identities.</summary>
    public static bool operator ==(RegistryIdentity left, RegistryIdentity right) => left.Equals(right);

    /// <summary>Different identities.</summary>
    public static bool operator !=(RegistryIdentity left, RegistryIdentity right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(RegistryIdentity other) =>
        string.Equals(KeyPath, other.KeyPath, StringComparison.OrdinalIgnoreCase)
        && string.Equals(ValueName, other.ValueName, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RegistryIdentity other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(
        StringComparer.OrdinalIgnoreCase.GetHashCode(KeyPath ?? string.Empty),
        StringComparer.OrdinalIgnoreCase.GetHashCode(ValueName ?? string.Empty));

    /// <summary><c>Key\ValueName</c>, or <c>Key\(Default)</c> for the default value.</summary>
    public override string ToString() => KeyPath + "\\" + (ValueName.Length == 0 ? "(Default)" : ValueName);
}

/// <summary>Hive prefixes and key-path normalisation shared by every reader.</summary>
public static class RegistryPaths
{
    private const string ControlSetPrefix = "SYSTEM\\ControlSet";

    /// <summary>Splits a full path such as <c>HKEY_LOCAL_MACHINE\SYSTEM\…</c>, <c>HKLM\…</c>, <c>HKLM:\…</c> or
    /// <c>MACHINE\…</c> (security templates) into hive and normalised key path. False when the first component
    /// is not a hive name.</summary>
    public static bool TrySplitHive(ReadOnlySpan<char> fullPath, out RegistryHive hive, out string keyPath)
    {
        fullPath = fullPath.Trim();
        int slash = fullPath.IndexOf('\\');
        ReadOnlySpan<char> first = slash < 0 ? fullPath : fullPath[..slash];
        if (first.EndsWith(':'))
        {
            first = first[..^1];
        }

        hive = ParseHive(first);
        if (hive == RegistryHive.None)
        {
            keyPath = string.Empty;
            return false;
        }

        keyPath = slash < 0 ? string.Empty : NormalizeKey(fullPath[(slash + 1)..]);
        return true;
    }

    /// <summary>Hive from its name: HKEY_LOCAL_MACHINE/HKLM/MACHINE, HKEY_CURRENT_USER/HKCU/USER, HKEY_USERS/HKU,
    /// HKEY_CLASSES_ROOT/HKCR, HKEY_CURRENT_CONFIG/HKCC (case-insensitive); <see cref="RegistryHive.None"/> otherwise.</summary>
    public static RegistryHive ParseHive(ReadOnlySpan<char> name)
    {
        if (name.Equals("HKEY_LOCAL_MACHINE", StringComparison.OrdinalIgnoreCase) || name.Equals("HKLM", StringComparison.OrdinalIgnoreCase) || name.Equals("MACHINE", StringComparison.OrdinalIgnoreCase))
        {
            return RegistryHive.LocalMachine;
        }

        if (name.Equals("HKEY_CURRENT_USER", StringComparison.OrdinalIgnoreCase) || name.Equals("HKCU", StringComparison.OrdinalIgnoreCase) || name.Equals("USER", StringComparison.OrdinalIgnoreCase))
        {
            return RegistryHive.CurrentUser;
        }

        if (name.Equals("HKEY_USERS", StringComparison.OrdinalIgnoreCase) || name.Equals("HKU", StringComparison.OrdinalIgnoreCase))
        {
            return RegistryHive.Users;
        }

        if (name.Equals("HKEY_CLASSES_ROOT", StringComparison.OrdinalIgnoreCase) || name.Equals("HKCR", StringComparison.OrdinalIgnoreCase))
        {
            return RegistryHive.ClassesRoot;
        }

        if (name.Equals("HKEY_CURRENT_CONFIG", StringComparison.OrdinalIgnoreCase) || name.Equals("HKCC", StringComparison.OrdinalIgnoreCase))
        {
            return RegistryHive.CurrentConfig;
        }

        return RegistryHive.None;
    }

    /// <summary>As <see cref="NormalizeKey(ReadOnlySpan{char})"/>, returning <paramref name="keyPath"/> itself when it
    /// is already normal (no allocation on the hot path: readers create an identity per value).</summary>
    public static string NormalizeKey(string keyPath)
    {
        ArgumentNullException.ThrowIfNull(keyPath);
        ReadOnlySpan<char> trimmed = keyPath.AsSpan().Trim().Trim('\\');
        return trimmed.Length == keyPath.Length && !trimmed.Contains("\\\\", StringComparison.Ordinal) && !IsNumberedControlSet(trimmed, out _)
            ? keyPath
            : NormalizeKey(trimmed);
    }

    /// <summary>Normalises a hive-less key path: trims spaces, drops leading/trailing and doubled backslashes, and
    /// maps <c>SYSTEM\ControlSetNNN</c> to <c>SYSTEM\CurrentControlSet</c> (offline exports of the SYSTEM hive name
    /// the numbered set; SmbSign assumes it is the current one). Case is kept; comparisons ignore it.</summary>
    public static string NormalizeKey(ReadOnlySpan<char> keyPath)
    {
        keyPath = keyPath.Trim().Trim('\\');
        if (keyPath.IsEmpty)
        {
            return string.Empty;
        }

        bool clean = !keyPath.Contains("\\\\", StringComparison.Ordinal) && !IsNumberedControlSet(keyPath, out _);
        if (clean)
        {
            return keyPath.ToString();
        }

        System.Text.StringBuilder sb = new(keyPath.Length + 8);
        if (IsNumberedControlSet(keyPath, out int skip))
        {
            sb.Append("SYSTEM\\CurrentControlSet");
            keyPath = keyPath[skip..];
        }

        char previous = '\0';
        foreach (char c in keyPath)
        {
            if (c == '\\' && previous == '\\')
            {
                continue;
            }

            sb.Append(c);
            previous = c;
        }

        return sb.ToString();
    }

    private static bool IsNumberedControlSet(ReadOnlySpan<char> key, out int length)
    {
        length = 0;
        if (!key.StartsWith(ControlSetPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        int i = ControlSetPrefix.Length;
        int digits = 0;
        while (i < key.Length && char.IsAsciiDigit(key[i]))
        {
            i++;
            digits++;
        }

        if (digits == 0 || (i < key.Length && key[i] != '\\'))
        {
            return false;
        }

        length = i;
        return true;
    }
}
