using System.Collections.Concurrent;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>
/// Evaluates a rule pack against a machine snapshot. A pure function: no I/O, no clock (docs/reference/policy.md §0.3, §8.1):
/// <list type="bullet">
/// <item>a configured value is compared parsed: <c>pass</c> or <c>fail</c>;</item>
/// <item>an absent value is decided by its effective value, the OS default: <c>fail</c> (reason <c>not-configured</c>) when
/// the default does not comply or cannot be resolved, <c>pass</c> (reason <c>default</c>) when it complies; <c>--strict</c>
/// fails it too where the benchmark wants the value set explicitly (the CIS-literal reading);</item>
/// <item>a rule that cannot matter is <c>not-applicable</c>: wrong role, Server service disabled, SMB1 removed, the setting
/// does not exist on this OS, or Samba has no counterpart;</item>
/// <item>an absent value on a machine with an unreadable source is <c>error</c>: absence proves nothing then.</item>
/// </list>
/// </summary>
public static class AuditEngine
{
    private const string ServerServiceSetting = "server.ServiceStart";
    private const string Smb1ClientSetting = "client.Smb1Driver";
    private const string Smb1ServerSetting = "server.SMB1";
    private const int MaxCachedFindings = 16384;

    /// <summary>
    /// Findings that depend only on the rule, the OS profile and --strict (role and platform not-applicable, and
    /// not-configured without a deletion): identical for every such machine of a fleet, so they are shared (immutable).
    /// </summary>
    private static readonly ConcurrentDictionary<(AuditRule Rule, OsProfile? Os, OsRole Role, bool Strict, bool PackStrict), AuditFinding> s_shared = new(SharedKeyComparer.Instance);

    /// <summary>Findings of rules whose setting no readable source mentions on a machine with an unreadable source.</summary>
    private static readonly ConcurrentDictionary<(AuditRule Rule, OsProfile? Os, OsRole Role, bool Strict, bool PackStrict), AuditFinding> s_unreadable = new(SharedKeyComparer.Instance);

    /// <summary>One finding per rule of <paramref name="pack"/>, in pack order.</summary>
    /// <param name="os">The machine's OS profile with its role applied; null when unknown (effective values are then unknown).</param>
    public static IReadOnlyList<AuditFinding> Evaluate(MachineSnapshot snapshot, OsProfile? os, OsRole role, RulePack pack, bool strict)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(pack);
        var findings = new AuditFinding[pack.Rules.Length];
        for (int i = 0; i < findings.Length; i++)
        {
            findings[i] = Evaluate(pack.Rules[i], snapshot, os, role, pack, strict);
        }

