namespace SmbSign.Policy.Rules;

/// <summary>The CIS profile level of a rule. Baselines without levels use <see cref="None"/>.</summary>
public enum BenchmarkLevel
{
    /// <summary>The benchmark has no levels (Microsoft Security Baseline).</summary>
    None,

    /// <summary>CIS Level 1: essential, low impact.</summary>
    L1,

    /// <summary>CIS Level 2: defence in depth, may reduce functionality (e.g. disabling the Server service).</summary>
    L2,
}
