using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Formats.SecurityTemplate;
using SmbSign.Policy.Sources;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Formats.GpoBackup;

/// <summary>A policy file found in a GPO folder.</summary>
/// <param name="Path">Full path of the file as it exists on disk.</param>
/// <param name="Format"><see cref="SourceFormat.RegistryPol"/> or <see cref="SourceFormat.SecurityTemplate"/>.</param>
/// <param name="Hive">HKLM for Machine\, HKCU for User\.</param>
public sealed record GpoFile(string Path, SourceFormat Format, RegistryHive Hive);

/// <summary>Expands a GPO folder into its policy files and reads them. Recognised layouts (every name matched
/// case-insensitively, so a SYSVOL copy on a case-sensitive file system works):
/// <list type="bullet">
/// <item>SYSVOL policy folder <c>{GUID}\</c>: <c>Machine\Registry.pol</c>,
/// <c>Machine\Microsoft\Windows NT\SecEdit\GptTmpl.inf</c>, <c>User\Registry.pol</c>;</item>
/// <item><c>Backup-GPO</c> folder <c>{BackupId}\</c>: the same under <c>DomainSysvol\GPO\</c>;</item>
/// <item>the folder <c>Backup-GPO -Path</c> names (and <c>smbsign fix</c> writes as <c>gpo\</c>): the first backup
/// <c>{BackupId}\</c> in it (by name) that holds a policy file.</item>
/// </list></summary>
/// <remarks>Codes: GPO001 no policy file found, GPO002 folder unreadable.</remarks>
public static class GpoBackupReader
{
    private static readonly string[] _secEditPath = ["Microsoft", "Windows NT", "SecEdit", "GptTmpl.inf"];

    /// <summary>True when <paramref name="directory"/> has a GPO layout with at least one policy file.</summary>
    public static bool IsGpoFolder(string directory) => FindFiles(directory).Count > 0;

    /// <summary>The policy files of a GPO folder (Machine Registry.pol, GptTmpl.inf, User Registry.pol), in that
    /// order; empty when there are none or the folder cannot be read.</summary>
    public static IReadOnlyList<GpoFile> FindFiles(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        List<GpoFile> files = [];
        foreach (string root in Roots(directory))
        {
            string? machine = FindChild(root, "Machine", directory: true);
            if (machine is not null)
            {
                AddIfFound(files, FindChild(machine, "Registry.pol", directory: false), SourceFormat.RegistryPol, RegistryHive.LocalMachine);
                AddIfFound(files, FindPath(machine, _secEditPath), SourceFormat.SecurityTemplate, RegistryHive.LocalMachine);
            }

            string? user = FindChild(root, "User", directory: true);
            if (user is not null)
            {
                AddIfFound(files, FindChild(user, "Registry.pol", directory: false), SourceFormat.RegistryPol, RegistryHive.CurrentUser);
            }

            if (files.Count > 0)
            {
                break;
            }
        }

        return files;
    }

    /// <summary>Reads every policy file of the folder (one result per file). A folder without any gives one
    /// result with error GPO001.</summary>
    public static IReadOnlyList<SourceReadResult> Read(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            return [SourceReadResult.Failed(directory, SourceFormat.GpoBackup, DiagnosticCodes.Gpo002, "cannot read the GPO folder: it does not exist or is not a folder")];
        }

        IReadOnlyList<GpoFile> files = FindFiles(directory);
        if (files.Count == 0)
        {
            return [SourceReadResult.Failed(directory, SourceFormat.GpoBackup, DiagnosticCodes.Gpo001, "no policy file found; expected Machine/Registry.pol or Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf (or the same under DomainSysvol/GPO for a Backup-GPO folder)")];
        }

        return files.Select(ReadFile).ToArray();
    }

    /// <summary>Reads one file found by <see cref="FindFiles"/>.</summary>
    public static SourceReadResult ReadFile(GpoFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        SourceReader reader = file.Format == SourceFormat.RegistryPol
            ? new RegistryPolReader(file.Hive)
            : new SecurityTemplateReader();
        return reader.Read(file.Path);
    }

    private static IEnumerable<string> Roots(string directory)
    {
        yield return directory;
        string? domainSysvol = FindChild(directory, "DomainSysvol", directory: true);
        string? gpo = domainSysvol is null ? null : FindChild(domainSysvol, "GPO", directory: true);
        if (gpo is not null)
        {
            yield return gpo;
        }

        // A Backup-GPO target folder: one {BackupId} folder per backup, each with bkupInfo.xml.
        string[] backups;
        try
        {
            backups = [.. Directory.EnumerateDirectories(directory, "{*}").Where(d => FindChild(d, "bkupInfo.xml", directory: false) is not null).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            yield break;
        }

        foreach (string backup in backups)
        {
            string? backupSysvol = FindChild(backup, "DomainSysvol", directory: true);
            string? backupGpo = backupSysvol is null ? null : FindChild(backupSysvol, "GPO", directory: true);
            if (backupGpo is not null)
            {
                yield return backupGpo;
            }
        }
    }

    private static void AddIfFound(List<GpoFile> files, string? path, SourceFormat format, RegistryHive hive)
    {
        if (path is not null)
        {
            files.Add(new GpoFile(path, format, hive));
        }
    }

    private static string? FindPath(string directory, string[] names)
    {
        string? current = directory;
        for (int i = 0; i < names.Length && current is not null; i++)
        {
            current = FindChild(current, names[i], directory: i < names.Length - 1);
        }

        return current;
    }

    /// <summary>The entry of <paramref name="parent"/> named <paramref name="name"/> ignoring case (an exact match
    /// wins), or null.</summary>
    internal static string? FindChild(string parent, string name, bool directory)
    {
        try
        {
            string exact = Path.Combine(parent, name);
            if (directory ? Directory.Exists(exact) : File.Exists(exact))
            {
                return exact;
            }

            IEnumerable<string> entries = directory ? Directory.EnumerateDirectories(parent) : Directory.EnumerateFiles(parent);
            return entries.FirstOrDefault(e => string.Equals(Path.GetFileName(e), name, StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            return null;
        }
    }
}
