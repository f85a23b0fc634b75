using System.Collections.Immutable;
using SmbSign.Policy.Catalog;

namespace SmbSign.Policy.Rules;

/// <summary>
/// One benchmark recommendation, keyed by setting identity (a catalog setting id and its registry value), with the
/// benchmark's own item number as metadata (CIS numbers move between generations; docs/reference/policy.md §6). Immutable.
/// </summary>
public sealed record AuditRule
{
    /// <summary>Unique within its pack. Usually the item number; an item that covers two values gets a suffix (<c>18.6.14.1-NETLOGON</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The benchmark's own item number ("2.3.8.1", "49.12"); null for baselines without numbers.</summary>
    public string? Item { get; init; }

    /// <summary>The recommendation as the benchmark words it.</summary>
    public required string Title { get; init; }

    public BenchmarkLevel Level { get; init; }

    /// <summary>The catalog setting the rule checks (resolved from <see cref="SettingsCatalog"/>).</summary>
    public required SettingDefinition Setting { get; init; }

    /// <summary>The registry value checked and written; explicit in the rule file.</summary>
    public required RuleRegistryValue Registry { get; init; }

    public required RuleOperator Operator { get; init; }

    /// <summary>The expected value; for <see cref="RuleOperator.OneOf"/> every allowed value, the first being the one remediation writes.</summary>
    public required ImmutableArray<SettingValue> Expected { get; init; }

    public RuleApplicability AppliesTo { get; init; } = RuleApplicability.Always;

    /// <summary>Why the rule reads as it does, or where the benchmark and others disagree.</summary>
    public string? Note { get; init; }

    /// <summary>How well the item number and value are sourced (CIS content is from public transcriptions).</summary>
    public Confidence Confidence { get; init; } = Confidence.List;

    /// <summary>The value remediation writes: the first expected value.</summary>
    public SettingValue Target => Expected[0];

    /// <summary>"= 1", "&lt;= 15", "in 1, 2", "has RequireMutualAuthentication=1, RequireIntegrity=1".</summary>
    public string DescribeExpected() => Operator switch
    {
        RuleOperator.OneOf => "in " + string.Join(" | ", Expected.Select(e => e.ToString())),
        _ => Operator.ToSymbol() + " " + Target,
    };

    public override string ToString() => Id;
}
