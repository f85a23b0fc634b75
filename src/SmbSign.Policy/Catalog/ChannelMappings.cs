using System.Collections.Immutable;

namespace SmbSign.Policy.Catalog;

/// <summary>Whether a GPO setting is a Security Option (GptTmpl.inf) or an Administrative Template (Registry.pol).</summary>
public enum GpoKind
{
    /// <summary>Computer Configuration › Windows Settings › Security Settings › Local Policies › Security Options; stored in GptTmpl.inf [Registry Values].</summary>
    SecurityOption,

    /// <summary>Computer Configuration › Administrative Templates; stored in Registry.pol.</summary>
    AdministrativeTemplate,
}

/// <summary>Where a setting is in the Group Policy editor.</summary>
/// <param name="Path">The folder, e.g. <c>Computer Configuration\Administrative Templates\Network\Lanman Workstation</c>.</param>
/// <param name="DisplayName">The policy's name as the editor shows it.</param>
public sealed record GpoMapping(string Path, string DisplayName, GpoKind Kind, string? Note = null);

/// <summary>The Policy CSP node (Intune custom OMA-URI).</summary>
/// <param name="OmaUri">e.g. <c>./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/MicrosoftNetworkClient_DigitallySignCommunicationsAlways</c>.</param>
/// <param name="DataType">"int" or "string" (ADMX-backed nodes take a string with <c>&lt;enabled/&gt;&lt;data .../&gt;</c>).</param>
/// <param name="Since">First Windows version that has the node, when known.</param>
public sealed record CspMapping(string OmaUri, string DataType, string? Since, Confidence Confidence, string? Note = null)
{
    private const string ConfigPrefix = "/Policy/Config/";

    /// <summary>The CSP area (<c>LocalPoliciesSecurityOptions</c>, <c>LanmanWorkstation</c>, ...).</summary>
    public string Area => Segments().Area;

    /// <summary>The node name (<c>MicrosoftNetworkClient_DigitallySignCommunicationsAlways</c>).</summary>
    public string Node => Segments().Node;

    /// <summary>Where Intune records the applied value: <c>HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Area</c>, value <c>Node</c>.</summary>
    public RegistryLocation PolicyManagerLocation =>
        new("HKLM\\SOFTWARE\\Microsoft\\PolicyManager\\current\\device\\" + Area, Node, RegistryLocationKind.PolicyManager,
            "Intune (MDM) records the value here; <Node>_WinningProvider names the provider. The OS value is what SMB uses.");

    private (string Area, string Node) Segments()
    {
        int start = OmaUri.IndexOf(ConfigPrefix, StringComparison.OrdinalIgnoreCase);
        string rest = start < 0 ? OmaUri : OmaUri[(start + ConfigPrefix.Length)..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (string.Empty, rest) : (rest[..slash], rest[(slash + 1)..]);
    }
}

/// <summary>The shape of a Settings Catalog setting instance.</summary>
public enum SettingsCatalogKind
{
    /// <summary>deviceManagementConfigurationChoiceSettingInstance: value = definition id + "_" + option.</summary>
    Choice,

    /// <summary>deviceManagementConfigurationSimpleSettingInstance with an integer value.</summary>
    Integer,

