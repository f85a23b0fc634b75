using System.Collections.Frozen;

namespace SmbSign.Policy.Sources;

/// <summary>How a mapped setting's registry value(s) are laid out.</summary>
public enum SettingMappingKind
{
    /// <summary>One value: <see cref="SettingMapping.KeyPath"/> + <see cref="SettingMapping.ValueName"/>.</summary>
    Value,

    /// <summary>Hardened UNC Paths: the value names are UNC patterns (<c>\\*\NETLOGON</c>), the data REG_SZ flags.</summary>
    HardenedPaths,
}

/// <summary>One row of <see cref="SettingMap"/>: the registry value a native setting stands for.</summary>
/// <param name="KeyPath">Hive-less HKLM key.</param>
/// <param name="ValueName">Value name (empty for <see cref="SettingMappingKind.HardenedPaths"/>).</param>
/// <param name="Type">The registry type Windows uses.</param>
/// <param name="PowerShellClientProperty"><c>Get-SmbClientConfiguration</c> property, if any.</param>
/// <param name="PowerShellServerProperty"><c>Get-SmbServerConfiguration</c> property, if any.</param>
/// <param name="CspNode">Policy CSP node under <c>./Device/Vendor/MSFT/Policy/Config/</c>, if any.</param>
/// <param name="CatalogId">Settings Catalog id whose option suffix (choice) or integer (simple) is the value.</param>
/// <param name="AdmxDataId">ADMX <c>&lt;data id=…&gt;</c> element carrying the value in a custom OMA-URI string.</param>
/// <param name="Evidence">Where the mapping comes from (docs/reference/policy.md section).</param>
/// <param name="Kind">Single value or Hardened UNC Paths list.</param>
public sealed record SettingMapping(
    string KeyPath,
    string ValueName,
    RegistryValueType Type,
    string? PowerShellClientProperty,
    string? PowerShellServerProperty,
    string? CspNode,
    string? CatalogId,
    string? AdmxDataId,
    string Evidence,
    SettingMappingKind Kind = SettingMappingKind.Value)
{
    /// <summary>The registry identity (value name empty for Hardened UNC Paths).</summary>
    public RegistryIdentity Identity => new(KeyPath, ValueName);
}

/// <summary>The mapping from native identities (PowerShell properties, Intune CSP nodes and Settings Catalog ids)
/// to the registry values they stand for, as documented in docs/reference/policy.md §1, §2.1, §2.2 and §7.5. One static
/// table so that every reader maps the same way. (The settings catalog may absorb this table later; until then
/// this is the single place to add a mapping.)
/// <para>PowerShell values are effective values, not configuration: the readers mark them with their format
/// (<see cref="SourceFormat.PowerShellJson"/>) so the snapshot builder can rank them.</para></summary>
public static class SettingMap
{
    /// <summary>CSP node prefix in OMA-URIs.</summary>
    public const string CspPrefix = "./Device/Vendor/MSFT/Policy/Config/";

    /// <summary>Settings Catalog id prefix.</summary>
    public const string CatalogPrefix = "device_vendor_msft_policy_config_";

    private const string Workstation = @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters";
    private const string Server = @"SYSTEM\CurrentControlSet\Services\LanManServer\Parameters";
    private const string PolicyWorkstation = @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation";
    private const string PolicyServer = @"SOFTWARE\Policies\Microsoft\Windows\LanmanServer";
    private const string SecurityOptions = "LocalPoliciesSecurityOptions/";

    private static readonly FrozenDictionary<string, SettingMapping> _client;
    private static readonly FrozenDictionary<string, SettingMapping> _server;
    private static readonly FrozenDictionary<string, SettingMapping> _catalog;
    private static readonly FrozenDictionary<string, SettingMapping> _csp;

