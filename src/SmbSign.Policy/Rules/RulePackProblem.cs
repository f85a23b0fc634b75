namespace SmbSign.Policy.Rules;

/// <summary>A problem in a rule pack: the file, the rule (when one is concerned) and what was expected.</summary>
public sealed record RulePackProblem(string Origin, string? RuleId, string Message)
{
    /// <summary><c>rules/cis-win11-24h2.json: rule 2.3.8.1: message</c>.</summary>
    public override string ToString() => RuleId is null ? $"{Origin}: {Message}" : $"{Origin}: rule {RuleId}: {Message}";
}

/// <summary>A loaded pack (null when the file could not be read at all) and every problem found.</summary>
public sealed record RulePackLoadResult(RulePack? Pack, IReadOnlyList<RulePackProblem> Problems)
{
    /// <summary>True when the pack loaded and has no problem.</summary>
    public bool IsValid => Pack is not null && Problems.Count == 0;
}
