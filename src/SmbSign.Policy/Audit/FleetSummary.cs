using SmbSign.Policy.Rules;

namespace SmbSign.Policy.Audit;

/// <summary>Counts of one rule across the fleet.</summary>
public sealed record RuleSummary(string Benchmark, AuditRule Rule)
{
    public int Pass { get; set; }

    public int Fail { get; set; }

    public int NotConfigured { get; set; }

    /// <summary>Not-configured findings whose effective (default) value does not satisfy the rule.</summary>
    public int NotConfiguredNonCompliant { get; set; }

    public int NotApplicable { get; set; }

    public int Error { get; set; }
}

/// <summary>Fleet totals and per-rule counts, in first-seen rule order.</summary>
public sealed class FleetSummary
{
    private readonly Dictionary<(string, string), RuleSummary> _byRule = [];
    private readonly List<RuleSummary> _rules = [];

    public int Machines { get; private set; }

    /// <summary>Machines with at least one <see cref="AuditStatus.Fail"/>.</summary>
    public int MachinesFailing { get; private set; }

    /// <summary>Machines with a source that could not be read as its format requires.</summary>
    public int MachinesWithUnreadableSources { get; private set; }

    public int Pass { get; private set; }

    public int Fail { get; private set; }

    public int NotConfigured { get; private set; }

    /// <summary>Not-configured findings the benchmark's strict reading counts as failures.</summary>
    public int StrictFailures { get; private set; }

    public int NotApplicable { get; private set; }

    public int Error { get; private set; }

    public IReadOnlyList<RuleSummary> Rules => _rules;

    /// <summary>Adds a machine's findings.</summary>
    public void Add(MachineAudit machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        Machines++;
        bool failing = false;
        foreach (AuditFinding finding in machine.Findings)
        {
            if (!_byRule.TryGetValue((machine.Benchmark.Id, finding.Rule.Id), out RuleSummary? summary))
            {
                summary = new RuleSummary(machine.Benchmark.Id, finding.Rule);
                _byRule.Add((machine.Benchmark.Id, finding.Rule.Id), summary);
                _rules.Add(summary);
            }

            switch (finding.Status)
            {
                case AuditStatus.Pass:
                    Pass++;
                    summary.Pass++;
                    break;
                case AuditStatus.Fail:
                    Fail++;
                    summary.Fail++;
                    failing = true;
                    break;
                case AuditStatus.NotConfigured:
                    NotConfigured++;
                    summary.NotConfigured++;
                    if (finding.EffectiveCompliant == false)
                    {
                        summary.NotConfiguredNonCompliant++;
                    }

                    if (finding.StrictFailure)
                    {
                        StrictFailures++;
                    }

                    break;
                case AuditStatus.NotApplicable:
                    NotApplicable++;
                    summary.NotApplicable++;
                    break;
                default:
                    Error++;
                    summary.Error++;
                    break;
            }
        }

        if (failing)
        {
            MachinesFailing++;
        }

        if (machine.HasUnreadableSource)
        {
            MachinesWithUnreadableSources++;
        }
    }

    /// <summary>The summary of <paramref name="machines"/>.</summary>
    public static FleetSummary Of(IEnumerable<MachineAudit> machines)
    {
        ArgumentNullException.ThrowIfNull(machines);
        FleetSummary summary = new();
        foreach (MachineAudit machine in machines)
        {
            summary.Add(machine);
        }

        return summary;
    }
}
