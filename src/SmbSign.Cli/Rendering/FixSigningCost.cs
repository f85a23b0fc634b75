using SmbSign.Cli.Commands;
using SmbSign.Policy.Remediation;
using SmbSign.Protocol;

namespace SmbSign.Cli.Rendering;

/// <summary>The "signing cost" line of the impact report: a short in-process run of the <c>smbsign bench signing</c>
/// measurement (the same code, the same signing engine) for the algorithm most SMB 3.x sessions use.</summary>
internal static class FixSigningCost
{
    /// <summary>AES-128-CMAC: SMB 3.0 and 3.0.2, and 3.1.1 unless both sides offer AES-128-GMAC.</summary>
    public const SigningAlgorithm Algorithm = SigningAlgorithm.AesCmac;

    /// <summary>A 64 KiB message: a typical READ/WRITE size, where signing cost is per byte rather than per message.</summary>
    public const int MessageBytes = 64 * 1024;

    private const double MeasureSeconds = 0.05;

    /// <summary>The cost, or null and why not. Measured only when some plan changes a signing setting.</summary>
    public static (SigningCost? Cost, string? Unavailable) Measure(TimeProvider time, IEnumerable<RemediationPlan> plans)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(plans);
        if (!plans.Any(p => p.Items.Any(i => ChangesSigning(i.Setting.Id))))
        {
            return (null, "the plan does not change a signing setting");
        }

        SigningBenchResult result = BenchCommand.Measure(time, Algorithm, MessageBytes, MeasureSeconds);
        return result.GigabytesPerSecond > 0
            ? (new SigningCost(result.Algorithm, result.Size, result.GigabytesPerSecond, "smbsign bench signing engine, one core", result.Seconds * 1000), null)
            : (null, "the measurement returned no throughput");
    }

    /// <summary>Signing settings: the four SecuritySignature values and the Hardened UNC Paths (RequireIntegrity = signing).</summary>
    internal static bool ChangesSigning(string settingId) =>
        settingId.EndsWith("SecuritySignature", StringComparison.OrdinalIgnoreCase)
        || settingId.StartsWith("client.HardenedPaths", StringComparison.OrdinalIgnoreCase);
}
