using System.Collections.Immutable;
using System.Text;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Formats.SecurityTemplate;
using SmbSign.Policy.Remediation;

namespace SmbSign.Policy.Formats.GpoBackup;

/// <summary>The files of a GPO folder written by <see cref="GpoBackupWriter"/> and which settings went where.</summary>
/// <param name="Files">GPT.INI, Machine/Registry.pol (when any), Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf (when any).</param>
/// <param name="SecurityOptions">Setting ids written to GptTmpl.inf.</param>
/// <param name="AdministrativeTemplates">Setting ids written to Registry.pol.</param>
/// <param name="Notes">Settings written to Registry.pol without an ADMX policy behind them, and similar remarks.</param>
public sealed record GpoFolder(
    ImmutableArray<GeneratedFile> Files,
    ImmutableArray<string> SecurityOptions,
    ImmutableArray<string> AdministrativeTemplates,
    ImmutableArray<string> Notes);

/// <summary>
/// Lays a plan out as a SYSVOL-style GPO folder (docs/policy.md §7.3) that <see cref="GpoBackupReader"/> reads back:
/// <c>GPT.INI</c>, <c>Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf</c> for the Security Options (signing, plain-text
/// password, LM level, ...) and <c>Machine/Registry.pol</c> for the Administrative Templates (insecure guest, Hardened
/// UNC Paths, dialects, audits, SMBv1). Settings without any GPO form (Set-SmbServerConfiguration-only levers) go to
/// Registry.pol as plain registry values and are listed in <see cref="GpoFolder.Notes"/>. Pure: returns bytes.
/// </summary>
public static class GpoBackupWriter
{
    /// <summary>The GptTmpl.inf path inside the folder.</summary>
    public static readonly ImmutableArray<string> SecurityTemplatePath = ["Machine", "Microsoft", "Windows NT", "SecEdit", "GptTmpl.inf"];

    /// <summary>The machine Registry.pol path inside the folder.</summary>
    public static readonly ImmutableArray<string> RegistryPolPath = ["Machine", "Registry.pol"];

    /// <summary>Builds the folder's files for <paramref name="plan"/>; <paramref name="displayName"/> goes into GPT.INI.</summary>
    public static GpoFolder Write(RemediationPlan plan, string? displayName = null)
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

        List<GeneratedFile> files = [GeneratedFile.At("GPT.INI", GptIni(displayName ?? plan.Title))];
        if (pol.Count > 0)
        {
            files.Add(new GeneratedFile(RegistryPolPath, RegistryPolWriter.Write(pol)));
        }

        if (inf.Count > 0)
        {
            files.Add(new GeneratedFile(SecurityTemplatePath, SecurityTemplateWriter.Write(inf)));
        }

        return new GpoFolder([.. files], [.. security], [.. templates], [.. notes]);
    }

    /// <summary><c>[General]</c>, <c>Version=1</c> (machine version 1, user 0), <c>displayName=…</c>; ASCII, CRLF.</summary>
    public static byte[] GptIni(string displayName)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        string safe = new(displayName.Select(c => c is < ' ' or > '~' ? '_' : c).ToArray());
        return Encoding.ASCII.GetBytes("[General]\r\nVersion=1\r\ndisplayName=" + safe + "\r\n");
    }
}
