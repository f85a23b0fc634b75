using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Formats.SecurityTemplate;
using SmbSign.Policy.Remediation;

namespace SmbSign.Policy.Formats.GpoBackup;

/// <summary>The files of a GPO backup written by <see cref="GpoBackupWriter"/> and which settings went where.</summary>
/// <param name="BackupId">The backup's id: the name of its folder and the <c>-BackupId</c> of <c>Import-GPO</c>, "{GUID}".</param>
/// <param name="GpoId">The GPO id the backup records ("{GUID}"); Import-GPO writes into the target GPO whatever its id.</param>
/// <param name="Files">Under <c>{BackupId}/</c>: Backup.xml, bkupInfo.xml, DomainSysvol/GPO/Machine/Registry.pol (when any),
/// DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf (when any).</param>
/// <param name="SecurityOptions">Setting ids written to GptTmpl.inf.</param>
/// <param name="AdministrativeTemplates">Setting ids written to Registry.pol.</param>
/// <param name="Notes">Settings written to Registry.pol without an ADMX policy behind them, and similar remarks.</param>
public sealed record GpoFolder(
    string BackupId,
    string GpoId,
    ImmutableArray<GeneratedFile> Files,
    ImmutableArray<string> SecurityOptions,
    ImmutableArray<string> AdministrativeTemplates,
    ImmutableArray<string> Notes);

/// <summary>
/// Lays a plan out as a GPO backup in the layout <c>Backup-GPO</c> writes and <c>Import-GPO -BackupId ID -Path DIR</c>
/// (GPMC "Import Settings", <c>LGPO.exe /g DIR</c>) reads, which <see cref="GpoBackupReader"/> reads back:
/// <code>
/// {BackupId}/Backup.xml                 GroupPolicyBackupScheme: GPO core settings, client-side extensions, file list
/// {BackupId}/bkupInfo.xml               BackupInst manifest: GPO id, domain, backup time, backup id, display name
/// {BackupId}/DomainSysvol/GPO/Machine/Registry.pol                                Administrative Templates (PReg)
/// {BackupId}/DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf    Security Options
/// </code>
/// Security Options (signing, plain-text password, LM level, ...) go to GptTmpl.inf, the rest (insecure guest, Hardened
/// UNC Paths, dialects, audits, SMBv1) to Registry.pol; settings without any GPO form go to Registry.pol as plain registry
/// values and are listed in <see cref="GpoFolder.Notes"/>. The ids are derived from the content (same plan, same folder),
/// so the output is reproducible. Pure: returns bytes.
/// </summary>
public static class GpoBackupWriter
{
    /// <summary>The GPO part of a backup, under the backup folder.</summary>
    public static readonly ImmutableArray<string> GpoRoot = ["DomainSysvol", "GPO"];

    /// <summary>The GptTmpl.inf path inside the backup folder (the case GPMC writes).</summary>
    public static readonly ImmutableArray<string> SecurityTemplatePath = [.. GpoRoot, "Machine", "microsoft", "windows nt", "SecEdit", "GptTmpl.inf"];

    /// <summary>The machine Registry.pol path inside the backup folder.</summary>
    public static readonly ImmutableArray<string> RegistryPolPath = [.. GpoRoot, "Machine", "Registry.pol"];

    /// <summary>The domain recorded in the backup: the backup was not taken from a domain, and a reserved name
    /// (RFC 2606) says so; Import-GPO imports the settings into a GPO of any domain.</summary>
    public const string Domain = "smbsign.invalid";

    // Client-side extension and snap-in ids in gPCMachineExtensionNames form ([MS-GPOL] 2.2.4, [MS-GPREG] 1.9, [MS-GPSB] 1.9).
    private const string RegistryExtension = "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}";
    private const string RegistryTool = "{D02B1F72-3407-48AE-BA88-E8213C6761F1}";
    private const string SecurityExtension = "{827D319E-6EAC-11D2-A4EA-00C04F79F83A}";
    private const string SecurityTool = "{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}";
    private const string FolderExtension = "{F15C46CD-82A0-4C2D-A210-5D0D3182A418}";

