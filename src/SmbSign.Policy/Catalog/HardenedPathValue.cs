using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SmbSign.Policy.Catalog;

/// <summary>
/// The data of one Hardened UNC Paths entry, e.g. <c>RequireMutualAuthentication=1, RequireIntegrity=1</c>.
/// Parsed, so that order, spacing and case do not matter when comparing (HardeningKitty #13). A flag that is absent is null.
/// </summary>
public sealed record HardenedPathValue(bool? RequireMutualAuthentication, bool? RequireIntegrity, bool? RequirePrivacy)
{
    /// <summary>True when the entry makes the client require signing (RequireIntegrity=1).</summary>
    public bool RequiresSigning => RequireIntegrity == true;

    /// <summary>True when the entry makes the client require encryption (RequirePrivacy=1).</summary>
    public bool RequiresEncryption => RequirePrivacy == true;

    /// <summary>Parses <c>Name=0|1</c> pairs separated by commas or semicolons; names are case-insensitive.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out HardenedPathValue? value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = null;
        error = string.Empty;
        bool? mutual = null;
        bool? integrity = null;
        bool? privacy = null;
        string[] parts = text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            error = "empty Hardened UNC Paths value; expected e.g. RequireMutualAuthentication=1, RequireIntegrity=1";
            return false;
        }

        foreach (string part in parts)
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? part : part[..eq].Trim();
            string flagText = eq < 0 ? string.Empty : part[(eq + 1)..].Trim();
            bool? flag = flagText switch
            {
                "1" => true,
                "0" => false,
                _ => null,
            };
            if (flag is null)
            {
                error = $"'{part}' in a Hardened UNC Paths value: expected Name=0 or Name=1";
                return false;
            }

            if (name.Equals("RequireMutualAuthentication", StringComparison.OrdinalIgnoreCase))
            {
                mutual = flag;
            }
            else if (name.Equals("RequireIntegrity", StringComparison.OrdinalIgnoreCase))
            {
                integrity = flag;
            }
            else if (name.Equals("RequirePrivacy", StringComparison.OrdinalIgnoreCase))
            {
                privacy = flag;
            }
            else
            {
                error = $"unknown Hardened UNC Paths flag '{name}'; expected RequireMutualAuthentication, RequireIntegrity or RequirePrivacy";
                return false;
            }
        }

        value = new HardenedPathValue(mutual, integrity, privacy);
        return true;
    }

    /// <summary>Canonical text: flags in the order mutual authentication, integrity, privacy, separated by ", ".</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        Append(builder, "RequireMutualAuthentication", RequireMutualAuthentication);
        Append(builder, "RequireIntegrity", RequireIntegrity);
        Append(builder, "RequirePrivacy", RequirePrivacy);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string name, bool? flag)
    {
        if (flag is null)
        {
            return;
        }

        if (builder.Length > 0)
        {
            builder.Append(", ");
        }

        builder.Append(name).Append('=').Append(flag.Value ? '1' : '0');
    }
}
