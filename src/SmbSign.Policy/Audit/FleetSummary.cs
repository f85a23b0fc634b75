using SmbSign.Policy.Rules;

namespace SmbSign.Policy.Audit;

/// <summary>Counts of one rule across the fleet.</summary>
public sealed record RuleSummary(string Benchmark, AuditRule Rule)
{
    public int Pass { get; set; }

    /// <summary>Passes whose value is not configured: the OS default complies (reason <c>default</c>).</summary>
    public int PassByDefault { get; set; }

    public int Fail { get; set; }

    /// <summary>Failures whose value is not configured: the default does not comply or is unknown.</summary>
    public int FailNotConfigured { get; set; }

    public int NotApplicable { get; set; }

    public int Error { get; set; }
}

/// <summary>Fleet totals, per-rule counts in first-seen rule order, and the failing machines (first ones by name).</summary>
public sealed class FleetSummary
{
    /// <summary>How many failing machine names the summary keeps (the rest are counted).</summary>
    public const int FailingNamesKept = 10;

    private readonly Dictionary<(string, string), RuleSummary> _byRule = [];
    private readonly List<RuleSummary> _rules = [];
    private readonly List<string> _failing = [];

    public int Machines { get; private set; }

    /// <summary>Machines whose verdict is fail: at least one <see cref="AuditStatus.Fail"/> or <see cref="AuditStatus.Error"/>.</summary>
    public int MachinesFailing { get; private set; }

    /// <summary>Machines whose verdict is pass.</summary>
    public int MachinesPassing => Machines - MachinesFailing;

    /// <summary>Machines with a source that could not be read as its format requires.</summary>
    public int MachinesWithUnreadableSources { get; private set; }

    /// <summary>The first <see cref="FailingNamesKept"/> failing machines, in the order they were added.</summary>
    public IReadOnlyList<string> FailingMachines => _failing;

    public int Pass { get; private set; }

    public int Fail { get; private set; }

    /// <summary>Findings whose value no source sets (their verdict comes from the OS default), whatever their status.</summary>
    public int NotConfigured { get; private set; }

    /// <summary>Passing not-configured findings the benchmark's strict reading counts as failures (<c>--strict</c> fails them).</summary>
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

            if (finding.NotConfigured)
            {
                NotConfigured++;
            }

            switch (finding.Status)
            {
                case AuditStatus.Pass:
                    Pass++;
                    summary.Pass++;
                    if (finding.NotConfigured)
                    {
                        summary.PassByDefault++;
                        if (finding.StrictFailure)
                        {
                            StrictFailures++;
                        }
                    }

                    break;
                case AuditStatus.Fail:
                    Fail++;
                    summary.Fail++;
                    if (finding.NotConfigured)
                    {
                        summary.FailNotConfigured++;
                    }

                    failing = true;
                    break;
                case AuditStatus.NotApplicable:
                    NotApplicable++;
                    summary.NotApplicable++;
                    break;
                default:
                    Error++;
                    summary.Error++;
                    failing = true;
                    break;
            }
        }

        if (failing)
        {
            MachinesFailing++;
            if (_failing.Count < FailingNamesKept)
            {
                _failing.Add(machine.Name);
            }
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
