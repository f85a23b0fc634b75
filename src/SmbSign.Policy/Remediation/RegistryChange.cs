using System.Collections.Immutable;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Remediation;

/// <summary>One HKLM registry write: set <see cref="Value"/> at <see cref="Identity"/>, or delete the value when
/// <see cref="Value"/> is null. <see cref="Comment"/> is a one-line explanation writers may print next to it.</summary>
public sealed record RegistryChange(RegistryIdentity Identity, RegistryValue? Value, string? Comment = null)
{
    /// <summary>True for a deletion.</summary>
    public bool IsDelete => Value is null;
}

/// <summary>The registry writes of a plan and of its rollback.</summary>
public static class RegistryChanges
{
    /// <summary>What applying the plan writes: each item's target value at its primary location, with the catalog type.</summary>
    public static ImmutableArray<RegistryChange> Apply(RemediationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return [.. plan.Items.Select(i => new RegistryChange(i.Identity, i.RegistryValue, CommentOf(i)))];
    }

    /// <summary>
    /// What undoes the plan, and only what the input proves: the previous value where the audited sources held it (exactly,
    /// type included), and a deletion only for a policy value the fix creates (<see cref="PreviousState.Absent"/>). A value
    /// whose previous state is unknown is never deleted (a value an export does not contain may still exist, and deleting,
    /// say, a service's <c>Start</c> value breaks Windows); <see cref="NotRestored"/> lists those.
    /// </summary>
    public static ImmutableArray<RegistryChange> Rollback(RemediationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return [.. plan.Items.Where(i => i.Previous.State != PreviousState.Unknown).Select(i => i.Previous.State == PreviousState.Present
            ? new RegistryChange(i.Identity, i.Previous.Value, $"{i.Setting.Id}: restore the previous value {i.Previous}")
            : new RegistryChange(i.Identity, null, $"{i.Setting.Id}: delete the policy value the fix created; {i.Previous}"))];
    }

    /// <summary>The items <see cref="Rollback"/> cannot restore because their previous state is unknown.</summary>
    public static ImmutableArray<RemediationItem> NotRestored(RemediationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return [.. plan.Items.Where(i => i.Previous.State == PreviousState.Unknown)];
    }

    /// <summary>The comment lines at the top of rollback.reg: what it does, and every value it cannot restore with the way to
    /// restore it (the PowerShell restore, whose apply script saves the live values first).</summary>
    public static ImmutableArray<string> RollbackHeader(RemediationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        List<string> lines =
        [
            "Rollback of " + plan.Title,
            "Restores each value exactly as the audited sources showed it (type included), and deletes only policy values the fix creates.",
        ];
        ImmutableArray<RemediationItem> unknown = NotRestored(plan);
        if (!unknown.IsEmpty)
        {
            lines.Add(string.Empty);
            lines.Add("NOT RESTORED by this file: the audited sources did not show the previous state of these values, so they stay as");
            lines.Add("apply.reg set them (deleting a value that may have existed can break Windows, e.g. a service's Start value):");
            lines.AddRange(unknown.Select(i => $"  HKEY_LOCAL_MACHINE\\{i.Identity.KeyPath}\\{i.Identity.ValueName} ({i.Setting.Id}, set to {i.Target}, was {i.Previous})"));
            lines.Add("To undo these exactly, use the PowerShell target: Apply-SmbSigning.ps1 saves the live registry values to");
            lines.Add("SmbSigning-backup.json before changing anything, and Restore-SmbSigning.ps1 puts them back (or removes them).");
        }

        return [.. lines];
    }

    /// <summary>"client.RequireSecuritySignature = 1 (CIS 2.3.8.1, was 0): Client: digitally sign communications (always)".</summary>
    public static string CommentOf(RemediationItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        string rule = item.RuleId is null ? string.Empty : item.RuleId + ", ";
        return $"{item.Setting.Id} = {item.Target} ({rule}was {item.Previous}): {item.Setting.Title}";
    }
}

/// <summary>A file produced by a writer: a path relative to the output folder (segments, joined with the platform's
/// separator by whoever writes it) and its exact bytes.</summary>
public sealed record GeneratedFile(ImmutableArray<string> PathSegments, byte[] Content)
{
    /// <summary>A file directly in the output folder.</summary>
    public static GeneratedFile At(string name, byte[] content) => new([name], content);

    /// <summary>The relative path with '/' (for reports; writers combine segments with Path.Combine).</summary>
    public string RelativePath => string.Join('/', PathSegments);
}
