using System.Collections.Immutable;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Catalog;

/// <summary>
/// One SMB signing or hardening setting in every management channel: GPO, registry, Policy CSP, Settings Catalog,
/// PowerShell, Samba, macOS; its values, its defaults per OS and the CIS items that cover it.
/// Instances come from the embedded catalog (<see cref="SettingsCatalog.Default"/>); they are immutable.
/// </summary>
public sealed record SettingDefinition
{
    /// <summary>Stable id: <c>client.RequireSecuritySignature</c>, <c>server.SMB1</c>, <c>system.LmCompatibilityLevel</c>. Never renumbered.</summary>
    public required string Id { get; init; }

    public required SettingSide Side { get; init; }

    /// <summary>A short human name ("Client: digitally sign communications (always)").</summary>
    public required string Title { get; init; }

    /// <summary>What the setting does, in two or three sentences.</summary>
    public required string Summary { get; init; }

    /// <summary>Other names users type for it (matched case-insensitively by <see cref="SettingsCatalog.Find"/>).</summary>
    public ImmutableArray<string> Aliases { get; init; } = [];

    public GpoMapping? Gpo { get; init; }

    /// <summary>The primary registry location: the one Windows reads (service key) or, for Administrative Templates, the policy key.</summary>
    public required RegistryLocation Registry { get; init; }

    public required RegistryValueType ValueType { get; init; }

    /// <summary>Other forms: the policy key or service key counterpart, and known misplacements. The PolicyManager record is in <see cref="AllRegistryLocations"/>.</summary>
    public ImmutableArray<RegistryLocation> AlternateRegistry { get; init; } = [];

    public required ValueSpec Values { get; init; }

    public CspMapping? Csp { get; init; }

    public SettingsCatalogMapping? SettingsCatalog { get; init; }

    public PowerShellMapping? PowerShell { get; init; }

    /// <summary>The Samba smb.conf counterpart.</summary>
    public ConfMapping? Samba { get; init; }

    /// <summary>The macOS nsmb.conf counterpart.</summary>
    public ConfMapping? MacOs { get; init; }

    /// <summary>Which dialects the setting affects; the two "if ... agrees" settings are <see cref="DialectScope.Smb1Only"/>.</summary>
    public required DialectScope Dialects { get; init; }

    /// <summary>Default rules in order; the first matching one gives the value for an OS profile (see <see cref="OsDefaults"/>).</summary>
    public ImmutableArray<DefaultRule> Defaults { get; init; } = [];

    public ImmutableArray<CisReference> Cis { get; init; } = [];

    public ImmutableArray<BaselineReference> Baselines { get; init; } = [];

    public ImmutableArray<string> Notes { get; init; } = [];

    /// <summary>The value name (<c>RequireSecuritySignature</c>).</summary>
    public string ValueName => Registry.ValueName;

    /// <summary>The policy-key form (<c>HKLM\SOFTWARE\Policies\...</c>) when one exists.</summary>
    public RegistryLocation? PolicyKey =>
        Registry.Kind == RegistryLocationKind.Policy ? Registry : AlternateRegistry.FirstOrDefault(l => l.Kind == RegistryLocationKind.Policy);

    /// <summary>The service-key form (<c>HKLM\SYSTEM\CurrentControlSet\...</c>) when one exists.</summary>
    public RegistryLocation? ServiceKey =>
        Registry.Kind == RegistryLocationKind.Service ? Registry : AlternateRegistry.FirstOrDefault(l => l.Kind == RegistryLocationKind.Service);

    /// <summary>Primary, alternates and (when there is a CSP node) the PolicyManager record.</summary>
    public IEnumerable<RegistryLocation> AllRegistryLocations
    {
        get
        {
            yield return Registry;
            foreach (RegistryLocation location in AlternateRegistry)
            {
                yield return location;
            }

            if (Csp is not null)
            {
                yield return Csp.PolicyManagerLocation;
            }
        }
    }

    public override string ToString() => Id;
}
