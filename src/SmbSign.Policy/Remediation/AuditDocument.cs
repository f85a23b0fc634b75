using System.Collections.Immutable;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Remediation;

/// <summary>The status of one audit result (the <c>status</c> field of <c>smbsign audit --format json</c>).</summary>
public enum AuditResultStatus
{
    Pass,
    Fail,
    NotConfigured,
    NotApplicable,
    Error,
}

/// <summary>A value as the audit wrote it: scalar text, or a list (REG_MULTI_SZ) when <see cref="IsList"/>.</summary>
public sealed record AuditValue(string Text, ImmutableArray<string> Items, bool IsList)
{
    /// <summary>A scalar.</summary>
    public static AuditValue Scalar(string text) => new(text, [], false);

    /// <summary>A list.</summary>
    public static AuditValue List(IEnumerable<string> items)
    {
        ImmutableArray<string> list = [.. items];
        return new(string.Join(", ", list), list, true);
    }

    /// <summary>The text.</summary>
    public override string ToString() => Text;
}

/// <summary>The registry location an audit result names (<c>registry</c> object), as far as it says.</summary>
public sealed record AuditRegistryRef(string? Key, string? ValueName, string? Type);

/// <summary>One row of <c>machines[].results[]</c>.</summary>
/// <param name="Setting">The catalog setting id (or another name the catalog can resolve).</param>
/// <param name="Configured">The explicitly configured value; null when the audit says it is absent.</param>
/// <param name="Operator">How the rule compares (<c>equals</c>, <c>at-least</c>, <c>at-most</c>, <c>one-of</c>, <c>not-equals</c>, <c>hardened-unc-flags</c>).</param>
/// <param name="Stored">The configured value exactly as stored: <c>REG_DWORD 1</c>, <c>REG_SZ 1</c> (wrong type), or a native
/// line such as <c>server signing = auto</c> (smb.conf).</param>
/// <param name="EffectiveCompliant">Whether the effective value (OS default when not configured) complies.</param>
/// <param name="Layer">The precedence layer the configured value came from (<c>local</c>, <c>effective</c>, <c>intune</c>,
/// <c>group-policy</c>).</param>
/// <param name="Level">The rule's CIS level (<c>L1</c>, <c>L2</c>), when the benchmark has levels.</param>
/// <param name="NotConfigured">The audit found no configured value (<c>notConfigured</c>): the OS default decided the verdict.</param>
/// <param name="StrictFailure">The benchmark wants the value set explicitly (<c>strictFailure</c>): a not-configured result that
/// passes by its compliant default is what <c>--strict</c> counts as a failure and fixes.</param>
/// <param name="Reason">The audit's reason (<c>not-configured</c>, <c>default</c>, ...), as written.</param>
public sealed record AuditResultRow(
    string? Rule,
    string? Setting,
    AuditResultStatus Status,
    AuditValue? Expected,
    AuditValue? Configured,
    AuditValue? Effective,
    string? Source,
    AuditRegistryRef? Registry,
    int Line,
    string? Operator = null,
    string? Stored = null,
    bool? EffectiveCompliant = null,
    string? Layer = null,
    string? Level = null,
    bool NotConfigured = false,
    bool StrictFailure = false,
    string? Reason = null);

/// <summary>One audited machine.</summary>
/// <param name="Benchmark">The machine's own benchmark when the audit picked one per machine.</param>
public sealed record AuditedMachine(string Name, string? Os, ImmutableArray<AuditResultRow> Results, string? Benchmark = null)
{
    /// <summary>The first row about a setting id, or null.</summary>
    public AuditResultRow? Find(string settingId) =>
        Results.FirstOrDefault(r => string.Equals(r.Setting, settingId, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A parsed <c>smbsign audit --format json</c> document.</summary>
public sealed record AuditDocument(string Source, string? Benchmark, ImmutableArray<AuditedMachine> Machines);

/// <summary>Input the user gave (audit or scan file, baseline id) that cannot be used; the message names the file and line.</summary>
public sealed class RemediationInputException : InputException
{
    public RemediationInputException()
    {
    }

    public RemediationInputException(string message)
        : base(message)
    {
    }

    public RemediationInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
