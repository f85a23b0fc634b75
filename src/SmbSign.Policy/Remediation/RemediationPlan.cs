using System.Collections.Immutable;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Remediation;

/// <summary>Why a setting is in a remediation plan.</summary>
public enum RemediationReason
{
    /// <summary>The audit reported it as failing.</summary>
    Failing,

    /// <summary>The audit reported it as not configured and <c>--strict</c> asked to set it.</summary>
    NotConfigured,

    /// <summary>It belongs to the baseline being written.</summary>
    Baseline,

    /// <summary>Added because a list policy (Hardened UNC Paths) is written as a whole: the sibling entry keeps its value.</summary>
    Companion,
}

/// <summary>What a setting's registry value was before the fix, as far as the input says.</summary>
public enum PreviousState
{
    /// <summary>The audited sources hold the value at the location the fix writes; <see cref="PreviousValue.Value"/> is it
    /// and rollback writes it back exactly (type included).</summary>
    Present,

    /// <summary>The fix creates the value: it writes a policy value (<c>HKLM\SOFTWARE\Policies</c>) while the audit found the
    /// setting in a lower layer (the service key), so no policy value existed. Rollback deletes that policy value only.</summary>
    Absent,

    /// <summary>Not known: the sources did not contain the value (an export not holding a value does not prove it is absent),
    /// a baseline has no snapshot, or the audit read another location. Rollback leaves such a value alone and says so:
    /// deleting it could break Windows (a service's <c>Start</c> value), and only the PowerShell restore, which saves the
    /// live value before changing it, can put it back exactly.</summary>
    Unknown,
}

/// <summary>The registry value before the fix.</summary>
/// <param name="Value">The exact typed value when <see cref="State"/> is <see cref="PreviousState.Present"/>.</param>
/// <param name="Text">The value as the input wrote it (for reports).</param>
public sealed record PreviousValue(PreviousState State, RegistryValue? Value, string? Text)
{
    /// <summary>No policy value before (the fix creates it).</summary>
    public static PreviousValue Absent { get; } = new(PreviousState.Absent, null, null);

    /// <summary>Not known.</summary>
    public static PreviousValue Unknown { get; } = new(PreviousState.Unknown, null, null);

    /// <summary>A known previous value.</summary>
    public static PreviousValue Of(RegistryValue value, string? text = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(PreviousState.Present, value, text ?? value.ToDisplayString());
    }

    /// <summary>The audited sources did not contain the value: its previous state is unknown.</summary>
    public static PreviousValue NotInSources { get; } = new(PreviousState.Unknown, null, "(not configured)");

    /// <summary>Not a registry value the rollback can restore, but known in its own form (an smb.conf line).</summary>
    public static PreviousValue Native(string text) => new(PreviousState.Unknown, null, text);

    /// <summary>No policy value existed; <paramref name="text"/> says where the audit found the setting instead.</summary>
    public static PreviousValue CreatedByFix(string text) => new(PreviousState.Absent, null, text);

    /// <summary>"1", "(absent)", "server signing = auto", "(not configured)", "(unknown)".</summary>
    public override string ToString() => State switch
    {
        PreviousState.Present => Text ?? Value?.ToDisplayString() ?? string.Empty,
        PreviousState.Absent => Text ?? "(absent)",
        _ => Text ?? "(unknown)",
    };
}

/// <summary>One setting to change: which setting, to what, what it was, and why.</summary>
/// <param name="Setting">The catalog setting.</param>
/// <param name="Target">The value to write (parsed and validated against the setting's value spec).</param>
/// <param name="Previous">The value before the fix, for rollback.</param>
/// <param name="RuleId">The audit rule or baseline item that asked for it (CIS number, rule id), if any.</param>
/// <param name="ImpactWarning">Set when the change stops a service or cuts off clients (written only with <c>--level 2</c>):
/// what it breaks, in one sentence.</param>
public sealed record RemediationItem(
    SettingDefinition Setting,
    SettingValue Target,
    PreviousValue Previous,
    string? RuleId,
    RemediationReason Reason,
    string? Note = null,
    string? ImpactWarning = null)
{
    /// <summary>The registry value the fix writes (primary location, catalog type).</summary>
    public RegistryIdentity Identity => RemediationValues.IdentityOf(Setting);

    /// <summary>The typed registry value the fix writes.</summary>
    public RegistryValue RegistryValue => RemediationValues.ToRegistryValue(Setting, Target);
}

/// <summary>A setting the plan does not change, and why (passing, not applicable, unparseable expectation, ...).</summary>
public sealed record SkippedSetting(string Setting, string? RuleId, string Reason);

/// <summary>Everything to change on one machine (or for one baseline), in catalog order. Immutable.</summary>
/// <param name="Machine">The machine name from the audit, or null for a baseline.</param>
/// <param name="Os">The machine's OS as the audit named it.</param>
/// <param name="Source">What the plan was made from: <c>audit FILE (benchmark)</c> or <c>baseline ID</c>.</param>
/// <param name="Benchmark">The benchmark or baseline id.</param>
public sealed record RemediationPlan(
    string? Machine,
    string? Os,
    string Source,
    string? Benchmark,
    ImmutableArray<RemediationItem> Items,
    ImmutableArray<SkippedSetting> Skipped)
{
    /// <summary>True when nothing needs to change.</summary>
    public bool IsEmpty => Items.IsEmpty;

    /// <summary>The item for a setting id, or null.</summary>
    public RemediationItem? Find(string settingId) =>
        Items.FirstOrDefault(i => string.Equals(i.Setting.Id, settingId, StringComparison.OrdinalIgnoreCase));

    /// <summary>A short title for generated artefacts: "SmbSign fix: cis-win11-24h2 for WS01".</summary>
    public string Title => "SmbSign fix: " + (Benchmark ?? "baseline") + (Machine is null ? string.Empty : " for " + Machine);
}
