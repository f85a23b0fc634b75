using System.Collections.Immutable;
using System.Globalization;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Remediation;

/// <summary>
/// Turns an audit result or a baseline into <see cref="RemediationPlan"/>s. From an audit it takes exactly the failing
/// results of a machine (a not-configured setting whose OS default does not comply is one) and, when <c>strict</c>, the
/// not-configured ones that pass by a compliant default but that the benchmark wants set explicitly, with the value each rule expects and the
/// configured value before the fix (for rollback). From a baseline it takes every setting. Hardened UNC Paths is one
/// list policy in GPO and Intune, so when one entry is fixed its sibling is carried along with its current (or
/// expected) value. Pure: no I/O.
/// </summary>
public sealed class RemediationPlanner
{
    private static readonly string[] s_hardenedPathIds = ["client.HardenedPaths.NETLOGON", "client.HardenedPaths.SYSVOL"];

    private readonly SettingsCatalog _catalog;
    private readonly Dictionary<string, int> _order;

    public RemediationPlanner(SettingsCatalog? catalog = null)
    {
        _catalog = catalog ?? SettingsCatalog.Default;
        _order = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < _catalog.Settings.Length; i++)
        {
            _order.TryAdd(_catalog.Settings[i].Id, i);
        }
    }

    /// <summary>The whole baseline as a plan; previous values are unknown (no snapshot). Changes that stop a service or are
    /// CIS Level 2 are written only when <paramref name="level"/> is 2 (with an impact warning).</summary>
    public RemediationPlan FromBaseline(Baseline baseline, int level = 1)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        List<RemediationItem> items = [];
        List<SkippedSetting> skipped = [];
        foreach (BaselineSetting entry in baseline.Settings)
        {
            if (!_catalog.TryGetById(entry.Setting, out SettingDefinition? setting))
            {
                throw new RemediationInputException($"baseline {baseline.Id}: unknown setting '{entry.Setting}'.{_catalog.DidYouMean(entry.Setting)}");
            }

            if (!RemediationValues.TryParseTarget(setting, entry.Value, out SettingValue target, out string error))
            {
                throw new RemediationInputException($"baseline {baseline.Id}: {setting.Id} = '{entry.Value}': {error}");
            }

            if (items.Any(i => i.Setting.Id == setting.Id))
            {
                skipped.Add(new SkippedSetting(setting.Id, entry.Rule, "listed twice in the baseline; the first entry wins"));
                continue;
            }

            string? disruption = DisruptiveChanges.Of(setting, target, entry.Level2 ? "L2" : null);
            if (disruption is not null && level < 2)
            {
                skipped.Add(new SkippedSetting(setting.Id, entry.Rule, DisruptiveChanges.Withheld(disruption)));
                continue;
            }

            items.Add(new RemediationItem(setting, target, PreviousValue.Unknown, entry.Rule, RemediationReason.Baseline, ImpactWarning: disruption));
        }

        skipped.AddRange(baseline.Excluded.IsDefault ? [] : baseline.Excluded);
        return new RemediationPlan(null, null, "baseline " + baseline.Id, baseline.Id, Sort(items), [.. skipped]);
    }

    /// <summary>One plan per selected machine: <paramref name="machine"/> (case-insensitive) or, when null, every machine.</summary>
    /// <param name="level">1 (default): changes that stop a service or are CIS Level 2 are left out and listed; 2: written
    /// with an impact warning.</param>
    public IReadOnlyList<RemediationPlan> FromAudit(AuditDocument report, string? machine, bool strict, int level = 1)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Machines.IsEmpty)
        {
            throw new RemediationInputException($"{report.Source}: the audit holds no machine");
        }

        if (machine is null)
        {
            return [.. report.Machines.Select(m => FromAuditedMachine(report, m, strict, level))];
        }

        AuditedMachine? selected = report.Machines.FirstOrDefault(m => string.Equals(m.Name, machine.Trim(), StringComparison.OrdinalIgnoreCase));
        return selected is null
            ? throw new RemediationInputException($"{report.Source}: no machine named '{machine}'; the audit holds {string.Join(", ", report.Machines.Select(m => m.Name))}")
            : [FromAuditedMachine(report, selected, strict, level)];
    }

    /// <summary>The plan for one audited machine.</summary>
    public RemediationPlan FromAuditedMachine(AuditDocument report, AuditedMachine machine, bool strict, int level = 1)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(machine);
        List<RemediationItem> items = [];
        List<SkippedSetting> skipped = [];
        foreach (AuditResultRow row in machine.Results)
        {
            string label = row.Setting ?? row.Rule ?? "?";
            switch (row.Status)
            {
                // A not-configured setting whose OS default complies passes (reason "default"); when the benchmark wants it
                // set explicitly (strictFailure) it is exactly what --strict adds, the CIS-literal reading.
                case AuditResultStatus.Pass when strict && row.NotConfigured && row.StrictFailure:
                    break;
                case AuditResultStatus.Pass when row.NotConfigured && row.StrictFailure:
                    skipped.Add(new SkippedSetting(label, row.Rule, $"not configured; the OS default ({row.Effective?.Text ?? "?"}) complies; --strict sets it explicitly"));
                    continue;
                case AuditResultStatus.Pass:
                    continue;
                case AuditResultStatus.NotApplicable:
                    skipped.Add(new SkippedSetting(label, row.Rule, "not applicable to this machine"));
                    continue;
                case AuditResultStatus.Error:
                    skipped.Add(new SkippedSetting(label, row.Rule, "the audit could not evaluate it (status error); fix its input first"));
                    continue;
                case AuditResultStatus.NotConfigured when !strict:
                    skipped.Add(new SkippedSetting(label, row.Rule, row.EffectiveCompliant == false
                        ? $"not configured, and the OS default ({row.Effective?.Text ?? "?"}) does not comply; --strict sets it explicitly"
                        : "not configured (the OS default applies); --strict sets it explicitly"));
                    continue;
            }

            SettingDefinition? setting = Resolve(row.Setting);
            if (setting is null)
            {
                skipped.Add(new SkippedSetting(label, row.Rule, row.Setting is null ? "the result names no setting" : $"unknown setting '{row.Setting}'"));
                continue;
            }

            if (row.Expected is null)
            {
                skipped.Add(new SkippedSetting(setting.Id, row.Rule, "the result has no expected value"));
                continue;
            }

            if (string.Equals(row.Operator, "not-equals", StringComparison.OrdinalIgnoreCase))
            {
                skipped.Add(new SkippedSetting(setting.Id, row.Rule, $"the rule only says the value must not be {row.Expected}; no value to write"));
                continue;
            }

            AuditValue expected = row.Expected;
            if (expected.IsList && expected.Items.Length > 0 && setting.Values.Kind != ValueKind.StringList)
            {
                // one-of: the first allowed value is the one remediation writes.
                expected = AuditValue.Scalar(expected.Items[0]);
            }

            if (!TryTarget(setting, expected, out SettingValue target, out string error))
            {
                skipped.Add(new SkippedSetting(setting.Id, row.Rule, $"expected value '{row.Expected}' cannot be written: {error}"));
                continue;
            }

            RemediationItem? existing = items.FirstOrDefault(i => i.Setting.Id == setting.Id);
            if (existing is not null)
            {
                if (!existing.Target.Equals(target))
                {
                    skipped.Add(new SkippedSetting(setting.Id, row.Rule, $"rule {existing.RuleId} already sets {existing.Target}; this rule wants {target}"));
                }

                continue;
            }

            // Stopping a service or a Level 2 item is never a side effect of --strict: only --level 2 writes it.
            string? disruption = DisruptiveChanges.Of(setting, target, row.Level);
            if (disruption is not null && level < 2)
            {
                skipped.Add(new SkippedSetting(setting.Id, row.Rule, DisruptiveChanges.Withheld(disruption)));
                continue;
            }

            (PreviousValue previous, string? note) = PreviousOf(setting, row);
            note = Join(note, ManagedElsewhere(row));
            // A not-configured setting (failing by its default, or added by --strict) is fixed with reason not-configured.
            bool configured = !row.NotConfigured && (row.Configured is not null || row.Stored is not null);
            RemediationReason reason = row.Status == AuditResultStatus.Fail && configured ? RemediationReason.Failing : RemediationReason.NotConfigured;
            items.Add(new RemediationItem(setting, target, previous, row.Rule, reason, note, disruption));
        }

        AddHardenedPathCompanions(machine, items);
        string? benchmark = machine.Benchmark ?? report.Benchmark;
        return new RemediationPlan(
            machine.Name,
            machine.Os,
            "audit " + report.Source + (benchmark is null ? string.Empty : " (" + benchmark + ")"),
            benchmark,
            Sort(items),
            [.. skipped]);
    }

    /// <summary>
    /// A value that Group Policy or Intune set is written back by the next policy refresh, so a .reg or PowerShell fix alone
    /// does not last; say where it is managed.
    /// </summary>
    private static string? ManagedElsewhere(AuditResultRow row) => row.Layer switch
    {
        "group-policy" => $"set by Group Policy ({row.Source ?? "a policy source"}): change that GPO (target gpo writes one); a .reg or PowerShell change is reverted at the next policy refresh",
        "intune" => $"set by Intune ({row.Source ?? "a profile"}): change that profile (targets intune-custom, intune-catalog); a .reg or PowerShell change is reverted at the next sync",
        _ => null,
    };

    private static string? Join(string? first, string? second) =>
        first is null ? second : second is null ? first : first + "; " + second;

    /// <summary>
    /// The value before the fix, as far as the audit proves it. Present: the audit shows the value at the location the fix
    /// writes (exact type from <c>stored</c> or the registry reference). Absent (rollback deletes it): the fix writes a policy
    /// value while the audit found the setting in a lower layer (the service key), so no policy value existed. Unknown
    /// otherwise: a value the audited sources do not contain is not proven absent.
    /// </summary>
    internal static (PreviousValue Previous, string? Note) PreviousOf(SettingDefinition setting, AuditResultRow row)
    {
        bool isConfigured = row.Configured is not null || row.Stored is not null;
        if (isConfigured && setting.Registry.Kind == RegistryLocationKind.Policy && string.Equals(row.Layer, "local", StringComparison.OrdinalIgnoreCase))
        {
            // A policy value is the group-policy layer and would have won over the local one the audit reports.
            string found = row.Stored ?? row.Configured?.Text ?? "?";
            return (PreviousValue.CreatedByFix($"(no policy value; {found} in {row.Source ?? "a local source"})"),
                $"the audit found {found} outside the policy key ({row.Source ?? "a local source"}); the fix writes the policy value {setting.Registry.FullPath}, and rollback deletes only that policy value (the other value stays as it was)");
        }

        if (row.Registry?.Key is { Length: > 0 } key && !setting.Registry.Matches(key, row.Registry.ValueName ?? setting.ValueName))
        {
            return (PreviousValue.Unknown, $"the audit read {key}; the fix writes {setting.Registry.FullPath}, whose previous value is not known");
        }

        if (!isConfigured)
        {
            return (PreviousValue.NotInSources, null);
        }

        RegistryValueType type = setting.ValueType;
        AuditValue? configured = row.Configured;
        if (row.Stored is { } stored)
        {
            // "REG_SZ 1": the exact stored type and text (a wrong type must come back as it was).
            int space = stored.IndexOf(' ', StringComparison.Ordinal);
            string head = space < 0 ? stored : stored[..space];
            if (!head.StartsWith("REG_", StringComparison.OrdinalIgnoreCase) || !RegistryValueTypeInfo.TryParse(head, out RegistryValueType storedType))
            {
                return (PreviousValue.Native(stored), $"configured as '{stored}' (not a registry value); rollback.reg cannot restore it and leaves the registry value alone");
            }

            type = storedType;
            string rest = space < 0 ? string.Empty : stored[(space + 1)..];
            if (type != RegistryValueType.MultiString || configured is not { IsList: true })
            {
                configured = AuditValue.Scalar(rest);
            }
        }
        else if (row.Registry?.Type is { } typeText && RegistryValueTypeInfo.TryParse(typeText, out RegistryValueType parsedType))
        {
            type = parsedType;
        }

        RegistryValue? value = configured is null ? null : ToRegistryValue(type, configured);
        return value is null
            ? (PreviousValue.Unknown, $"configured value '{row.Stored ?? row.Configured?.Text}' does not fit {type.ToRegName()}; rollback cannot restore it")
            : (PreviousValue.Of(value, value.Type == setting.ValueType ? null : value.ToDisplayString() + " (" + value.Type.ToRegName() + ")"), null);
    }

    private static RegistryValue? ToRegistryValue(RegistryValueType type, AuditValue value)
    {
        switch (type)
        {
            case RegistryValueType.DWord:
                string t = value.Text.Trim();
                if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                {
                    return uint.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint hex) ? RegistryValue.FromDWord(hex) : null;
                }

                bool? flag = ValueSpec.ParseBoolean(t);
                if (uint.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out uint n))
                {
                    return RegistryValue.FromDWord(n);
                }

                return flag is null ? null : RegistryValue.FromDWord(flag.Value ? 1u : 0u);
            case RegistryValueType.QWord:
                return ulong.TryParse(value.Text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong q) ? RegistryValue.FromQWord(q) : null;
            case RegistryValueType.MultiString:
                return RegistryValue.FromMultiString(value.IsList
                    ? value.Items
                    : value.Text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            case RegistryValueType.String or RegistryValueType.ExpandString:
                return RegistryValue.FromString(value.Text, type == RegistryValueType.ExpandString);
            default:
                return null;
        }
    }

    private static bool TryTarget(SettingDefinition setting, AuditValue expected, out SettingValue target, out string error)
    {
        if (expected.IsList && setting.Values.Kind == ValueKind.StringList)
        {
            target = SettingValue.FromList(expected.Items);
            error = string.Empty;
            return true;
        }

        return RemediationValues.TryParseTarget(setting, expected.Text, out target, out error);
    }

    private SettingDefinition? Resolve(string? id)
    {
        if (id is null)
        {
            return null;
        }

        if (_catalog.TryGetById(id, out SettingDefinition? setting))
        {
            return setting;
        }

        IReadOnlyList<SettingDefinition> found = _catalog.Find(id);
        return found.Count == 1 ? found[0] : null;
    }

    private void AddHardenedPathCompanions(AuditedMachine machine, List<RemediationItem> items)
    {
        RemediationItem? planned = items.FirstOrDefault(i => s_hardenedPathIds.Contains(i.Setting.Id, StringComparer.OrdinalIgnoreCase));
        if (planned is null)
        {
            return;
        }

        foreach (string id in s_hardenedPathIds)
        {
            if (items.Any(i => string.Equals(i.Setting.Id, id, StringComparison.OrdinalIgnoreCase)) || !_catalog.TryGetById(id, out SettingDefinition? sibling))
            {
                continue;
            }

            AuditResultRow? row = machine.Find(id);
            SettingValue? value = null;
            string source = "the value of " + planned.Setting.Id;
            if (row?.Configured is { } configured && row.Status == AuditResultStatus.Pass && RemediationValues.TryParseTarget(sibling, configured.Text, out SettingValue current, out _))
            {
                value = current;
                source = "its current value";
            }
            else if (row?.Expected is { } expected && RemediationValues.TryParseTarget(sibling, expected.Text, out SettingValue wanted, out _))
            {
                value = wanted;
                source = "the value its rule expects";
            }

            value ??= planned.Target;
            PreviousValue previous = row is null ? PreviousValue.Unknown : PreviousOf(sibling, row).Previous;
            items.Add(new RemediationItem(sibling, value, previous, row?.Rule, RemediationReason.Companion,
                $"Hardened UNC Paths is one list policy; this entry is written with {source} so the list stays complete"));
        }
    }

    private ImmutableArray<RemediationItem> Sort(List<RemediationItem> items) =>
        [.. items.OrderBy(i => _order.GetValueOrDefault(i.Setting.Id, int.MaxValue)).ThenBy(i => i.Setting.Id, StringComparer.Ordinal)];
}
