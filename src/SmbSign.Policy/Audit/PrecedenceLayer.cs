using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>
/// Where a value sits in Windows' order of precedence; a higher layer wins over a lower one for the same setting
/// (docs/cli/audit.md, "Precedence"). Within one layer the source read last wins, and within one file the later line.
/// </summary>
public enum PrecedenceLayer
{
    /// <summary>A value in the service's own key (<c>...\Services\LanmanWorkstation\Parameters</c>) from a .reg export or
    /// the live registry, or a Samba/macOS configuration file: what is stored locally.</summary>
    Local = 0,

    /// <summary>What the OS reports as effective (<c>Get-SmbClientConfiguration</c> / <c>Get-SmbServerConfiguration</c>).</summary>
    Effective = 1,

    /// <summary>Intune (MDM): Settings Catalog or custom OMA-URI profiles, or a PolicyManager record.</summary>
    Mdm = 2,

    /// <summary>Group Policy: Registry.pol, GptTmpl.inf / secedit templates, or a value under <c>HKLM\SOFTWARE\Policies</c>.
    /// By default Windows lets Group Policy win over MDM for the same setting (MDMWinsOverGP unset).</summary>
    GroupPolicy = 3,
}

/// <summary>Ranks observations.</summary>
public static class PrecedenceLayers
{
    /// <summary>The layer of a value read from a source of <paramref name="format"/> at a location of kind <paramref name="kind"/>.</summary>
    public static PrecedenceLayer Of(SourceFormat format, RegistryLocationKind kind)
    {
        if (kind == RegistryLocationKind.Policy)
        {
            return PrecedenceLayer.GroupPolicy;
        }

        if (kind == RegistryLocationKind.PolicyManager)
        {
            return PrecedenceLayer.Mdm;
        }

        return format switch
        {
            SourceFormat.RegistryPol or SourceFormat.SecurityTemplate or SourceFormat.GpoBackup => PrecedenceLayer.GroupPolicy,
            SourceFormat.IntuneJson => PrecedenceLayer.Mdm,
            SourceFormat.PowerShellJson => PrecedenceLayer.Effective,
            _ => PrecedenceLayer.Local,
        };
    }

    /// <summary>"group policy", "intune", "effective (PowerShell)", "local".</summary>
    public static string Describe(this PrecedenceLayer layer) => layer switch
    {
        PrecedenceLayer.GroupPolicy => "group policy",
        PrecedenceLayer.Mdm => "intune",
        PrecedenceLayer.Effective => "effective (PowerShell)",
        _ => "local",
    };

    /// <summary>The token used in JSON: <c>group-policy</c>, <c>intune</c>, <c>effective</c>, <c>local</c>.</summary>
    public static string ToToken(this PrecedenceLayer layer) => layer switch
    {
        PrecedenceLayer.GroupPolicy => "group-policy",
        PrecedenceLayer.Mdm => "intune",
        PrecedenceLayer.Effective => "effective",
        _ => "local",
    };
}
