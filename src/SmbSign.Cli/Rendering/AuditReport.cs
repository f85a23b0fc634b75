using System.Globalization;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;

namespace SmbSign.Cli.Rendering;

/// <summary>
/// Everything an audit renderer needs. <see cref="Machines"/> is a single pass over the machines as they are audited:
/// each is added to <see cref="Summary"/> as it is handed out and is not kept, so a renderer that writes every machine
/// when it gets it holds one machine at a time (memory stays flat with the fleet size). <see cref="Summary"/> and
/// <see cref="Benchmark"/> are complete once <see cref="Machines"/> has been enumerated.
/// </summary>
internal sealed class AuditReport
{
    private readonly IEnumerable<MachineAudit> _machines;
    private readonly string? _benchmarkOverride;
    private readonly HashSet<string> _benchmarks = new(StringComparer.Ordinal);
    private bool _enumerated;

    public AuditReport(
        IEnumerable<MachineAudit> machines,
        bool strict,
        string? benchmarkOverride,
        IReadOnlyList<string> problems,
        IReadOnlyList<string> warnings,
        TimeProvider? time = null,
        bool failuresOnly = false,
        bool verbose = false)
    {
        ArgumentNullException.ThrowIfNull(machines);
        _machines = machines;
        Strict = strict;
        _benchmarkOverride = benchmarkOverride;
        Problems = problems;
        Warnings = warnings;
        Time = time ?? TimeProvider.System;
        FailuresOnly = failuresOnly;
        Verbose = verbose;
    }

    public bool Strict { get; }

    public IReadOnlyList<string> Problems { get; }

    public IReadOnlyList<string> Warnings { get; }

    public TimeProvider Time { get; }

    /// <summary><c>--failures-only</c>: renderers show only failing machines and their failing items (the summary counts all).</summary>
    public bool FailuresOnly { get; }

    /// <summary><c>--verbose</c>: the table shows every item with full detail.</summary>
    public bool Verbose { get; }

#pragma warning disable CA1822 // an instance member so renderers read everything from the report
    public string ToolVersion => ReportMetadata.ToolVersion;
#pragma warning restore CA1822

    public FleetSummary Summary { get; } = new();

    /// <summary>The machines, in order, once: each is counted into <see cref="Summary"/> as it is handed out.</summary>
    public IEnumerable<MachineAudit> Machines
    {
        get
        {
            if (_enumerated)
            {
                throw new InvalidOperationException("the machines of an audit report are read once");
            }

            _enumerated = true;
            return Enumerate();
        }
    }

    /// <summary>The one benchmark every machine used, or "per-machine" (complete after <see cref="Machines"/> was read).</summary>
    public string Benchmark => _benchmarkOverride ?? (_benchmarks.Count == 1 ? _benchmarks.First() : "per-machine");

    /// <summary>Whether a renderer shows <paramref name="machine"/> (all, or only failing ones with <c>--failures-only</c>).</summary>
    public bool Shows(MachineAudit machine) => !FailuresOnly || !machine.Passed;

    /// <summary>Whether a renderer shows <paramref name="finding"/> (all, or only failing ones with <c>--failures-only</c>).</summary>
    public bool Shows(AuditFinding finding) => !FailuresOnly || finding.IsFailing;

    /// <summary>A report over machines already audited (tests, small callers).</summary>
    public static AuditReport Of(IReadOnlyList<MachineAudit> machines, bool strict = false, string? benchmark = null, TimeProvider? time = null) =>
        new(machines, strict, benchmark, [], [], time);

    private IEnumerable<MachineAudit> Enumerate()
    {
        foreach (MachineAudit machine in _machines)
        {
            Summary.Add(machine);
            if (_benchmarks.Count < 2)
            {
                _benchmarks.Add(machine.Benchmark.Id);
            }

            yield return machine;
        }
    }
}

/// <summary>Small formatting helpers shared by the audit renderers.</summary>
internal static class AuditFormatting
{
    /// <summary>"1", "a, b", "RequireMutualAuthentication=1, ..." or "-" for null.</summary>
    public static string Value(SettingValue? value) => value?.ToString() ?? "-";

    /// <summary>
    /// A value as the JSON reports carry it: always a string (or null), whatever the registry type, so a field has one
    /// type for SIEM field typing. REG_DWORD as decimal text ("1"), REG_SZ as it is, REG_MULTI_SZ items joined with "\n".
    /// The registry type is in <c>registry.type</c>.
    /// </summary>
    public static string? JsonText(SettingValue? value) => value?.Kind switch
    {
        null => null,
        SettingValueKind.Number => value.Number.ToString(CultureInfo.InvariantCulture),
        SettingValueKind.Text => value.Text ?? string.Empty,
        _ => string.Join('\n', value.Items),
    };

    /// <summary><c>file:12</c>, <c>file@6688</c> or the file; "-" for null.</summary>
    public static string Source(SourceLocation? location) => location?.ToString() ?? "-";

    /// <summary>The location with only the file name (for narrow table columns).</summary>
    public static string ShortSource(SourceLocation? location)
    {
        if (location is not { } l)
        {
            return "-";
        }

        string file = Path.GetFileName(l.File);
        return l.Line > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{file}:{l.Line}")
            : l.ByteOffset >= 0 ? string.Create(CultureInfo.InvariantCulture, $"{file}@{l.ByteOffset}") : file;
    }

    /// <summary>The OS label of a machine ("win11-24h2-pro", "server2022 (domain controller)", "unknown").</summary>
    public static string Os(MachineAudit machine) => machine.Os?.Label ?? "unknown";
}
