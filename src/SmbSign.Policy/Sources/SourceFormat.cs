namespace SmbSign.Policy.Sources;

/// <summary>The configuration-source formats SmbSign reads. Detected from content, never from the file extension.</summary>
public enum SourceFormat
{
    /// <summary>Not recognised (or not read yet).</summary>
    Unknown = 0,

    /// <summary>regedit export: "Windows Registry Editor Version 5.00" (UTF-16LE) or "REGEDIT4" (ANSI).</summary>
    Reg,

    /// <summary>Security template: <c>secedit /export</c> output or a GPO's GptTmpl.inf (MS-GPSB 2.2).</summary>
    SecurityTemplate,

    /// <summary>Registry.pol, PReg version 1 (MS-GPREG).</summary>
    RegistryPol,

    /// <summary>A GPO folder or Backup-GPO folder; expands to its Registry.pol and GptTmpl.inf.</summary>
    GpoBackup,

    /// <summary><c>Get-SmbClientConfiguration</c> / <c>Get-SmbServerConfiguration</c> piped to <c>ConvertTo-Json</c>.</summary>
    PowerShellJson,

    /// <summary>Intune / Microsoft Graph JSON: custom OMA-URI profiles and Settings Catalog policies.</summary>
    IntuneJson,

    /// <summary>Samba smb.conf.</summary>
    SmbConf,

    /// <summary>macOS nsmb.conf.</summary>
    NsmbConf,

    /// <summary>The registry of the machine SmbSign runs on (Windows only).</summary>
    LiveRegistry,
}
