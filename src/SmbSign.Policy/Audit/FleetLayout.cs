using System.IO.Enumeration;
using SmbSign.Policy.Formats.GpoBackup;
using SmbSign.Policy.Sources;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Audit;

/// <summary>The machines found under the given paths, plus problems (exit code 2) and warnings (informational).</summary>
public sealed record FleetPlan(IReadOnlyList<MachineInput> Machines, IReadOnlyList<string> Problems, IReadOnlyList<string> Warnings)
{
    /// <summary>Every file and folder that will be read (an output file must not be one of them), enumerated on demand
    /// from the machines' paths rather than kept as a second copy of them.</summary>
    public IEnumerable<string> InputFiles => Machines.SelectMany(m => m.Paths);
}

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
        ReadOnlySpan<char> name = Path.GetFileName(path.AsSpan().TrimEnd([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]));
        int dot = name.IndexOf('.');
        return (dot > 0 ? name[..dot] : name).ToString();
    }

    /// <summary>True for files that are never sources: the manifest, READMEs, Markdown and text notes, dot-files.</summary>
    public static bool IsIgnoredFile(string path)
    {
        ReadOnlySpan<char> name = Path.GetFileName(path.AsSpan());
        return name.StartsWith('.')
            || name.Equals(FleetManifest.FileName, StringComparison.OrdinalIgnoreCase)
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

            foreach (string path in paths)
            {
                machine.Add(path);
            }

            machine.Manifest ??= manifest;
        }

        /// <summary>One file for one machine: the common case of a large fleet, without a collection per call.</summary>
        public void AddMachine(string name, string path, MachineGrouping grouping, string? manifest)
        {
            if (!_machines.TryGetValue(name, out MachineBuild? machine))
            {
                machine = new MachineBuild(name, grouping);
                _machines.Add(name, machine);
            }

            machine.Add(path);
            machine.Manifest ??= manifest;
        }

        public void AddStemFile(string path)
        {
            if (IsIgnoredFile(path))
            {
                return;
            }

            AddMachine(StemOf(path), path, MachineGrouping.FileStem, manifest: null);
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
                    AddMachine(StemOf(folder), folder, MachineGrouping.GpoFolder, manifest: null);
                }

                return;
            }

            (string FullPath, bool IsDirectory)[] entries;
            try
            {
                entries = ListFolder(folder);
            }
            catch (Exception e) when (IoErrors.IsFileProblem(e))
            {
                Problems.Add($"{folder}: cannot list the folder ({(e is UnauthorizedAccessException ? "access is denied" : "I/O error")})");
                return;
            }

            string? manifestPath = Array.Find(entries, e => !e.IsDirectory && Path.GetFileName(e.FullPath.AsSpan()).Equals(FleetManifest.FileName, StringComparison.OrdinalIgnoreCase)).FullPath;
            if (manifestPath is not null)
            {
                AddManifest(FleetManifest.Load(manifestPath), folder);
            }

            foreach ((string entry, bool isDirectory) in entries)
            {
                if (Path.GetFileName(entry.AsSpan()).StartsWith('.') || IsClaimed(entry))
                {
                    continue;
                }

                if (isDirectory)
                {
                    if (!Visit(entry))
                    {
                        continue;
                    }

                    string name = Path.GetFileName(entry);
                    if (GpoBackupReader.IsGpoFolder(entry))
                    {
                        AddMachine(name, entry, MachineGrouping.GpoFolder, manifestPath);
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
                            AddMachine(name, sources, MachineGrouping.Folder, manifestPath);
                        }
                    }
                }
                else if (!IsIgnoredFile(entry) && IsReadableFile(entry))
                {
                    AddMachine(StemOf(entry), entry, MachineGrouping.FileStem, manifestPath);
                }
            }
        }

        /// <summary>The paths in a folder, each spelled as <c>Path.Combine(folder, name)</c> and sorted by name
        /// (ordinally), and whether each is a folder (a link to a folder counts as one). One string per entry, the path
        /// that is kept: a FileSystemInfo per entry (paths, cached status) cost about 0.5 KB each, 60 MB of a
        /// 100,000-machine fleet's folder, and a separate name string per entry was 5 MB more that outlived several
        /// collections only to die when discovery ends.</summary>
        private static (string FullPath, bool IsDirectory)[] ListFolder(string folder)
        {
            // What Path.Combine puts before any relative name (the folder, plus a separator unless it ends with one).
            string prefix = Path.Combine(folder, "x")[..^1];
            var enumeration = new FileSystemEnumerable<(string, bool)>(
                folder,
                (ref FileSystemEntry entry) => (string.Concat(prefix, entry.FileName), entry.IsDirectory),
                new EnumerationOptions { IgnoreInaccessible = false, RecurseSubdirectories = false, AttributesToSkip = 0 });
            (string FullPath, bool IsDirectory)[] entries = [.. enumeration];
            // Every path has the same prefix, so this is the order of the names.
            Array.Sort(entries, (a, b) => string.CompareOrdinal(a.FullPath, b.FullPath));
            return entries;
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
            foreach ((FleetManifest manifest, _) in _manifests)
            {
                foreach (ManifestEntry entry in manifest.Entries)
                {
                    if (!_machines.ContainsKey(entry.Name))
                    {
                        Warnings.Add($"{manifest.Path}: machine '{entry.Name}' has no source file in the fleet; skipped");
                    }
                }
            }

            List<MachineInput> machines = new(_machines.Count);
            // Sorted in place: names are unique ignoring case (the table's comparer), so the ordinal tie-break only makes
            // the order total, and no key arrays are built beside 100,000 machines at discovery's peak.
            MachineBuild[] sorted = [.. _machines.Values];
            Array.Sort(sorted, static (a, b) =>
            {
                int c = string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase);
                return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
            });
            foreach (MachineBuild m in sorted)
            {
                // Files named on the command line keep their order, since within a layer the source read last wins.
                string[] ordered = m.Paths(keepOrder: m.Grouping == MachineGrouping.CommandLine);
                (ManifestEntry? Entry, string? Path) meta = Describe(m.Name);
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

            return new FleetPlan(machines, Problems, Warnings);
        }

        /// <summary>The manifest entry describing a machine: the last manifest that names it wins.</summary>
        private (ManifestEntry? Entry, string? Path) Describe(string name)
        {
            for (int i = _manifests.Count - 1; i >= 0; i--)
            {
                if (_manifests[i].Manifest.Find(name) is { } entry)
                {
                    return (entry, _manifests[i].Manifest.Path);
                }
            }

            return (null, null);
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
            catch (Exception e) when (IoErrors.IsFileProblem(e))
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

    /// <summary>A machine being collected. Most machines of a large fleet have one file, kept without a list.</summary>
    private sealed class MachineBuild(string name, MachineGrouping grouping)
    {
        private string? _first;
        private List<string>? _more;

        public string Name { get; } = name;

        public MachineGrouping Grouping { get; } = grouping;

        public string? Manifest { get; set; }

        public void Add(string path)
        {
            if (_first is null)
            {
                _first = path;
            }
            else
            {
                (_more ??= []).Add(path);
            }
        }

        /// <summary>The distinct paths, in the order added (<paramref name="keepOrder"/>) or sorted ordinally.</summary>
        public string[] Paths(bool keepOrder)
        {
            if (_more is null)
            {
                return _first is null ? [] : [_first];
            }

            IEnumerable<string> distinct = _more.Prepend(_first!).Distinct(StringComparer.Ordinal);
            return keepOrder ? [.. distinct] : [.. distinct.Order(StringComparer.Ordinal)];
        }
    }
}
