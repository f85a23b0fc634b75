namespace SmbSign.Policy.Audit;

/// <summary>The verdict of one rule on one machine: pass or fail by the effective value, plus two honest escapes: a rule can be
/// moot, or undecidable. Whether the value was configured is <see cref="AuditFinding.NotConfigured"/>, not a status.</summary>
public enum AuditStatus
{
    /// <summary>The effective value satisfies the rule: it is set so, or (reason <c>default</c>) the OS default complies.</summary>
    Pass,

    /// <summary>The effective value does not satisfy the rule or cannot be resolved (OS unknown), or, with <c>--strict</c>,
    /// the benchmark wants the value set and it is not.</summary>
    Fail,

    /// <summary>The rule does not apply: wrong role, Server service disabled, SMB1 removed, setting absent on this OS or platform.</summary>
    NotApplicable,

    /// <summary>A source of the machine could not be read, so "not configured" cannot be claimed.</summary>
    Error,
}

/// <summary>Spellings of <see cref="AuditStatus"/>.</summary>
public static class AuditStatusInfo
{
    /// <summary>The token used in JSON, CSV and SARIF: <c>pass</c>, <c>fail</c>, <c>not-applicable</c>, <c>error</c>.</summary>
    public static string ToToken(this AuditStatus status) => status switch
    {
        AuditStatus.Pass => "pass",
        AuditStatus.Fail => "fail",
        AuditStatus.NotApplicable => "not-applicable",
        AuditStatus.Error => "error",
        _ => status.ToString(),
    };
}
