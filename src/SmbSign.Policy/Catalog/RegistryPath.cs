using System.Text;
using System.Text.RegularExpressions;

namespace SmbSign.Policy.Catalog;

/// <summary>
/// Normalises registry key paths so that the spellings seen in exports compare equal:
/// <c>HKLM\</c>, <c>HKLM:\</c>, <c>HKEY_LOCAL_MACHINE\</c>, <c>MACHINE\</c> (security templates),
/// <c>Registry::HKEY_LOCAL_MACHINE\</c>, <c>Computer\HKEY_LOCAL_MACHINE\</c> and hive-less keys (Registry.pol) all mean HKLM;
/// <c>ControlSet001</c> means <c>CurrentControlSet</c>; slashes, doubled and trailing backslashes are tidied.
/// Comparison is case-insensitive (<see cref="StringComparer.OrdinalIgnoreCase"/>).
/// </summary>
public static partial class RegistryPath
{
    private static readonly string[] s_hivePrefixes =
    [
        "REGISTRY::HKEY_LOCAL_MACHINE\\",
        "MICROSOFT.POWERSHELL.CORE\\REGISTRY::HKEY_LOCAL_MACHINE\\",
        "COMPUTER\\HKEY_LOCAL_MACHINE\\",
        "HKEY_LOCAL_MACHINE\\",
        "HKLM:\\",
        "HKLM\\",
        "MACHINE\\",
        "\\REGISTRY\\MACHINE\\",
    ];

    /// <summary>The key without its hive, in canonical form (e.g. <c>SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters</c>), cased as given.</summary>
    public static string NormalizeKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string k = key.Trim().Replace('/', '\\');
        while (k.Contains("\\\\", StringComparison.Ordinal))
        {
            k = k.Replace("\\\\", "\\", StringComparison.Ordinal);
        }

        foreach (string prefix in s_hivePrefixes)
        {
            if (k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                k = k[prefix.Length..];
                break;
            }
        }

        if (string.Equals(k, "HKLM", StringComparison.OrdinalIgnoreCase) || string.Equals(k, "HKEY_LOCAL_MACHINE", StringComparison.OrdinalIgnoreCase))
        {
            return string.Empty;
        }

        k = k.Trim('\\');
        return ControlSetPattern().Replace(k, "${head}CurrentControlSet");
    }

    /// <summary>True when both keys name the same HKLM key after normalisation.</summary>
    public static bool KeysEqual(string a, string b) =>
        string.Equals(NormalizeKey(a), NormalizeKey(b), StringComparison.OrdinalIgnoreCase);

    /// <summary>A lookup key for (key, value name): normalised key, a separator no key contains, the value name; upper-cased.</summary>
    internal static string IdentityOf(string key, string valueName)
    {
        var builder = new StringBuilder();
        builder.Append(NormalizeKey(key)).Append('|').Append(valueName.Trim());
        return builder.ToString().ToUpperInvariant();
    }

    [GeneratedRegex(@"^(?<head>SYSTEM\\)ControlSet\d{3}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ControlSetPattern();
}
