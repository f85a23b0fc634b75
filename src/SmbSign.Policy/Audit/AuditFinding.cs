using SmbSign.Policy.Catalog;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>
/// The verdict of one rule on one machine, with everything a report or the remediation helper needs: the configured value
/// and where it came from, the effective value (configured, or the OS default with its provenance), and whether the
/// benchmark's strict reading counts an absent value as a failure. Immutable.
/// </summary>
public sealed record AuditFinding
{
    public required AuditRule Rule { get; init; }

    public required AuditStatus Status { get; init; }

    /// <summary>The value the sources set (null when not configured, deleted or not mappable).</summary>
    public SettingValue? Configured { get; init; }

    /// <summary>How the winning source wrote it (<c>REG_DWORD 1</c>, <c>server signing = mandatory</c>); null when not configured.</summary>
    public string? Stored { get; init; }

    /// <summary>What the machine actually uses: the configured value, or the OS default when not configured; null when unknown.</summary>
    public SettingValue? Effective { get; init; }

    /// <summary>Where the effective value comes from: "configured" or the default's provenance ("default for win11-24h2-pro: ... [doc]").</summary>
    public string? EffectiveSource { get; init; }

    /// <summary>Whether the effective value satisfies the rule (null when unknown).</summary>
    public bool? EffectiveCompliant { get; init; }

    /// <summary>Where the configured value (or the deletion) was read; null when no source mentions the setting.</summary>
    public SourceLocation? Source { get; init; }

    /// <summary>The precedence layer of the configured value.</summary>
    public PrecedenceLayer? Layer { get; init; }

    /// <summary>True when no source sets the value (absent or deleted): the verdict comes from the OS default, the effective value.</summary>
    public bool NotConfigured { get; init; }

    /// <summary>For a not-configured value: true when the benchmark's strict reading (the value must be set) counts it as a
    /// failure; <c>--strict</c> turns such findings into <see cref="AuditStatus.Fail"/> even when the default complies.</summary>
    public bool StrictFailure { get; init; }

    /// <summary>Why the status is what it is, in one or two sentences.</summary>
    public string? Note { get; init; }

    /// <summary>The reason in a few words, for narrow tables ("Server service off", "default compliant", "wrong type").</summary>
    public string? Reason { get; init; }

    /// <summary>Values of lower layers or earlier sources that the configured value overrides.</summary>
    public IReadOnlyList<SnapshotValue> Overridden { get; init; } = [];

    /// <summary>True for <see cref="AuditStatus.Fail"/> and <see cref="AuditStatus.Error"/>: the items that make a machine fail.</summary>
    public bool IsFailing => Status is AuditStatus.Fail or AuditStatus.Error;

    /// <summary>How many values the configured value overrides in all; <see cref="Overridden"/> lists at most
    /// <see cref="SnapshotSetting.MaxOverriddenListed"/> of them.</summary>
    public int OverriddenCount { get; init; }

    public override string ToString() => $"{Rule.Id} {Status.ToToken()}";
}
