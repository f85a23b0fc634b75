using System.Collections.Immutable;
using SmbSign.Policy.Defaults;

namespace SmbSign.Policy.Rules;

/// <summary>Which OS profiles a pack is the default benchmark for (the first matching built-in pack wins).</summary>
public sealed record PackDefaultCondition
{
    public ImmutableArray<OsFamily> Families { get; init; } = [];

    public int? MinBuild { get; init; }

    public int? MaxBuild { get; init; }

    /// <summary>True when <paramref name="os"/> matches every part given.</summary>
    public bool Matches(OsProfile os)
    {
        ArgumentNullException.ThrowIfNull(os);
        return !Families.IsEmpty
            && Families.Contains(os.Family)
            && (MinBuild is null || os.Build >= MinBuild)
            && (MaxBuild is null || os.Build <= MaxBuild);
    }
}

/// <summary>
/// One benchmark generation as data (<c>rules/*.json</c>): CIS Windows 11 Enterprise 23H2 / 24H2, CIS Windows Server
/// 2022 / 2025, CIS Microsoft Intune for Windows, the Microsoft Security Baseline. Immutable.
/// </summary>
public sealed record RulePack
{
    /// <summary>Stable id used on the command line: <c>cis-win11-24h2</c>, <c>msft-win11-24h2</c>.</summary>
    public required string Id { get; init; }

    /// <summary>"CIS Microsoft Windows 11 Enterprise Benchmark".</summary>
    public required string Title { get; init; }

    /// <summary>"CIS", "Microsoft".</summary>
    public required string Publisher { get; init; }

    /// <summary>The benchmark's version ("4.0.0").</summary>
    public required string Version { get; init; }

    /// <summary>Numbering generation: "mid" (23H2), "24H2", "intune", "baseline" (docs/reference/policy.md §6.2).</summary>
    public required string Generation { get; init; }

    /// <summary>
    /// The benchmark's strict reading of "not configured": CIS (and the Microsoft baseline, applied by GPO) want each value
    /// set, so an absent value counts as a failure under <c>--strict</c> even when the OS default is compliant.
    /// </summary>
    public bool NotConfiguredIsFailure { get; init; } = true;

    /// <summary>When the pack is chosen for a machine that names no benchmark (any condition matching); empty for packs chosen only explicitly.</summary>
    public ImmutableArray<PackDefaultCondition> DefaultFor { get; init; } = [];

    /// <summary>Where the content comes from.</summary>
    public ImmutableArray<string> Sources { get; init; } = [];

    public required ImmutableArray<AuditRule> Rules { get; init; }

    /// <summary>The file or resource the pack was loaded from.</summary>
    public string Origin { get; init; } = string.Empty;

    /// <summary>"CIS Microsoft Windows 11 Enterprise Benchmark v4.0.0".</summary>
    public string DisplayName => $"{Title} v{Version}";

    public override string ToString() => Id;
}
