using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>Every finding for one machine, and what the audit assumed about it. Immutable.</summary>
public sealed record MachineAudit
{
    public required string Name { get; init; }

    /// <summary>The OS profile used for defaults (with the role applied); null when unknown.</summary>
    public OsProfile? Os { get; init; }

    public required OsRole Role { get; init; }

    /// <summary>Where the OS came from: "--os", "machines.json", "file name", "smb.conf", "unknown".</summary>
    public required string OsOrigin { get; init; }

    public required RulePack Benchmark { get; init; }

    /// <summary>Where the benchmark choice came from: "--benchmark", "machines.json", "default for win11-24h2-pro", "Intune-only sources".</summary>
    public required string BenchmarkOrigin { get; init; }

    public required IReadOnlyList<AuditFinding> Findings { get; init; }

    public required IReadOnlyList<SourceSummary> Sources { get; init; }

    public required IReadOnlyList<SourceDiagnostic> Diagnostics { get; init; }

    /// <summary>Remarks: values ignored at misplaced locations, assumptions about the OS.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public string? Description { get; init; }

    /// <summary>True when a source could not be read as its format requires.</summary>
    public bool HasUnreadableSource => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    public int Count(AuditStatus status) => Findings.Count(f => f.Status == status);

    /// <summary>The machine's one verdict: it passes only when no finding fails or is undecidable (<c>error</c>).</summary>
    public bool Passed => !Findings.Any(f => f.IsFailing);

    /// <summary>The findings that make the machine fail (<c>fail</c> and <c>error</c>), in pack order.</summary>
    public IEnumerable<AuditFinding> FailingFindings => Findings.Where(f => f.IsFailing);
}
