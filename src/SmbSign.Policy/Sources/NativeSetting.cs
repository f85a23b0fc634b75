using System.Globalization;

namespace SmbSign.Policy.Sources;

/// <summary>Well-known <see cref="NativeSetting.Scheme"/> values.</summary>
public static class NativeSchemes
{
    /// <summary>A property of <c>Get-SmbClientConfiguration</c> (PascalCase name as PowerShell prints it).</summary>
    public const string SmbClientConfiguration = "Get-SmbClientConfiguration";

    /// <summary>A property of <c>Get-SmbServerConfiguration</c>.</summary>
    public const string SmbServerConfiguration = "Get-SmbServerConfiguration";

    /// <summary>A Settings Catalog <c>settingDefinitionId</c> (lower case).</summary>
    public const string IntuneSettingsCatalog = "intune-settings-catalog";

    /// <summary>A custom-profile OMA-URI (<c>./Device/Vendor/MSFT/Policy/Config/…</c>).</summary>
    public const string IntuneOmaUri = "intune-oma-uri";

    /// <summary>A property of a legacy Graph device configuration (e.g. windows10EndpointProtectionConfiguration).</summary>
    public const string IntuneDeviceConfiguration = "intune-device-configuration";

    /// <summary>A Samba smb.conf parameter (canonical Samba name, section in <see cref="NativeSetting.Section"/>).</summary>
    public const string SmbConf = "smb.conf";

    /// <summary>A macOS nsmb.conf key (section in <see cref="NativeSetting.Section"/>).</summary>
    public const string NsmbConf = "nsmb.conf";
}

/// <summary>A setting's identity in its own format: a PowerShell property, a Settings Catalog id, an OMA-URI, an
/// smb.conf parameter (canonical name) or an nsmb.conf key. Names compare case-insensitively.</summary>
/// <param name="Scheme">One of <see cref="NativeSchemes"/>.</param>
/// <param name="Section">INI section (<c>global</c>, <c>default</c>, a share) or null.</param>
/// <param name="Name">The setting's name in that format.</param>
public sealed record NativeSetting(string Scheme, string? Section, string Name)
{
    /// <inheritdoc/>
    public bool Equals(NativeSetting? other) =>
        other is not null
        && string.Equals(Scheme, other.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Section, other.Section, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(
        StringComparer.OrdinalIgnoreCase.GetHashCode(Scheme),
        Section is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Section),
        StringComparer.OrdinalIgnoreCase.GetHashCode(Name));

    /// <summary><c>smb.conf [global] server signing</c>, <c>Get-SmbClientConfiguration RequireSecuritySignature</c>.</summary>
    public override string ToString() => Section is null ? $"{Scheme} {Name}" : $"{Scheme} [{Section}] {Name}";
}

/// <summary>A value as the native format wrote it (<see cref="Text"/>) and its normalised meaning
/// (<see cref="Normalized"/>): booleans <c>true</c>/<c>false</c>, integers in invariant decimal, enumerations as
/// the format's canonical token (smb.conf signing: <c>default</c>, <c>disabled</c>, <c>if_required</c>,
/// <c>desired</c>, <c>required</c>; protocols <c>SMB3_11</c>…), Intune choices as the option suffix (<c>1</c>,
/// <c>785</c>), lists joined with <c>", "</c>.</summary>
public sealed record NativeValue(string Text, string Normalized)
{
    /// <summary>The normalised value as a boolean (<c>true</c>/<c>false</c>).</summary>
    public bool TryGetBoolean(out bool value)
    {
        if (string.Equals(Normalized, "true", StringComparison.Ordinal))
        {
            value = true;
            return true;
        }

        value = false;
        return string.Equals(Normalized, "false", StringComparison.Ordinal);
    }

    /// <summary>The normalised value as an integer.</summary>
    public bool TryGetInt64(out long value) =>
        long.TryParse(Normalized, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary>The text as written.</summary>
    public override string ToString() => Text;
}