    /// <summary>Builds the backup's files for <paramref name="plan"/>; <paramref name="displayName"/> names the GPO
    /// (default: the plan's title), <paramref name="backupTime"/> goes into bkupInfo.xml (default: the Unix epoch, so the
    /// bytes depend on the plan only).</summary>
    public static GpoFolder Write(RemediationPlan plan, string? displayName = null, DateTimeOffset? backupTime = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        List<RegistryChange> inf = [];
        List<RegistryChange> pol = [];
        List<string> security = [];
        List<string> templates = [];
        List<string> notes = [];
        foreach (RemediationItem item in plan.Items)
        {
            var change = new RegistryChange(item.Identity, item.RegistryValue, RegistryChanges.CommentOf(item));
            if (item.Setting.Gpo?.Kind == GpoKind.SecurityOption)
            {
                inf.Add(change);
                security.Add(item.Setting.Id);
            }
            else
            {
                pol.Add(change);
                templates.Add(item.Setting.Id);
                if (item.Setting.Gpo is null)
                {
                    notes.Add($"{item.Setting.Id}: no Group Policy setting exists; written to Registry.pol as a plain registry value under {item.Setting.Registry.Key} (it stays after the GPO is removed)");
                }
            }
        }

        string name = displayName ?? plan.Title;
        byte[]? polBytes = pol.Count > 0 ? RegistryPolWriter.Write(pol) : null;
        byte[]? infBytes = inf.Count > 0 ? SecurityTemplateWriter.Write(inf) : null;
        string gpoId = ContentGuid("gpo", name, polBytes, infBytes);
        string backupId = ContentGuid("backup", name, polBytes, infBytes);
        DateTimeOffset time = backupTime ?? DateTimeOffset.UnixEpoch;

        List<GeneratedFile> files =
        [
            new([backupId, "Backup.xml"], Encoding.UTF8.GetBytes(BackupXml(gpoId, name, polBytes is not null, infBytes is not null))),
            new([backupId, "bkupInfo.xml"], Encoding.UTF8.GetBytes(BackupInfoXml(gpoId, backupId, name, time))),
        ];
        if (polBytes is not null)
        {
            files.Add(new GeneratedFile([backupId, .. RegistryPolPath], polBytes));
        }

        if (infBytes is not null)
        {
            files.Add(new GeneratedFile([backupId, .. SecurityTemplatePath], infBytes));
        }

        return new GpoFolder(backupId, gpoId, [.. files], [.. security], [.. templates], [.. notes]);
    }

    /// <summary>Backup.xml: the <c>GroupPolicyBackupScheme</c> document GPMC writes, with the core settings Import-GPO uses
    /// (display name, machine version 1, the client-side extensions in use) and one <c>FSObjectFile</c> per policy file.</summary>
    public static string BackupXml(string gpoId, string displayName, bool registryPol, bool securityTemplate)
    {
        ArgumentNullException.ThrowIfNull(gpoId);
        ArgumentNullException.ThrowIfNull(displayName);
        var extensions = new StringBuilder();
        if (registryPol)
        {
            extensions.Append('[').Append(RegistryExtension).Append(RegistryTool).Append(']');
        }

        if (securityTemplate)
        {
            extensions.Append('[').Append(SecurityExtension).Append(SecurityTool).Append(']');
        }

        var b = new StringBuilder();
        b.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n");
        b.Append("<GroupPolicyBackupScheme bkp:version=\"2.0\" bkp:type=\"GroupPolicyBackupTemplate\" xmlns:bkp=\"http://www.microsoft.com/GroupPolicy/GPOOperations\" xmlns=\"http://www.microsoft.com/GroupPolicy/GPOOperations\">\r\n");
        b.Append("  <GroupPolicyObject>\r\n");
        b.Append("    <SecurityGroups/>\r\n");
        b.Append("    <FilePaths/>\r\n");
        b.Append("    <GroupPolicyCoreSettings>\r\n");
        b.Append("      <ID>").Append(Cdata(gpoId)).Append("</ID>\r\n");
        b.Append("      <Domain>").Append(Cdata(Domain)).Append("</Domain>\r\n");
        b.Append("      <DisplayName>").Append(Cdata(displayName)).Append("</DisplayName>\r\n");
        b.Append("      <Options>").Append(Cdata("0")).Append("</Options>\r\n");
        b.Append("      <UserVersionNumber>").Append(Cdata("0")).Append("</UserVersionNumber>\r\n");
        b.Append("      <MachineVersionNumber>").Append(Cdata("1")).Append("</MachineVersionNumber>\r\n");
        b.Append("      <MachineExtensionGuids>").Append(extensions.Length == 0 ? string.Empty : Cdata(extensions.ToString())).Append("</MachineExtensionGuids>\r\n");
        b.Append("      <UserExtensionGuids/>\r\n");
        b.Append("      <WMIFilter/>\r\n");
        b.Append("    </GroupPolicyCoreSettings>\r\n");
        if (registryPol)
        {
            b.Append("    <GroupPolicyExtension bkp:ID=\"").Append(RegistryExtension).Append("\" bkp:DescName=\"Registry\">\r\n");
            b.Append("      <FSObjectFile bkp:Path=\"%GPO_MACH_FSPATH%\\Registry.pol\" bkp:Location=\"DomainSysvol\\GPO\\Machine\\Registry.pol\"/>\r\n");
            b.Append("    </GroupPolicyExtension>\r\n");
        }

        if (securityTemplate)
        {
            b.Append("    <GroupPolicyExtension bkp:ID=\"").Append(SecurityExtension).Append("\" bkp:DescName=\"Security\">\r\n");
            b.Append("      <FSObjectFile bkp:Path=\"%GPO_MACH_FSPATH%\\microsoft\\windows nt\\SecEdit\\GptTmpl.inf\" bkp:ReEvaluateFunction=\"SecurityValidateSettings\" bkp:Location=\"DomainSysvol\\GPO\\Machine\\microsoft\\windows nt\\SecEdit\\GptTmpl.inf\"/>\r\n");
            b.Append("    </GroupPolicyExtension>\r\n");
            b.Append("    <GroupPolicyExtension bkp:ID=\"").Append(FolderExtension).Append("\" bkp:DescName=\"Unknown Extension\">\r\n");
            foreach (string dir in new[] { "microsoft", "microsoft\\windows nt", "microsoft\\windows nt\\SecEdit" })
            {
                b.Append("      <FSObjectDir bkp:Path=\"%GPO_MACH_FSPATH%\\").Append(dir).Append("\" bkp:Location=\"DomainSysvol\\GPO\\Machine\\").Append(dir).Append("\"/>\r\n");
            }

            b.Append("    </GroupPolicyExtension>\r\n");
        }

        b.Append("  </GroupPolicyObject>\r\n");
        b.Append("</GroupPolicyBackupScheme>\r\n");
        return b.ToString();
    }

