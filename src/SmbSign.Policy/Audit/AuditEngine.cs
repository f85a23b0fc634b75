using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>
/// Evaluates a rule pack against a machine snapshot. A pure function: no I/O, no clock (docs/policy.md §0.3, §8.1):
/// <list type="bullet">
/// <item>a configured value is compared parsed: <c>pass</c> or <c>fail</c>;</item>
/// <item>an absent value is <c>not-configured</c>, with the OS default as the effective value and whether the benchmark's
/// strict reading counts it as a failure (<c>--strict</c> makes it <c>fail</c>);</item>
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

        if (!rule.AppliesTo.AppliesToRole(role))
        {
            return NotApplicable(rule, $"applies to {string.Join("/", rule.AppliesTo.Roles.Select(RulePackLoader.RoleToken))} only; this machine is {RulePackLoader.RoleToken(role)}", "role");
        }

        if (os is { Family: OsFamily.Samba } && setting.Samba is null)
        {
            return NotApplicable(rule, $"Samba has no counterpart of {setting.ValueName}", "no Samba equivalent");
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
            return Configured(rule, winner, state.Overridden, snapshot);
        }

        DefaultValue? defaultValue = os is null ? null : OsDefaults.Resolve(setting, os);
        if (defaultValue is { Rule: not null, Value: null })
        {
            return NotApplicable(rule, $"{setting.ValueName} does not exist on {os!.Label}" + (defaultValue.Rule.Note is null ? string.Empty : $" ({defaultValue.Rule.Note})"), "not on this OS");
        }

        string deleted = state?.Deletion is { } deletion ? $"{deletion.Stored} at {deletion.Location}; " : string.Empty;
        if (snapshot.HasUnreadableSource)
        {
            SourceDiagnostic first = snapshot.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
            return new AuditFinding
            {
                Rule = rule,
                Status = AuditStatus.Error,
                Effective = defaultValue?.Value,
                EffectiveSource = defaultValue?.Provenance,
                Source = state?.Deletion?.Location,
                Note = $"{deleted}not found, but a source could not be read fully ({first.Code} at {first.Location}), so SmbSign cannot tell whether it is configured",
                Reason = "unreadable source",
            };
        }

        SettingValue? effective = defaultValue?.Value;
        bool? compliant = effective is null ? null : ValueMatcher.Satisfies(rule, effective, out _);
        bool strictFailure = pack.NotConfiguredIsFailure;
        string effectiveText = effective is null
            ? (os is null ? "the OS is unknown, so the effective value is unknown (give --os or a machines.json entry)" : $"no default is known for {os.Label}")
            : $"effective {effective} from the {os!.Label} default ({(compliant == true ? "compliant" : "not compliant")})";
        string strictText = strictFailure ? "; the benchmark wants it set explicitly" : string.Empty;
        return new AuditFinding
        {
            Rule = rule,
            Status = strict && strictFailure ? AuditStatus.Fail : AuditStatus.NotConfigured,
            Effective = effective,
            EffectiveSource = defaultValue?.Provenance,
            EffectiveCompliant = compliant,
            Source = state?.Deletion?.Location,
            StrictFailure = strictFailure,
            Note = (strict && strictFailure ? "not configured (--strict): " : string.Empty) + deleted + effectiveText + strictText,
            Reason = (state?.Deletion is null ? string.Empty : "deleted; ") + (compliant switch { true => "default compliant", false => "default not compliant", _ => "default unknown" }),
        };
    }

    private static AuditFinding Configured(AuditRule rule, SnapshotValue winner, IReadOnlyList<SnapshotValue> overridden, MachineSnapshot snapshot)
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
            notes.Add("overrides " + string.Join("; ", overridden.Select(o => o.ToString())));
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
}
