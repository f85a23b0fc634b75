using System.Collections.Immutable;
using SmbSign.Policy.Catalog;

namespace SmbSign.Policy.Remediation;

/// <summary>
/// Changes that stop a service or cut off clients: the Server service disabled (CIS 5.26.1 on client benchmarks, Level 2),
/// SMB1 turned off on a server whose SMB1-only clients were seen, and every CIS Level 2 item. They are written only when
/// asked for (<c>smbsign fix --level 2</c>), each with an impact warning; <c>--strict</c> never adds them. Pure.
/// </summary>
public static class DisruptiveChanges
{
    /// <summary>The highest level <c>--level</c> accepts.</summary>
    public const int MaxLevel = 2;

    /// <summary>What the change breaks, in one sentence, or null when it neither stops a service nor is a Level 2 item.
    /// The SMB1 client cut-off needs the audit's clients: <see cref="WithholdClientCutoffs"/>.</summary>
    /// <param name="ruleLevel">The rule's CIS level as the audit wrote it (<c>L1</c>, <c>L2</c>) or null.</param>
    public static string? Of(SettingDefinition setting, SettingValue target, string? ruleLevel)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(target);
        if (string.Equals(setting.Id, "server.ServiceStart", StringComparison.OrdinalIgnoreCase) && target.Kind == SettingValueKind.Number && target.Number != 2)
        {
            return $"stops the Server service (LanmanServer Start = {target}): this machine no longer shares files or printers, and administration over SMB (admin shares, remote registry and service control over named pipes) stops";
        }

        return string.Equals(ruleLevel?.Trim(), "L2", StringComparison.OrdinalIgnoreCase)
            ? "CIS Level 2 item: defence in depth that may reduce functionality"
            : null;
    }

    /// <summary>The reason a withheld change is listed with.</summary>
    public static string Withheld(string disruption) => disruption + "; written only with --level 2";

    /// <summary>
    /// Turning SMB1 off on a server cuts off the SMB1-only clients the impact analysis found (<see cref="ImpactLevel.Breaks"/>
    /// in the "refuses SMB1" section). Below level 2 that change is taken out of the plan and listed as skipped; at level 2 it
    /// stays with an impact warning naming the clients. Returns <paramref name="plan"/> itself when nothing changes.
    /// </summary>
    public static RemediationPlan WithholdClientCutoffs(RemediationPlan plan, ImpactReport impact, int level)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(impact);
        if (plan.Find("server.SMB1") is not { } smb1)
        {
            return plan;
        }

        List<string> clients = [.. impact.Sections
            .Where(s => s.Settings.Contains(smb1.Setting.Id, StringComparer.OrdinalIgnoreCase))
            .SelectMany(s => s.Findings)
            .Where(f => f.Level == ImpactLevel.Breaks)
            .Select(f => f.Peer)
            .Distinct(StringComparer.OrdinalIgnoreCase)];
        if (clients.Count == 0)
        {
            return plan;
        }

        string disruption = $"turns SMB1 off on this server while SMB1-only clients were seen ({string.Join(", ", clients)}): they can no longer connect";
        if (level >= MaxLevel)
        {
            string warning = smb1.ImpactWarning is null ? disruption : smb1.ImpactWarning + "; " + disruption;
            return plan with { Items = plan.Items.Replace(smb1, smb1 with { ImpactWarning = warning }) };
        }

        return plan with
        {
            Items = plan.Items.Remove(smb1),
            Skipped = plan.Skipped.Add(new SkippedSetting(smb1.Setting.Id, smb1.RuleId, Withheld(disruption))),
        };
    }

    /// <summary>The impact warnings of a plan: "setting: what it breaks".</summary>
    public static ImmutableArray<string> Warnings(RemediationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return [.. plan.Items.Where(i => i.ImpactWarning is not null).Select(i => $"{i.Setting.Id} = {i.Target}: {i.ImpactWarning}")];
    }
}