    /// <summary>bkupInfo.xml: the <c>BackupInst</c> manifest GPMC lists backups by.</summary>
    public static string BackupInfoXml(string gpoId, string backupId, string displayName, DateTimeOffset backupTime)
    {
        ArgumentNullException.ThrowIfNull(gpoId);
        ArgumentNullException.ThrowIfNull(backupId);
        ArgumentNullException.ThrowIfNull(displayName);
        var b = new StringBuilder();
        b.Append("<BackupInst xmlns=\"http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest\">\r\n");
        b.Append("  <GPOGuid>").Append(Cdata(gpoId)).Append("</GPOGuid>\r\n");
        b.Append("  <GPODomain>").Append(Cdata(Domain)).Append("</GPODomain>\r\n");
        b.Append("  <GPODomainGuid>").Append(Cdata("{00000000-0000-0000-0000-000000000000}")).Append("</GPODomainGuid>\r\n");
        b.Append("  <GPODomainController>").Append(Cdata(Domain)).Append("</GPODomainController>\r\n");
        b.Append("  <BackupTime>").Append(backupTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)).Append("</BackupTime>\r\n");
        b.Append("  <ID>").Append(Cdata(backupId)).Append("</ID>\r\n");
        b.Append("  <Comment>").Append(Cdata("Written by smbsign fix; import with Import-GPO -BackupId " + backupId)).Append("</Comment>\r\n");
        b.Append("  <GPODisplayName>").Append(Cdata(displayName)).Append("</GPODisplayName>\r\n");
        b.Append("</BackupInst>\r\n");
        return b.ToString();
    }

    /// <summary>A CDATA section holding <paramref name="text"/>: characters XML 1.0 forbids become '_', and "]]&gt;" is
    /// split across two sections so it cannot end the first early.</summary>
    private static string Cdata(string text)
    {
        string safe = new([.. text.Select(c => c is '\t' or '\n' or '\r' || (c >= ' ' && !char.IsSurrogate(c) && c is not '\uFFFE' and not '\uFFFF') ? c : '_')]);
        return "<![CDATA[" + safe.Replace("]]>", "]]]]><![CDATA[>", StringComparison.Ordinal) + "]]>";
    }

    /// <summary>"{XXXXXXXX-...}" from a SHA-256 of the content, with the RFC 9562 version (8, custom) and variant bits set.</summary>
    private static string ContentGuid(string purpose, string name, byte[]? pol, byte[]? inf)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(purpose + "\n" + name + "\n"));
        hash.AppendData(pol ?? []);
        hash.AppendData([0]);
        hash.AppendData(inf ?? []);
        byte[] digest = hash.GetHashAndReset();
        Span<byte> bytes = digest.AsSpan(0, 16);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("B").ToUpperInvariant();
    }
}
