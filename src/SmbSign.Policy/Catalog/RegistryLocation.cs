namespace SmbSign.Policy.Catalog;

/// <summary>One registry place a setting lives: a full HKLM key, a value name and what kind of location it is.</summary>
/// <param name="Key">Full key with hive, e.g. <c>HKLM\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters</c>.</param>
/// <param name="ValueName">The value name, e.g. <c>RequireSecuritySignature</c> or <c>\\*\SYSVOL</c>.</param>
/// <param name="Kind">Service key, policy key, PolicyManager record or a known misplacement.</param>
/// <param name="Note">Why this location exists or how sure we are of it.</param>
public sealed record RegistryLocation(string Key, string ValueName, RegistryLocationKind Kind, string? Note = null)
{
    /// <summary><c>Key\ValueName</c>, the way security templates and many rule lists write it.</summary>
    public string FullPath => Key + "\\" + ValueName;

    /// <summary>The key without hive (<c>SYSTEM\CurrentControlSet\...</c>), as Registry.pol and GptTmpl.inf need it.</summary>
    public string KeyWithoutHive => RegistryPath.NormalizeKey(Key);

    /// <summary>True when <paramref name="key"/> (any accepted spelling) and <paramref name="valueName"/> name this location (case-insensitive).</summary>
    public bool Matches(string key, string valueName) =>
        RegistryPath.KeysEqual(Key, key) && string.Equals(ValueName, valueName.Trim(), StringComparison.OrdinalIgnoreCase);
}
