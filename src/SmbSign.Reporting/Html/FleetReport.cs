using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Html;

/// <summary>Counts of one CIS item across the audited machines (the same rules as the audit's own <c>summary.rules</c>).</summary>
internal sealed class RuleCount(string benchmark, string rule, string? item, string title, string setting)
{
    public string Benchmark { get; } = benchmark;

    public string Rule { get; } = rule;

    public string? Item { get; } = item;

    public string Title { get; } = title;

    public string Setting { get; } = setting;

    public int Pass { get; set; }

    /// <summary>Passes whose value no source sets: the OS default complies.</summary>
    public int PassByDefault { get; set; }

    public int Fail { get; set; }

    /// <summary>Failures whose value no source sets: the OS default does not comply.</summary>
    public int FailNotConfigured { get; set; }

    public int NotApplicable { get; set; }

    public int Error { get; set; }
}

/// <summary>Machines and results of one operating system (the audit's <c>os</c> id; <c>unknown</c> when it had none).</summary>
internal sealed class OsCount(string os, string name)
{
    public string Os { get; } = os;

    public string Name { get; } = name;

    public int Machines { get; set; }

    public int MachinesFailing { get; set; }

    public int Pass { get; set; }

    public int Fail { get; set; }

    public int NotConfigured { get; set; }

    public int NotApplicable { get; set; }

    public int Error { get; set; }
}

/// <summary>A client host seen by <c>listen</c>: every connection from one address folded into one verdict.</summary>
internal sealed record ListenHost(string Host, string? Workstation, int Connections, bool? Enforces, bool? Requires, string? Dialect, string? SigningAlgorithm, string Reason);

/// <summary>How often a value (a dialect, a signing algorithm) was seen on the wire, and by which command.</summary>
internal sealed record WireCount(string Kind, string Value, int Count);

/// <summary>Overall verdict: <c>fail</c> when anything fails, <c>incomplete</c> when nothing fails but something could
/// not be decided (unreachable servers, untested clients, no data), <c>pass</c> only when everything was seen to pass.</summary>
internal enum FleetVerdict
{
    Pass,
    Incomplete,
    Fail,
}

/// <summary>Everything the page shows, aggregated in C# so the browser only paginates. Built by <see cref="FleetAggregator"/>.</summary>
internal sealed class FleetReport
{
    public required string Title { get; init; }

    public required string GeneratedAt { get; init; }

    public required string ToolVersion { get; init; }

    public required IReadOnlyList<ParsedDocument> Sources { get; init; }

    /// <summary>Notes about the inputs (duplicates replaced by a newer document, ...).</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    public required FleetVerdict Verdict { get; init; }

    /// <summary>One line per reason for <see cref="Verdict"/>.</summary>
    public required IReadOnlyList<string> VerdictReasons { get; init; }

    /// <summary>Audited machines, one per name (the newest document wins), sorted by name; with the index of their source.</summary>
    public required IReadOnlyList<(AuditMachine Machine, int Source)> Machines { get; init; }

    public required IReadOnlyList<RuleCount> Rules { get; init; }

    public required IReadOnlyList<OsCount> OperatingSystems { get; init; }

    public int MachinesFailing => Machines.Count(m => !m.Machine.Passed);

    public required IReadOnlyList<ScanServer> Servers { get; init; }

    public required IReadOnlyList<VerifiedSession> Sessions { get; init; }

    public required IReadOnlyList<ListenHost> Clients { get; init; }

    public required IReadOnlyList<WireCount> Dialects { get; init; }

    public required IReadOnlyList<WireCount> SigningAlgorithms { get; init; }

    public required IReadOnlyList<TrendPoint> Trend { get; init; }

    public bool HasAudit => Sources.Any(s => s.Kind == RunKind.Audit);

    public bool HasScan => Sources.Any(s => s.Kind == RunKind.Scan);

    public bool HasVerify => Sources.Any(s => s.Kind == RunKind.Verify);

    public bool HasListen => Sources.Any(s => s.Kind == RunKind.Listen);
}