    static SettingMap()
    {
        Entries =
        [
            // §1: the four signing settings (Security Options → Parameters keys).
            new(Workstation, "RequireSecuritySignature", RegistryValueType.DWord, "RequireSecuritySignature", null, SecurityOptions + "MicrosoftNetworkClient_DigitallySignCommunicationsAlways", null, null, "policy.md §1"),
            new(Workstation, "EnableSecuritySignature", RegistryValueType.DWord, "EnableSecuritySignature", null, SecurityOptions + "MicrosoftNetworkClient_DigitallySignCommunicationsIfServerAgrees", null, null, "policy.md §1"),
            new(Server, "RequireSecuritySignature", RegistryValueType.DWord, null, "RequireSecuritySignature", SecurityOptions + "MicrosoftNetworkServer_DigitallySignCommunicationsAlways", null, null, "policy.md §1"),
            new(Server, "EnableSecuritySignature", RegistryValueType.DWord, null, "EnableSecuritySignature", SecurityOptions + "MicrosoftNetworkServer_DigitallySignCommunicationsIfClientAgrees", null, null, "policy.md §1"),

            // §2.1: other Security Options.
            new(Workstation, "EnablePlainTextPassword", RegistryValueType.DWord, null, null, SecurityOptions + "MicrosoftNetworkClient_SendUnencryptedPasswordToThirdPartySMBServers", null, null, "policy.md §2.1"),
            new(Server, "AutoDisconnect", RegistryValueType.DWord, null, "AutoDisconnectTimeout", SecurityOptions + "MicrosoftNetworkServer_AmountOfIdleTimeRequiredBeforeSuspendingSession", null, null, "policy.md §2.1, §7.5"),
            new(Server, "enableforcedlogoff", RegistryValueType.DWord, null, "EnableForcedLogoff", SecurityOptions + "MicrosoftNetworkServer_DisconnectClientsWhenLogonHoursExpire", null, null, "policy.md §2.1"),
            new(Server, "SMBServerNameHardeningLevel", RegistryValueType.DWord, null, "SmbServerNameHardeningLevel", SecurityOptions + "MicrosoftNetworkServer_ServerSPNTargetNameValidationLevel", null, null, "policy.md §2.1"),
            new(@"SYSTEM\CurrentControlSet\Control\Lsa", "LmCompatibilityLevel", RegistryValueType.DWord, null, null, SecurityOptions + "NetworkSecurity_LANManagerAuthenticationLevel", null, null, "policy.md §2.1"),
            new(Server, "RestrictNullSessAccess", RegistryValueType.DWord, null, null, null, null, null, "policy.md §2.1"),
            new(Server, "NullSessionPipes", RegistryValueType.MultiString, null, "NullSessionPipes", null, null, null, "policy.md §2.1"),
            new(Server, "NullSessionShares", RegistryValueType.MultiString, null, "NullSessionShares", null, null, null, "policy.md §2.1"),

            // §2.2: Administrative Templates (SOFTWARE\Policies) and MS Security Guide.
            new(@"SYSTEM\CurrentControlSet\Services\mrxsmb10", "Start", RegistryValueType.DWord, null, null, "MSSecurityGuide/ConfigureSMBV1ClientDriver", CatalogPrefix + "mssecurityguide_configuresmbv1clientdriver_pol_secguide_smb1clientdriver", "Pol_SecGuide_SMB1ClientDriver", "policy.md §2.2"),
            new(Server, "SMB1", RegistryValueType.DWord, null, "EnableSMB1Protocol", "MSSecurityGuide/ConfigureSMBV1Server", null, null, "policy.md §2.2, §7.5"),
            new(PolicyWorkstation, "AllowInsecureGuestAuth", RegistryValueType.DWord, "EnableInsecureGuestLogons", null, "LanmanWorkstation/EnableInsecureGuestLogons", null, null, "policy.md §2.2, §7.5"),
            new(@"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths", string.Empty, RegistryValueType.String, null, null, "Connectivity/HardenedUNCPaths", CatalogPrefix + "connectivity_hardeneduncpaths_pol_hardenedpaths", "Pol_HardenedPaths", "policy.md §2.2, §7.6", SettingMappingKind.HardenedPaths),
            new(PolicyServer, "AuditClientDoesNotSupportEncryption", RegistryValueType.DWord, null, "AuditClientDoesNotSupportEncryption", "LanmanServer/AuditClientDoesNotSupportEncryption", null, null, "policy.md §2.2"),
            new(PolicyServer, "AuditClientDoesNotSupportSigning", RegistryValueType.DWord, null, "AuditClientDoesNotSupportSigning", "LanmanServer/AuditClientDoesNotSupportSigning", null, null, "policy.md §2.2"),
            new(PolicyServer, "AuditInsecureGuestLogon", RegistryValueType.DWord, null, "AuditInsecureGuestLogon", "LanmanServer/AuditInsecureGuestLogon", null, null, "policy.md §2.2"),
            new(PolicyServer, "EnableAuthRateLimiter", RegistryValueType.DWord, null, null, "LanmanServer/EnableAuthRateLimiter", null, null, "policy.md §2.2"),
            new(PolicyServer, "InvalidAuthenticationDelayTimeInMs", RegistryValueType.DWord, null, "InvalidAuthenticationDelayTimeInMs", "LanmanServer/AuthRateLimiterDelayInMs", null, null, "policy.md §2.2"),
            new(@"SOFTWARE\Policies\Microsoft\Windows\Bowser", "EnableMailslots", RegistryValueType.DWord, null, "EnableMailslots", "LanmanServer/EnableMailslots", null, null, "policy.md §2.2"),
            new(PolicyServer, "MinSmb2Dialect", RegistryValueType.DWord, null, null, "LanmanServer/MinSmb2Dialect", null, null, "policy.md §2.2"),
            new(PolicyServer, "MaxSmb2Dialect", RegistryValueType.DWord, null, null, "LanmanServer/MaxSmb2Dialect", null, null, "policy.md §2.2"),
            new(PolicyWorkstation, "AuditInsecureGuestLogon", RegistryValueType.DWord, "AuditInsecureGuestLogon", null, "LanmanWorkstation/AuditInsecureGuestLogon", null, null, "policy.md §2.2"),
            new(PolicyWorkstation, "AuditServerDoesNotSupportEncryption", RegistryValueType.DWord, "AuditServerDoesNotSupportEncryption", null, "LanmanWorkstation/AuditServerDoesNotSupportEncryption", null, null, "policy.md §2.2"),
            new(PolicyWorkstation, "AuditServerDoesNotSupportSigning", RegistryValueType.DWord, "AuditServerDoesNotSupportSigning", null, "LanmanWorkstation/AuditServerDoesNotSupportSigning", null, null, "policy.md §2.2"),
            new(@"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider", "EnableMailslots", RegistryValueType.DWord, "EnableMailslots", null, "LanmanWorkstation/EnableMailslots", null, null, "policy.md §2.2"),
            new(PolicyWorkstation, "MinSmb2Dialect", RegistryValueType.DWord, "Smb2DialectMin", null, "LanmanWorkstation/MinSmb2Dialect", null, null, "policy.md §2.2"),
            new(PolicyWorkstation, "MaxSmb2Dialect", RegistryValueType.DWord, "Smb2DialectMax", null, "LanmanWorkstation/MaxSmb2Dialect", null, null, "policy.md §2.2"),
            new(PolicyWorkstation, "RequireEncryption", RegistryValueType.DWord, "RequireEncryption", null, "LanmanWorkstation/RequireEncryption", null, null, "policy.md §2.2"),
        ];

        _client = Entries.Where(e => e.PowerShellClientProperty is not null).ToFrozenDictionary(e => e.PowerShellClientProperty!, StringComparer.OrdinalIgnoreCase);
        _server = Entries.Where(e => e.PowerShellServerProperty is not null).ToFrozenDictionary(e => e.PowerShellServerProperty!, StringComparer.OrdinalIgnoreCase);
        _catalog = Entries.Where(e => e.CspNode is not null).ToFrozenDictionary(CatalogIdOf, StringComparer.OrdinalIgnoreCase);
        _csp = Entries.Where(e => e.CspNode is not null).ToFrozenDictionary(e => e.CspNode!, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every mapping row.</summary>
    public static IReadOnlyList<SettingMapping> Entries { get; }

    /// <summary>The Settings Catalog id of a row: <see cref="SettingMapping.CatalogId"/>, or the CSP node lower-cased
    /// with '/' as '_' after <see cref="CatalogPrefix"/>.</summary>
    public static string CatalogIdOf(SettingMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        return mapping.CatalogId ?? CatalogPrefix + mapping.CspNode!.ToLowerInvariant().Replace('/', '_');
    }

    /// <summary>The row for a PowerShell property of the client (<paramref name="server"/> false) or server cmdlet.</summary>
    public static SettingMapping? FindPowerShell(bool server, string property) =>
        (server ? _server : _client).GetValueOrDefault(property);

    /// <summary>The row for a Settings Catalog setting definition id.</summary>
    public static SettingMapping? FindCatalogId(string settingDefinitionId) => _catalog.GetValueOrDefault(settingDefinitionId);

    /// <summary>The row for an OMA-URI (<c>./Device/Vendor/MSFT/Policy/Config/Area/Policy</c>, case-insensitive;
    /// <c>./Vendor/MSFT/…</c> accepted) or a bare <c>Area/Policy</c> node.</summary>
    public static SettingMapping? FindOmaUri(string omaUri)
    {
        ArgumentNullException.ThrowIfNull(omaUri);
        ReadOnlySpan<char> node = omaUri.AsSpan().Trim();
        int at = node.IndexOf("/Policy/Config/", StringComparison.OrdinalIgnoreCase);
        if (at >= 0)
        {
            node = node[(at + "/Policy/Config/".Length)..];
        }

        return _csp.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(node.TrimEnd('/'), out SettingMapping? mapping) ? mapping : null;
    }
}
