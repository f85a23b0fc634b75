using System.Diagnostics.CodeAnalysis;

namespace SmbSign.Policy.Catalog;

/// <summary>
/// One Hardened UNC Paths entry: a UNC pattern (<c>\\*\SYSVOL</c>, <c>\\fs1\*</c>, <c>\\fs1\share</c>) and its flags.
/// A pattern matches the share it names and everything below it; <c>*</c> stands for any server or any share.
/// </summary>
public sealed record HardenedPathRule(string Pattern, HardenedPathValue Value)
{
    /// <summary>True when <paramref name="uncPath"/> (e.g. <c>\\dc1.corp.example\SYSVOL\corp.example\Policies</c>) falls under <see cref="Pattern"/>.</summary>
    public bool Matches(string uncPath)
    {
        if (!TrySplit(Pattern, out string? patternServer, out string? patternShare)
            || !TrySplit(uncPath, out string? server, out string? share))
        {
            return false;
        }

        return Part(patternServer, server) && Part(patternShare, share);

        static bool Part(string pattern, string actual) =>
            pattern == "*" || string.Equals(pattern, actual, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Splits <c>\\server\share[\rest]</c> (forward slashes accepted) into server and share; false when it is not a UNC path with a share.</summary>
    public static bool TrySplit(string uncPath, [NotNullWhen(true)] out string? server, [NotNullWhen(true)] out string? share)
    {
        ArgumentNullException.ThrowIfNull(uncPath);
        server = null;
        share = null;
        string p = uncPath.Trim().Replace('/', '\\');
        if (!p.StartsWith("\\\\", StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = p[2..].Split('\\', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            return false;
        }

        server = parts[0];
        share = parts[1];
        return true;
    }
}
