using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Rules;

/// <summary>
/// The registry value a rule checks and remediation writes: full HKLM key, value name and the explicit registry type
/// (never inferred from the value text; windows_hardening PR #166).
/// </summary>
/// <param name="Key">e.g. <c>HKLM\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters</c>.</param>
/// <param name="ValueName">e.g. <c>RequireSecuritySignature</c> or <c>\\*\NETLOGON</c>.</param>
/// <param name="Type">REG_DWORD, REG_SZ or REG_MULTI_SZ.</param>
public sealed record RuleRegistryValue(string Key, string ValueName, RegistryValueType Type)
{
    /// <summary><c>Key\ValueName</c>.</summary>
    public string FullPath => Key + "\\" + ValueName;
}