        return findings;
    }

    /// <summary>The finding of one rule.</summary>
    public static AuditFinding Evaluate(AuditRule rule, MachineSnapshot snapshot, OsProfile? os, OsRole role, RulePack pack, bool strict)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(pack);
        SettingDefinition setting = rule.Setting;
        var key = (rule, os, role, strict, pack.NotConfiguredIsFailure);
        if (!rule.AppliesTo.AppliesToRole(role) || (os is { Family: OsFamily.Samba } && setting.Samba is null))
        {
            return Shared(key, static k => Independent(k.Rule, k.Os, k.Role, k.Strict, k.PackStrict));
        }

        if (rule.AppliesTo.RequiresServerService && snapshot.GetValue(ServerServiceSetting) is { Kind: SnapshotValueKind.Value, Value: { Kind: SettingValueKind.Number, Number: 4 } } service)
        {
            return NotApplicable(rule, $"the Server service is disabled (LanmanServer Start=4 at {service.Location}): server-side settings are moot", "Server service off", service.Location);
        }

        if (rule.AppliesTo.Smb1Only)
        {
            bool clientSide = setting.Side == SettingSide.Client;
            SnapshotValue? smb1 = snapshot.GetValue(clientSide ? Smb1ClientSetting : Smb1ServerSetting);
            if (smb1 is { Kind: SnapshotValueKind.Value, Value.Kind: SettingValueKind.Number } && smb1.Value.Number == (clientSide ? 4 : 0))
            {
                return NotApplicable(
                    rule,
                    clientSide
                        ? $"SMB1-only setting and the SMB1 client driver is disabled (mrxsmb10 Start=4 at {smb1.Location})"
                        : $"SMB1-only setting and the SMB1 server is disabled (SMB1=0 at {smb1.Location})",
                    clientSide ? "SMB1 client off" : "SMB1 server off",
                    smb1.Location);
            }
        }

        SnapshotSetting? state = snapshot.Get(setting.Id);
        if (state?.Winner is { } winner)
        {
            return Configured(rule, winner, state.Overridden, state.OverriddenCount, snapshot);
        }

        if (state?.Deletion is null && !snapshot.HasUnreadableSource)
        {
            return Shared(key, static k => Independent(k.Rule, k.Os, k.Role, k.Strict, k.PackStrict));
        }

        if (state?.Deletion is null)
        {
            // An unreadable source: the same error for every such machine, so shared too. A folder of 100,000 empty files
            // held 100,000 x rules findings with a note each (1.5 GB); the file and code are in the machine's diagnostics.
            return SharedUnreadable(key);
        }

        return Unconfigured(rule, os, strict, pack.NotConfiguredIsFailure, state?.Deletion, snapshot);
    }

    private static AuditFinding Shared((AuditRule Rule, OsProfile? Os, OsRole Role, bool Strict, bool PackStrict) key, Func<(AuditRule Rule, OsProfile? Os, OsRole Role, bool Strict, bool PackStrict), AuditFinding> create)
    {
        if (s_shared.TryGetValue(key, out AuditFinding? finding))
        {
            return finding;
        }

        finding = create(key);
        if (s_shared.Count < MaxCachedFindings)
        {
            s_shared.TryAdd(key, finding);
        }

        return finding;
    }

    private static AuditFinding SharedUnreadable((AuditRule Rule, OsProfile? Os, OsRole Role, bool Strict, bool PackStrict) key)
    {
        if (s_unreadable.TryGetValue(key, out AuditFinding? finding))
        {
            return finding;
        }

        DefaultValue? defaultValue = key.Os is null ? null : OsDefaults.Resolve(key.Rule.Setting, key.Os);
        finding = defaultValue is { Rule: not null, Value: null }
            ? Independent(key.Rule, key.Os, key.Role, key.Strict, key.PackStrict) // not on this OS: not-applicable either way
            : new AuditFinding
            {
                Rule = key.Rule,
                Status = AuditStatus.Error,
                Effective = defaultValue?.Value,
                EffectiveSource = defaultValue?.Provenance,
                Note = "not found, but a source of this machine could not be read fully (see its diagnostics), so SmbSign cannot tell whether it is configured",
                Reason = "unreadable source",
            };
        if (s_unreadable.Count < MaxCachedFindings)
        {
            s_unreadable.TryAdd(key, finding);
        }

        return finding;
    }

    /// <summary>The finding of a rule on a machine whose sources do not mention its setting (or where role/platform decide).</summary>
    private static AuditFinding Independent(AuditRule rule, OsProfile? os, OsRole role, bool strict, bool packStrict)
    {
        SettingDefinition setting = rule.Setting;
        if (!rule.AppliesTo.AppliesToRole(role))
        {
            return NotApplicable(rule, $"applies to {string.Join("/", rule.AppliesTo.Roles.Select(RulePackLoader.RoleToken))} only; this machine is {RulePackLoader.RoleToken(role)}", "role");
        }

        if (os is { Family: OsFamily.Samba } && setting.Samba is null)
        {
            return NotApplicable(rule, $"Samba has no counterpart of {setting.ValueName}", "no Samba equivalent");
        }

        return Unconfigured(rule, os, strict, packStrict, deletion: null, snapshot: null);
    }

    private static AuditFinding Unconfigured(AuditRule rule, OsProfile? os, bool strict, bool packStrict, SnapshotValue? deletion, MachineSnapshot? snapshot)
    {
        SettingDefinition setting = rule.Setting;
        DefaultValue? defaultValue = os is null ? null : OsDefaults.Resolve(setting, os);
        if (defaultValue is { Rule: not null, Value: null })
        {
            return NotApplicable(rule, $"{setting.ValueName} does not exist on {os!.Label}" + (defaultValue.Rule.Note is null ? string.Empty : $" ({defaultValue.Rule.Note})"), "not on this OS");
        }

        string deleted = deletion is null ? string.Empty : $"{deletion.Stored} at {deletion.Location}; ";
        if (snapshot is { HasUnreadableSource: true })
        {
            SourceDiagnostic first = snapshot.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
            return new AuditFinding
            {
                Rule = rule,
                Status = AuditStatus.Error,
                NotConfigured = true,
                Effective = defaultValue?.Value,
                EffectiveSource = defaultValue?.Provenance,
                Source = deletion?.Location,
                Note = $"{deleted}not found, but a source could not be read fully ({first.Code} at {first.Location}), so SmbSign cannot tell whether it is configured",
                Reason = "unreadable source",
            };
        }

        // The effective value decides (CIS 2.3.8.x "Default Value" sections): an absent value is what the OS does by
        // default. A default that does not comply fails; one that complies passes with reason "default" (--strict reads
        // the benchmark literally and fails it when the benchmark wants the value set); an unknown default fails closed.
        SettingValue? effective = defaultValue?.Value;
        bool? compliant = effective is null ? null : ValueMatcher.Satisfies(rule, effective, out _);
        string deletedReason = deletion is null ? string.Empty : "deleted; ";
        if (effective is null)
        {
            string unknown = os is null
                ? "not configured and the OS is unknown, so its default (the effective value) cannot be resolved: give --os or a machines.json entry"
                : $"not configured and no default is known for {os.Label}, so the effective value cannot be resolved";
            return new AuditFinding
            {
                Rule = rule,
                Status = AuditStatus.Fail,
                NotConfigured = true,
                EffectiveSource = defaultValue?.Provenance,
                Source = deletion?.Location,
                StrictFailure = packStrict,
                Note = deleted + unknown,
                Reason = deletedReason + (os is null ? "not-configured, OS unknown" : "not-configured, default unknown"),
            };
        }

        string effectiveText = $"effective {effective} from the {os!.Label} default ({(compliant == true ? "compliant" : "not compliant")})";
        if (compliant != true)
        {
            return new AuditFinding
            {
                Rule = rule,
                Status = AuditStatus.Fail,
                NotConfigured = true,
                Effective = effective,
                EffectiveSource = defaultValue!.Provenance,
                EffectiveCompliant = compliant,
                Source = deletion?.Location,
                StrictFailure = packStrict,
                Note = "not configured: " + deleted + effectiveText,
                Reason = deletedReason + "not-configured",
            };
        }

        bool strictFailure = packStrict;
        bool failed = strict && strictFailure;
        return new AuditFinding
        {
            Rule = rule,
            Status = failed ? AuditStatus.Fail : AuditStatus.Pass,
            NotConfigured = true,
            Effective = effective,
            EffectiveSource = defaultValue!.Provenance,
            EffectiveCompliant = compliant,
            Source = deletion?.Location,
            StrictFailure = strictFailure,
            Note = (failed ? "not configured (--strict: the benchmark wants it set explicitly): " : "not configured: ") + deleted + effectiveText
                + (strictFailure && !failed ? "; the benchmark wants it set explicitly (--strict counts it as fail)" : string.Empty),
            Reason = deletedReason + (failed ? "not-configured (--strict)" : "default"),
        };
    }

    private static AuditFinding Configured(AuditRule rule, SnapshotValue winner, IReadOnlyList<SnapshotValue> overridden, int overriddenCount, MachineSnapshot snapshot)
    {
        List<string> notes = [];
        AuditStatus status;
        bool? compliant = null;
        string? reason = null;
        if (winner.Kind == SnapshotValueKind.Unreadable || winner.Value is null)
        {
            status = AuditStatus.Fail;
            notes.Add(winner.Note ?? $"'{winner.Stored}' cannot be read as {rule.Registry.Type}");
            reason = winner.TypeMismatch ? "wrong type" : "no Windows equivalent";
        }
        else
        {
            compliant = ValueMatcher.Satisfies(rule, winner.Value, out string? problem);
            status = compliant == true && !winner.TypeMismatch ? AuditStatus.Pass : AuditStatus.Fail;
            if (problem is not null)
            {
                notes.Add(problem);
                reason = problem;
            }

            if (winner.TypeMismatch && winner.Note is not null)
            {
                notes.Add(winner.Note);
                reason = "wrong type " + winner.Stored.Split(' ')[0];
            }
            else if (winner.Note is not null && winner.Layer == PrecedenceLayer.Local && winner.Location.Format is SourceFormat.SmbConf or SourceFormat.NsmbConf)
            {
                notes.Add(winner.Note);
            }
        }

        if (winner.Layer == PrecedenceLayer.Effective)
        {
            notes.Add("effective value reported by Get-Smb*Configuration; the registry value itself may be absent");
            reason ??= "effective (PowerShell)";
        }

        if (overridden.Count > 0)
        {
            // The list is bounded (SnapshotSetting.MaxOverriddenListed); the count says how many there were in all.
            notes.Add("overrides " + string.Join("; ", overridden.Select(o => o.ToString()))
                + (overriddenCount > overridden.Count
                    ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; and {overriddenCount - overridden.Count:N0} more (overridden {overriddenCount:N0} times)")
                    : string.Empty));
            reason ??= $"{winner.Layer.Describe()} overrides {overridden[0].Layer.Describe()} {overridden[0].Value?.ToString() ?? overridden[0].Stored}";
        }

        if (snapshot.HasUnreadableSource)
        {
            notes.Add("another source of this machine could not be read fully");
        }

        return new AuditFinding
        {
            Rule = rule,
            Status = status,
            Configured = winner.Value,
            Stored = winner.Stored,
            Effective = winner.Value,
            EffectiveSource = "configured",
            EffectiveCompliant = compliant,
            Source = winner.Location,
            Layer = winner.Layer,
            Note = notes.Count == 0 ? null : string.Join("; ", notes),
            Reason = reason,
            Overridden = overridden,
            OverriddenCount = overriddenCount,
        };
    }

    private static AuditFinding NotApplicable(AuditRule rule, string note, string reason, SourceLocation? source = null) => new()
    {
        Rule = rule,
        Status = AuditStatus.NotApplicable,
        Source = source,
        Note = note,
        Reason = reason,
    };

    /// <summary>Rules by reference (they are immutable and loaded once), OS profiles by the fields defaults depend on.</summary>
    private sealed class SharedKeyComparer : IEqualityComparer<(AuditRule Rule, OsProfile? Os, OsRole Role, bool Strict, bool PackStrict)>
    {
        public static SharedKeyComparer Instance { get; } = new();

        public bool Equals((AuditRule Rule, OsProfile? Os, OsRole Role, bool Strict, bool PackStrict) x, (AuditRule Rule, OsProfile? Os, OsRole Role, bool Strict, bool PackStrict) y) =>
            ReferenceEquals(x.Rule, y.Rule)
            && x.Role == y.Role
            && x.Strict == y.Strict
            && x.PackStrict == y.PackStrict
            && (ReferenceEquals(x.Os, y.Os)
                || (x.Os is not null && y.Os is not null
                    && string.Equals(x.Os.Id, y.Os.Id, StringComparison.Ordinal)
                    && x.Os.Family == y.Os.Family
                    && x.Os.Build == y.Os.Build
                    && x.Os.Edition == y.Os.Edition
                    && x.Os.Role == y.Os.Role
                    && string.Equals(x.Os.DisplayName, y.Os.DisplayName, StringComparison.Ordinal)));

        public int GetHashCode((AuditRule Rule, OsProfile? Os, OsRole Role, bool Strict, bool PackStrict) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Rule), obj.Os?.Id, obj.Os?.Build, obj.Role, obj.Strict, obj.PackStrict);
    }
}
