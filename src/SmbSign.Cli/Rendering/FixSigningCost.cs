using SmbSign.Policy.Remediation;

namespace SmbSign.Cli.Rendering;

/// <summary>The "signing cost" line of the impact report: a quick in-process measurement with the crypto engine.</summary>
internal static class FixSigningCost
{
    /// <summary>The cost, or null and why not.</summary>
    public static (SigningCost? Cost, string? Unavailable) Measure(bool wanted) =>
        wanted
            ? (null, "the SMB2 signing engine (smbsign bench signing) is not in this build")
            : (null, "nothing to change");
}
