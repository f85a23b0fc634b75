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

    /// <summary>What undoes the plan: the previous value where it was present (exactly, type included), a deletion where
    /// it was absent or unknown (unknown: the OS default then applies; the comment says so).</summary>
    public static ImmutableArray<RegistryChange> Rollback(RemediationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return [.. plan.Items.Select(i => i.Previous.State switch
        {
            PreviousState.Present => new RegistryChange(i.Identity, i.Previous.Value, $"{i.Setting.Id}: restore the previous value {i.Previous}"),
            PreviousState.Absent => new RegistryChange(i.Identity, null, $"{i.Setting.Id}: was not configured; delete it"),
            _ => new RegistryChange(i.Identity, null, $"{i.Setting.Id}: previous value unknown; deleting returns it to the OS default (Restore-SmbSigning.ps1 restores the exact values it saved)"),
        })];
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
