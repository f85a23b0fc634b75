using System.Text;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Remediation;

/// <summary>Helpers for the remediation tests: temp folders, audits of written files, a simulated registry.</summary>
internal static class RemediationTestSupport
{
    public static string NewTempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "smbsign-fix-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes generated files under <paramref name="root"/> and returns their paths.</summary>
    public static IReadOnlyList<string> WriteAll(string root, IEnumerable<GeneratedFile> files)
    {
        List<string> paths = [];
        foreach (GeneratedFile file in files)
        {
            string path = Path.Combine([root, .. file.PathSegments]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content);
            paths.Add(path);
        }

        return paths;
    }

    /// <summary>The OS a rule pack is meant for (its default-for condition), for resolving defaults in the audit.</summary>
    public static OsProfile OsFor(RulePack pack) =>
        OsProfiles.All.FirstOrDefault(o => RulePacks.DefaultFor(o)?.Id == pack.Id)
        ?? (pack.Id.Contains("server", StringComparison.OrdinalIgnoreCase) ? OsProfiles.DefaultServer : OsProfiles.Get("win11-24h2-enterprise"));

    /// <summary>Audits <paramref name="paths"/> as one machine with the real audit engine.</summary>
    public static MachineAudit AuditFiles(IReadOnlyList<string> paths, RulePack pack, OsProfile? os = null, bool strict = false) =>
        FleetAuditor.AuditMachine(
            new MachineInput { Name = "roundtrip", Paths = paths },
            new AuditOptions { Benchmark = pack, Os = os ?? OsFor(pack), Strict = strict });

    public static string Describe(MachineAudit audit) =>
        string.Join("\n", audit.Findings.Select(f => $"{f.Rule.Id} {f.Rule.Setting.Id} {f.Status.ToToken()} configured={f.Configured} stored={f.Stored} {f.Reason}"))
        + (audit.Diagnostics.Count == 0 ? string.Empty : "\ndiagnostics:\n" + string.Join("\n", audit.Diagnostics));
}

/// <summary>A tiny HKLM: identity → value, changed by the observations of a .reg file the way reg import would.</summary>
internal sealed class SimulatedRegistry
{
    private readonly Dictionary<RegistryIdentity, RegistryValue> _values = new();

    public SimulatedRegistry(IEnumerable<KeyValuePair<RegistryIdentity, RegistryValue>>? initial = null)
    {
        foreach ((RegistryIdentity id, RegistryValue value) in initial ?? [])
        {
            _values[id] = value;
        }
    }

    public IReadOnlyDictionary<RegistryIdentity, RegistryValue> Values => _values;

    public void Import(SourceReadResult result)
    {
        Assert.False(result.HasErrors, "import of a file with errors:\n" + string.Join("\n", result.Diagnostics));
        foreach (Observation o in result.Observations)
        {
            RegistryIdentity id = o.Registry!.Value;
            switch (o.Kind)
            {
                case ObservationKind.Value:
                    _values[id] = o.Value!;
                    break;
                case ObservationKind.ValueDeleted:
                    _values.Remove(id);
                    break;
                case ObservationKind.KeyDeleted:
                    foreach (RegistryIdentity key in _values.Keys.Where(k => k.KeyPath.StartsWith(id.KeyPath, StringComparison.OrdinalIgnoreCase)).ToList())
                    {
                        _values.Remove(key);
                    }

                    break;
            }
        }
    }

    /// <summary>The registry as a regedit 5.00 export (for auditing the simulated state).</summary>
    public byte[] Export()
    {
        var b = new StringBuilder("Windows Registry Editor Version 5.00\r\n\r\n");
        foreach (IGrouping<string, KeyValuePair<RegistryIdentity, RegistryValue>> key in _values.GroupBy(p => p.Key.KeyPath, StringComparer.OrdinalIgnoreCase))
        {
            b.Append("[HKEY_LOCAL_MACHINE\\").Append(key.Key).Append("]\r\n");
            foreach ((RegistryIdentity id, RegistryValue value) in key)
            {
                b.Append(SmbSign.Policy.Formats.Reg.RegWriter.FormatValue(id.ValueName, value)).Append("\r\n");
            }

            b.Append("\r\n");
        }

        return [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(b.ToString())];
    }
}
