using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Mathematics;
using BenchmarkDotNet.Running;
using SmbSign.Policy.Audit;

namespace SmbSign.Benchmarks;

/// <summary>
/// Audits a generated fleet of 10,000 machine exports end to end (discover the folder, read each export from disk,
/// detect its format, parse, merge, resolve OS defaults, evaluate the rule pack) and reports machines per second.
/// Three in four machines are one regedit 5.00 export (UTF-16LE), one in four a security template plus a .reg;
/// every fifth is a Windows 10 machine, the rest 24H2, with values varying so that every status occurs.
/// Only the findings are kept: the sources of a machine are released before the next one is read.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class AuditBenchmarks
{
    public const int Machines = 10_000;

    private string _folder = string.Empty;
    private IReadOnlyList<MachineInput> _plan = [];

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "smbsign-audit-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        GenerateFleet(_folder, Machines);
        _plan = FleetLayout.Discover([_folder]).Machines;
        if (_plan.Count != Machines)
        {
            throw new InvalidOperationException($"expected {Machines} machines, found {_plan.Count}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// Writes <paramref name="machines"/> machine exports and a machines.json into <paramref name="folder"/> (created):
    /// the fleet this benchmark audits, also used by bench/audit-memory.sh (<c>generate-fleet DIR N</c>).
    /// </summary>
    public static void GenerateFleet(string folder, int machines)
    {
        Directory.CreateDirectory(folder);
        using StreamWriter manifest = new(Path.Combine(folder, FleetManifest.FileName), append: false, new UTF8Encoding(false));
        manifest.Write("{ \"schemaVersion\": 1, \"machines\": [\n");
        for (int i = 0; i < machines; i++)
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"ws-{i:D6}");
            bool win10 = i % 5 == 0;
            int sign = i % 3 == 0 ? 0 : 1;
            string hardened = i % 2 == 0 ? "RequireIntegrity=1,RequireMutualAuthentication=1,RequirePrivacy=1" : "RequireMutualAuthentication=1, RequireIntegrity=1";
            string reg = "Windows Registry Editor Version 5.00\r\n\r\n"
                + "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n"
                + $"\"RequireSecuritySignature\"=dword:0000000{sign}\r\n\"EnableSecuritySignature\"=dword:00000001\r\n\"EnablePlainTextPassword\"=dword:00000000\r\n\r\n"
                + "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\r\n"
                + $"\"RequireSecuritySignature\"=dword:0000000{1 - sign}\r\n\"AutoDisconnect\"=dword:0000000f\r\n\"SMB1\"=dword:00000000\r\n\r\n"
                + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\LanmanWorkstation]\r\n\"AllowInsecureGuestAuth\"=dword:00000000\r\n\r\n"
                + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths]\r\n"
                + $"\"\\\\\\\\*\\\\NETLOGON\"=\"{hardened}\"\r\n\"\\\\\\\\*\\\\SYSVOL\"=\"{hardened}\"\r\n";
            File.WriteAllBytes(Path.Combine(folder, name + ".reg"), [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(reg)]);
            if (i % 4 == 3)
            {
                string inf = "[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n[Registry Values]\r\n"
                    + "MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=4,1\r\n"
                    + "MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel=4,5\r\n";
                File.WriteAllBytes(Path.Combine(folder, name + ".GptTmpl.inf"), [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(inf)]);
            }

            manifest.Write(string.Create(CultureInfo.InvariantCulture, $"  {{ \"name\": \"{name}\", \"os\": \"{(win10 ? "win10" : "win11-24h2-pro")}\" }}{(i == machines - 1 ? string.Empty : ",")}\n"));
        }

        manifest.Write("] }\n");
    }

    /// <summary>Discovery plus the audit on one thread.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Machines)]
    public int AuditFleetSequential()
    {
        int failures = 0;
        foreach (MachineAudit audit in FleetAuditor.Audit(FleetLayout.Discover([_folder]).Machines, new AuditOptions()))
        {
            failures += audit.Count(AuditStatus.Fail);
        }

        return failures;
    }

    /// <summary>Discovery plus the audit on every core (what <c>smbsign audit</c> does).</summary>
    [Benchmark(OperationsPerInvoke = Machines)]
    public int AuditFleetParallel()
    {
        MachineAudit[] audits = FleetAuditor.AuditParallel(FleetLayout.Discover([_folder]).Machines, new AuditOptions());
        return FleetSummary.Of(audits).Fail;
    }

    /// <summary>The audit alone, sources already grouped (one thread): the cost per machine of read + merge + evaluate.</summary>
    [Benchmark(OperationsPerInvoke = Machines)]
    public int AuditPlannedSequential()
    {
        int failures = 0;
        foreach (MachineAudit audit in FleetAuditor.Audit(_plan, new AuditOptions()))
        {
            failures += audit.Count(AuditStatus.Fail);
        }

        return failures;
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig()
        {
            AddColumn(new MachinesPerSecondColumn());
        }
    }

    /// <summary>Machines per second = 1 / (mean time per machine); the benchmarks set OperationsPerInvoke to the fleet size.</summary>
    private sealed class MachinesPerSecondColumn : IColumn
    {
        public string Id => nameof(MachinesPerSecondColumn);

        public string ColumnName => "Machines/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Machines audited per second (1 s / mean time per machine)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            Statistics? statistics = summary[benchmarkCase]?.ResultStatistics;
            return statistics is null ? "-" : (1e9 / statistics.Mean).ToString("N0", CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
