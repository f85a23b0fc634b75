using SmbSign.Policy.Formats.GpoBackup;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>The machines found under the given paths, plus problems (exit code 2) and warnings (informational).</summary>
/// <param name="InputFiles">Every file and folder that will be read, as full paths (an output file must not be one of them).</param>
public sealed record FleetPlan(IReadOnlyList<MachineInput> Machines, IReadOnlyList<string> Problems, IReadOnlyList<string> Warnings, IReadOnlyList<string> InputFiles);

/// <summary>An explicit machine from <c>--machine NAME=FILE[,FILE...]</c>.</summary>
public sealed record ExplicitMachine(string Name, IReadOnlyList<string> Paths)
{
    /// <summary>Parses <c>NAME=FILE[,FILE...]</c>; null with <paramref name="error"/> when malformed.</summary>
    public static ExplicitMachine? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        string name = eq < 0 ? string.Empty : text[..eq].Trim();
        string[] files = eq < 0 ? [] : text[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (name.Length == 0 || files.Length == 0)
        {
            error = $"--machine '{text}': expected NAME=FILE[,FILE...] (e.g. --machine fs01=fs01.reg,fs01-server.json)";
            return null;
        }

        return new ExplicitMachine(name, files);
    }
}

/// <summary>
/// Groups paths into machines (docs/cli/audit.md, "Fleet and machine convention"):
/// <list type="number">
/// <item><c>--machine NAME=FILE[,FILE...]</c> names a machine and its files explicitly;</item>
/// <item>a <c>machines.json</c> entry with <c>files</c> does the same for a fleet folder;</item>
/// <item>a GPO folder (Machine/Registry.pol, GptTmpl.inf, or a Backup-GPO layout) is one machine named after the folder;</item>
/// <item>any other sub-folder of a fleet folder is one machine named after the folder, holding every file and GPO folder inside it;</item>
/// <item>remaining files are grouped by file-name stem, the name up to the first dot: <c>ws-01.reg</c> and
/// <c>ws-01.smbserver.json</c> are machine <c>ws-01</c>.</item>
/// </list>
/// <c>machines.json</c>, <c>README*</c>, <c>*.md</c>, <c>*.txt</c> and dot-files are never sources. Machines are returned sorted by name.
/// </summary>
public static class FleetLayout
{
    /// <summary>Finds the machines under <paramref name="paths"/> (files or folders) and <paramref name="explicitMachines"/>.</summary>
    public static FleetPlan Discover(IReadOnlyList<string> paths, IReadOnlyList<ExplicitMachine>? explicitMachines = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        Builder builder = new();
        foreach (ExplicitMachine machine in explicitMachines ?? [])
        {
            builder.AddMachine(machine.Name, machine.Paths, MachineGrouping.CommandLine, manifest: null);
            foreach (string path in machine.Paths)
            {
                builder.Claim(path);
            }
        }

        foreach (string path in paths)
        {
            FileProbeResult probe = FileProbe.Probe(path);
            if (probe.Kind is FileKind.Missing)
            {
                builder.Problems.Add(path.Contains('\uFFFD', StringComparison.Ordinal)
                    ? $"{path}: {SourceFiles.MissingReason(path, probe.Reason)}"
                    : $"{path}: no such file or folder");
            }
            else if (probe.Kind is not (FileKind.Regular or FileKind.Directory or FileKind.Unknown))
            {
                // Named on purpose, so refused (exit 2) rather than skipped; never opened: a FIFO would block the open.
                builder.Problems.Add($"{path}: {probe.DescribeKind()}, not a regular file or folder; SmbSign reads only regular files");
            }
            else if (Directory.Exists(path))
            {
                builder.AddFolder(path);
            }
            else if (File.Exists(path))
            {
                if (string.Equals(Path.GetFileName(path), FleetManifest.FileName, StringComparison.OrdinalIgnoreCase))
                {
                    builder.AddManifest(FleetManifest.Load(path), Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
                }
                else if (!builder.IsClaimed(path))
                {
                    builder.AddStemFile(path);
                }
            }
            else
            {
                builder.Problems.Add($"{path}: cannot read it ({probe.Reason ?? "access is denied"})");
            }
        }

        return builder.Build();
    }

    /// <summary>The machine name of a loose file: its name up to the first dot (<c>ws-01.smbclient.json</c> → <c>ws-01</c>).</summary>
    public static string StemOf(string path)
    {
        string name = Path.GetFileName(path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? name[..dot] : name;
    }

    /// <summary>True for files that are never sources: the manifest, READMEs, Markdown and text notes, dot-files.</summary>
    public static bool IsIgnoredFile(string path)
    {
        string name = Path.GetFileName(path);
        return name.StartsWith('.')
            || string.Equals(name, FleetManifest.FileName, StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("README", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);
    }

    private sealed class Builder
    {
        private readonly Dictionary<string, MachineBuild> _machines = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _claimed = new(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        private readonly List<(FleetManifest Manifest, string Folder)> _manifests = [];

        /// <summary>Folders searched so far, by identity (<see cref="FileProbe.FolderKey"/>): a symbolic link to "." or to a
        /// parent would otherwise be followed again at every level (3 such links gave 3^9 paths), so each folder is
        /// searched once, whatever path leads to it.</summary>
        private readonly Dictionary<object, string> _visited = [];

        public List<string> Problems { get; } = [];

        public List<string> Warnings { get; } = [];

        public void Claim(string path) => _claimed.Add(Path.GetFullPath(path));

        public bool IsClaimed(string path) => _claimed.Count > 0 && _claimed.Contains(Path.GetFullPath(path));

        public void AddMachine(string name, IEnumerable<string> paths, MachineGrouping grouping, string? manifest)
        {
            if (!_machines.TryGetValue(name, out MachineBuild? machine))
            {
                machine = new MachineBuild(name, grouping);
                _machines.Add(name, machine);
            }

            machine.Paths.AddRange(paths);
            machine.Manifest ??= manifest;
        }

        public void AddStemFile(string path)
        {
            if (IsIgnoredFile(path))
            {
                return;
            }

            AddMachine(StemOf(path), [path], MachineGrouping.FileStem, manifest: null);
        }

        public void AddManifest(FleetManifest manifest, string folder)
        {
            _manifests.Add((manifest, folder));
            Problems.AddRange(manifest.Problems);
            foreach (ManifestEntry entry in manifest.Entries)
            {
                if (entry.Files.Count == 0)
                {
                    continue;
                }

                string[] files = [.. entry.Files.Select(f => Path.Combine(folder, f.Replace('/', Path.DirectorySeparatorChar).Replace('\\', Path.DirectorySeparatorChar)))];
                AddMachine(entry.Name, files, MachineGrouping.Manifest, manifest.Path);
                foreach (string file in files)
                {
                    Claim(file);
                }
            }
        }

        public void AddFolder(string folder)
        {
            if (!Visit(folder))
            {
                return;
            }

            if (GpoBackupReader.IsGpoFolder(folder))
            {
                if (!IsClaimed(folder))
                {
                    AddMachine(StemOf(folder), [folder], MachineGrouping.GpoFolder, manifest: null);
                }

                return;
            }

            FileSystemInfo[] entries;
            try
            {
                entries = new DirectoryInfo(folder).GetFileSystemInfos();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Problems.Add($"{folder}: cannot list the folder ({(e is UnauthorizedAccessException ? "access is denied" : "I/O error")})");
                return;
            }

            Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            FileSystemInfo? manifestEntry = Array.Find(entries, e => e is FileInfo && string.Equals(e.Name, FleetManifest.FileName, StringComparison.OrdinalIgnoreCase));
            string? manifestPath = manifestEntry is null ? null : Path.Combine(folder, manifestEntry.Name);
            if (manifestPath is not null)
            {
                AddManifest(FleetManifest.Load(manifestPath), folder);
            }

            foreach (FileSystemInfo info in entries)
            {
                string entry = Path.Combine(folder, info.Name);
                if (info.Name.StartsWith('.') || IsClaimed(entry))
                {
                    continue;
                }

                if (info is DirectoryInfo)
                {
                    if (!Visit(entry))
                    {
                        continue;
                    }

                    if (GpoBackupReader.IsGpoFolder(entry))
                    {
                        AddMachine(info.Name, [entry], MachineGrouping.GpoFolder, manifestPath);
                    }
                    else
                    {
                        List<string> sources = [];
                        CollectSources(entry, sources, depth: 0);
                        if (sources.Count == 0)
                        {
                            Warnings.Add($"{entry}: folder holds no source file; skipped");
                        }
                        else
                        {
                            AddMachine(info.Name, sources, MachineGrouping.Folder, manifestPath);
                        }
                    }
                }
                else if (!IsIgnoredFile(entry) && IsReadableFile(entry))
                {
                    AddMachine(StemOf(entry), [entry], MachineGrouping.FileStem, manifestPath);
                }
            }
        }

        /// <summary>Marks a folder as searched; false (with a warning) when it was searched already under another path.</summary>
        private bool Visit(string folder)
        {
            object? key = FileProbe.FolderKey(folder);
            if (key is null)
            {
                return true; // cannot be examined: listing it reports the real problem
            }

            if (_visited.TryGetValue(key, out string? first))
            {
                Warnings.Add($"{folder}: the same folder as {first} (a symbolic link loop or a second link to it); already searched, skipped");
                return false;
            }

            _visited.Add(key, folder);
            return true;
        }

        /// <summary>True for a regular file; anything else in a folder (a FIFO, a device, a socket, a dangling link) is
        /// skipped with a warning and never opened.</summary>
        private bool IsReadableFile(string path)
        {
            FileProbeResult probe = FileProbe.Probe(path);
            switch (probe.Kind)
            {
                case FileKind.Regular or FileKind.Unknown:
                    return true;
                case FileKind.Missing when path.Contains('\uFFFD', StringComparison.Ordinal):
                    // A source that exists but cannot be opened must not vanish from the report: an input problem (exit 2).
                    Problems.Add($"{path}: {SourceFiles.MissingReason(path, probe.Reason)}");
                    return false;
                case FileKind.Missing:
                    Warnings.Add($"{path}: a symbolic link to nothing; skipped");
                    return false;
                default:
                    Warnings.Add($"{path}: {probe.DescribeKind()}, not a regular file; skipped");
                    return false;
            }
        }

        public FleetPlan Build()
        {
            Dictionary<string, (ManifestEntry Entry, string Path)> metadata = new(StringComparer.OrdinalIgnoreCase);
            foreach ((FleetManifest manifest, _) in _manifests)
            {
                foreach (ManifestEntry entry in manifest.Entries)
                {
                    metadata[entry.Name] = (entry, manifest.Path);
                    if (!_machines.ContainsKey(entry.Name))
                    {
                        Warnings.Add($"{manifest.Path}: machine '{entry.Name}' has no source file in the fleet; skipped");
                    }
                }
            }

            List<MachineInput> machines = [];
            List<string> inputs = [];
            foreach (MachineBuild m in _machines.Values.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.Name, StringComparer.Ordinal))
            {
                // Files named on the command line keep their order, since within a layer the source read last wins.
                IEnumerable<string> distinct = m.Paths.Distinct(StringComparer.Ordinal);
                string[] ordered = m.Grouping == MachineGrouping.CommandLine ? [.. distinct] : [.. distinct.Order(StringComparer.Ordinal)];
                inputs.AddRange(ordered.Select(Path.GetFullPath));
                metadata.TryGetValue(m.Name, out (ManifestEntry Entry, string Path) meta);
                machines.Add(new MachineInput
                {
                    Name = m.Name,
                    Paths = ordered,
                    Grouping = m.Grouping,
                    Os = meta.Entry?.Os,
                    Role = meta.Entry?.Role,
                    Benchmark = meta.Entry?.Benchmark,
                    Description = meta.Entry?.Description,
                    Manifest = meta.Path ?? m.Manifest,
                });
            }

            return new FleetPlan(machines, Problems, Warnings, inputs);
        }

        private void CollectSources(string folder, List<string> sources, int depth)
        {
            if (depth > 8)
            {
                Warnings.Add($"{folder}: nested deeper than 8 folders; not searched further");
                return;
            }

            string[] entries;
            try
            {
                entries = Directory.GetFileSystemEntries(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Problems.Add($"{folder}: cannot list the folder ({(e is UnauthorizedAccessException ? "access is denied" : "I/O error")})");
                return;
            }

            Array.Sort(entries, StringComparer.Ordinal);
            foreach (string entry in entries)
            {
                if (Path.GetFileName(entry).StartsWith('.') || IsClaimed(entry))
                {
                    continue;
                }

                if (Directory.Exists(entry))
                {
                    if (!Visit(entry))
                    {
                        continue;
                    }

                    if (GpoBackupReader.IsGpoFolder(entry))
                    {
                        sources.Add(entry);
                    }
                    else
                    {
                        CollectSources(entry, sources, depth + 1);
                    }
                }
                else if (!IsIgnoredFile(entry) && IsReadableFile(entry))
                {
                    sources.Add(entry);
                }
            }
        }
    }

    private sealed class MachineBuild(string name, MachineGrouping grouping)
    {
        public string Name { get; } = name;

        public MachineGrouping Grouping { get; } = grouping;

        public List<string> Paths { get; } = [];

        public string? Manifest { get; set; }
    }
}