    /// <summary>deviceManagementConfigurationGroupSettingCollectionInstance (Hardened UNC Paths: _key / _value children).</summary>
    GroupCollection,
}

/// <summary>One Settings Catalog choice option and the registry value it produces.</summary>
/// <param name="Value">The registry value the option writes, as text ("1", "785", "4").</param>
/// <param name="OptionId">The option's itemId, e.g. <c>..._digitallysigncommunicationsalways_1</c>.</param>
public sealed record SettingsCatalogOption(string Value, string OptionId);

/// <summary>The Intune Settings Catalog definition of a setting.</summary>
/// <param name="DefinitionId">settingDefinitionId, e.g. <c>device_vendor_msft_policy_config_lanmanworkstation_enableinsecureguestlogons</c>.</param>
/// <param name="EnabledOptionId">For ADMX policies whose value sits in a child setting: the parent option that enables the policy.</param>
/// <param name="ChildDefinitionId">For such policies: the child setting that carries the value (SMBv1 client driver).</param>
public sealed record SettingsCatalogMapping(
    string DefinitionId,
    SettingsCatalogKind Kind,
    ImmutableArray<SettingsCatalogOption> Options,
    string? EnabledOptionId,
    string? ChildDefinitionId,
    Confidence Confidence,
    string? Note = null)
{
    /// <summary>The option id that writes <paramref name="value"/>, or null.</summary>
    public string? OptionFor(SettingValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string text = value.ToString();
        foreach (SettingsCatalogOption option in Options)
        {
            if (string.Equals(option.Value, text, StringComparison.Ordinal))
            {
                return option.OptionId;
            }
        }

        return null;
    }
}

/// <summary>The SmbShare PowerShell cmdlet and property that read and write a setting.</summary>
/// <param name="Cmdlet">e.g. <c>Set-SmbClientConfiguration</c>.</param>
/// <param name="Property">e.g. <c>RequireSecuritySignature</c> (also the property of <c>Get-SmbClientConfiguration</c> output).</param>
/// <param name="Type">The property type as PowerShell shows it (Boolean, UInt32, String[], ...).</param>
public sealed record PowerShellMapping(string Cmdlet, string Property, string Type, string? Note = null);

/// <summary>A text value of a configuration file and the Windows registry value it corresponds to.</summary>
/// <param name="Text">The value as written in the file ("mandatory", "yes", "SMB3_11").</param>
/// <param name="Value">The corresponding Windows registry value, or null when there is no exact counterpart.</param>
/// <param name="Aliases">Other spellings the file format accepts for the same value.</param>
public sealed record ConfValueMapping(string Text, long? Value, ImmutableArray<string> Aliases, string? Note = null)
{
    /// <summary>True when <paramref name="text"/> is <see cref="Text"/> or one of <see cref="Aliases"/> (case-insensitive).</summary>
    public bool Accepts(string text) =>
        string.Equals(Text, text.Trim(), StringComparison.OrdinalIgnoreCase)
        || Aliases.Any(a => string.Equals(a, text.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>The equivalent of a setting in a Unix configuration file (Samba smb.conf, macOS nsmb.conf).</summary>
/// <param name="File">e.g. <c>smb.conf [global]</c> or <c>/etc/nsmb.conf [default]</c>.</param>
/// <param name="Parameter">e.g. <c>server signing</c>, <c>signing_required</c>.</param>
/// <param name="DefaultText">The parameter's default as the file format documents it.</param>
public sealed record ConfMapping(
    string File,
    string Parameter,
    ImmutableArray<ConfValueMapping> Values,
    string? DefaultText,
    Confidence Confidence,
    string? Note = null)
{
    /// <summary>The mapping entry for a file value, or null when the text is not a known value.</summary>
    public ConfValueMapping? Find(string text) => Values.FirstOrDefault(v => v.Accepts(text));
}

/// <summary>A CIS benchmark item that covers a setting. CIS numbers move between benchmark generations, so they are metadata, never keys.</summary>
/// <param name="Item">e.g. "2.3.8.1", "18.6.8.4".</param>
/// <param name="Generation">"older", "mid", "24H2", "all" or "intune" (see docs/reference/policy.md §6.2).</param>
/// <param name="Benchmarks">The benchmarks and versions that use this number.</param>
/// <param name="Recommended">The compliant value ("1", "785", "RequireMutualAuthentication=1, RequireIntegrity=1").</param>
/// <param name="Operator">How the value is compared: "=", "&lt;=", "&gt;=".</param>
public sealed record CisReference(
    string Item,
    string Generation,
    ImmutableArray<string> Benchmarks,
    string? Level,
    string? Recommended,
    string? Operator,
    Confidence Confidence,
    string? Note = null);

/// <summary>What another published baseline (the Microsoft Security Baseline) recommends.</summary>
public sealed record BaselineReference(string Name, string Recommended, string? Note = null);
