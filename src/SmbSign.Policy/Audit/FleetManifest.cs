using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Audit;

/// <summary>One entry of a <c>machines.json</c> manifest.</summary>
/// <param name="Files">Source paths relative to the manifest's folder; when given they define the machine instead of file-name stems.</param>
public sealed record ManifestEntry(string Name, string? Os, OsRole? Role, string? Benchmark, string? Description, IReadOnlyList<string> Files);

/// <summary>
/// <c>machines.json</c>: optional per-machine OS, role, benchmark and description (and optionally explicit file lists) for a
/// fleet folder. Shape: <c>{"schemaVersion": 1, "machines": [{"name": "ws-01", "os": "win11-24h2-pro", "role":
/// "workstation", "benchmark": "cis-win11-24h2", "description": "...", "files": ["ws-01.reg"]}]}</c>.
/// </summary>
public sealed class FleetManifest
{
    /// <summary>The file name looked for in a fleet folder.</summary>
    public const string FileName = "machines.json";

    private FleetManifest(string path, IReadOnlyList<ManifestEntry> entries, IReadOnlyList<string> problems, Dictionary<string, ManifestEntry>? byName = null)
    {
        Path = path;
        Entries = entries;
        Problems = problems;
        _byName = byName ?? entries.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);
    }

    // The one name index: duplicate detection while parsing, then lookups by name (a fleet can list 100,000 machines).
    private readonly Dictionary<string, ManifestEntry> _byName;

    public string Path { get; }

    public IReadOnlyList<ManifestEntry> Entries { get; }

    /// <summary>Problems with file and line ("machines.json:12: unknown OS profile 'win12'; expected one of ...").</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>The entry for a machine name (case-insensitive), or null.</summary>
    public ManifestEntry? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads a manifest; never throws for bad content (problems are returned).</summary>
    public static FleetManifest Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        if (SourceFiles.RefuseBeforeOpen(path) is { } refusal)
        {
            return new FleetManifest(path, [], [$"{path}: cannot read the manifest ({refusal.Message})"]);
        }

        try
        {
            var info = new FileInfo(path);
            if (info.Length > 16 * 1024 * 1024)
            {
                return new FleetManifest(path, [], [$"{path}: the manifest is larger than 16 MiB"]);
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            return new FleetManifest(path, [], [$"{path}: cannot read the manifest ({(e is UnauthorizedAccessException ? "access is denied" : "I/O error")})"]);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses manifest JSON named <paramref name="path"/> in messages.</summary>
    public static FleetManifest Parse(ReadOnlySpan<byte> json, string path)
    {
        ManifestDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.ManifestDto);
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? string.Create(CultureInfo.InvariantCulture, $":{line + 1}") : string.Empty;
            return new FleetManifest(path, [], [$"{path}{where}: invalid manifest JSON; expected {{\"schemaVersion\": 1, \"machines\": [{{\"name\": ..., \"os\": ..., \"role\": ...}}]}}"]);
        }

        List<string> problems = [];
        List<ManifestEntry> entries = [];
        if (dto is null || dto.Machines is null)
        {
            problems.Add($"{path}: the manifest has no 'machines' array");
            return new FleetManifest(path, entries, problems);
        }

        if (dto.SchemaVersion is not (null or 1))
        {
            problems.Add($"{path}: schemaVersion {dto.SchemaVersion} is not supported; expected 1");
        }

        Dictionary<string, ManifestEntry> byName = new(dto.Machines.Count, StringComparer.OrdinalIgnoreCase);
        entries.Capacity = dto.Machines.Count;
        int index = 0;
        foreach (MachineDto m in dto.Machines)
        {
            index++;
            int at = index - 1;
            string Where() => string.Create(CultureInfo.InvariantCulture, $"{path}: machines[{at}]"); // only for problems: 100,000 entries
            if (string.IsNullOrWhiteSpace(m.Name))
            {
                problems.Add($"{Where()}: 'name' is missing");
                continue;
            }

            if (byName.ContainsKey(m.Name.Trim()))
            {
                problems.Add($"{Where()}: machine '{m.Name}' is listed twice");
                continue;
            }

            string? os = m.Os;
            if (os is not null && OsProfiles.TryGet(os, out OsProfile? profile))
            {
                os = profile.Id; // one string per profile, not one per machine
            }
            else if (os is not null)
            {
                problems.Add($"{Where()} ({m.Name}): unknown OS profile '{os}'; expected one of {string.Join(", ", OsProfiles.Ids)}");
                os = null;
            }

            OsRole? role = null;
            if (m.Role is not null)
            {
                if (RulePackLoader.TryParseRole(m.Role, out OsRole r))
                {
                    role = r;
                }
                else
                {
                    problems.Add($"{Where()} ({m.Name}): unknown role '{m.Role}'; expected workstation, member or dc");
                }
            }

            string? benchmark = m.Benchmark;
            if (benchmark is not null && !RulePacks.TryGet(benchmark, out _))
            {
                problems.Add($"{Where()} ({m.Name}): unknown benchmark '{benchmark}'; expected one of {string.Join(", ", RulePacks.Ids)}");
                benchmark = null;
            }

            var entry = new ManifestEntry(m.Name.Trim(), os, role, benchmark, m.Description, m.Files ?? []);
            byName.Add(entry.Name, entry);
            entries.Add(entry);
        }

        return new FleetManifest(path, entries, problems, byName);
    }

    internal sealed class ManifestDto
    {
        public int? SchemaVersion { get; set; }

        public List<MachineDto>? Machines { get; set; }
    }

    internal sealed class MachineDto
    {
        public string? Name { get; set; }

        public string? Os { get; set; }

        public string? Role { get; set; }

        public string? Benchmark { get; set; }

        public string? Description { get; set; }

        public List<string>? Files { get; set; }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(FleetManifest.ManifestDto))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
