namespace SmbSign.Policy.Audit;

/// <summary>The verdict of one rule on one machine. Tri-state plus two honest escapes: a rule can be moot, or undecidable.</summary>
public enum AuditStatus
{
    /// <summary>The value is set and satisfies the rule.</summary>
    Pass,

    /// <summary>The value is set and does not satisfy the rule (or, with <c>--strict</c>, it is not set).</summary>
    Fail,

    /// <summary>No source sets the value; the finding carries the OS default as the effective value.</summary>
    NotConfigured,

    /// <summary>The rule does not apply: wrong role, Server service disabled, SMB1 removed, setting absent on this OS or platform.</summary>
    NotApplicable,

    /// <summary>A source of the machine could not be read, so "not configured" cannot be claimed.</summary>
    Error,
}

/// <summary>Spellings of <see cref="AuditStatus"/>.</summary>
public static class AuditStatusInfo
{
    /// <summary>The token used in JSON, CSV and SARIF: <c>pass</c>, <c>fail</c>, <c>not-configured</c>, <c>not-applicable</c>, <c>error</c>.</summary>
    public static string ToToken(this AuditStatus status) => status switch
    {
        AuditStatus.Pass => "pass",
        AuditStatus.Fail => "fail",
        AuditStatus.NotConfigured => "not-configured",
        AuditStatus.NotApplicable => "not-applicable",
        AuditStatus.Error => "error",
        _ => status.ToString(),
    };
}
