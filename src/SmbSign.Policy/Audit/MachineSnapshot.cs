using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>One source file read for a machine, for the report.</summary>
/// <param name="Path">The path as given (or found in a folder).</param>
/// <param name="Format">The format it was read as.</param>
/// <param name="Errors">Error diagnostics (content could not be read as the format requires).</param>
/// <param name="Warnings">Warning diagnostics.</param>
/// <param name="Settings">How many catalog settings the source set or deleted.</param>
public sealed record SourceSummary(string Path, SourceFormat Format, int Errors, int Warnings, int Settings);

/// <summary>The resolved state of one setting on one machine: the winning value (highest layer, last read) and what it overrode.</summary>
public sealed class SnapshotSetting
{
    /// <summary>Most overridden values listed per setting; <see cref="OverriddenCount"/> counts all of them.</summary>
    public const int MaxOverriddenListed = 8;

    internal SnapshotSetting(SnapshotValue? winner, IReadOnlyList<SnapshotValue> overridden, SnapshotValue? deletion, int overriddenCount)
    {
        Winner = winner;
        Overridden = overridden;
        Deletion = deletion;
        OverriddenCount = Math.Max(overriddenCount, overridden.Count);
    }

    /// <summary>The value that counts; null when every layer is empty or deleted (the setting is not configured).</summary>
    public SnapshotValue? Winner { get; }

    /// <summary>Values of lower layers (or earlier sources) that the winner hides, highest first, then in source order;
    /// at most <see cref="MaxOverriddenListed"/> of them.</summary>
    public IReadOnlyList<SnapshotValue> Overridden { get; }

    /// <summary>How many values the winner hides in all (a file may set one value thousands of times).</summary>
    public int OverriddenCount { get; }

    /// <summary>The deletion that left the setting unconfigured (or hid a higher layer), if any.</summary>
    public SnapshotValue? Deletion { get; }
}

/// <summary>
/// Every SMB setting of one machine, merged from all its sources by precedence (<see cref="PrecedenceLayer"/>), with the
/// file and line each value came from, plus the sources' diagnostics. Built by <see cref="SnapshotBuilder"/>. Immutable.
/// </summary>
public sealed class MachineSnapshot
{
    private readonly Dictionary<string, SnapshotSetting> _settings;

    internal MachineSnapshot(
        string name,
        IReadOnlyList<SourceSummary> sources,
        IReadOnlyList<SourceDiagnostic> diagnostics,
        Dictionary<string, SnapshotSetting> settings,
        IReadOnlyList<string> notes,
        string? sambaServerRole)
    {
        Name = name;
        Sources = sources;
        Diagnostics = diagnostics;
        _settings = settings;
        Notes = notes;
        SambaServerRole = sambaServerRole;
        HasUnreadableSource = diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
    }

    public string Name { get; }

    public IReadOnlyList<SourceSummary> Sources { get; }

    /// <summary>Every diagnostic of every source, in read order.</summary>
    public IReadOnlyList<SourceDiagnostic> Diagnostics { get; }

    /// <summary>Remarks from merging (values at locations Windows does not read, conflicting policy sources).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>smb.conf <c>server role</c>, when a Samba configuration set it.</summary>
    public string? SambaServerRole { get; }

    /// <summary>True when a source could not be read as its format requires (an error diagnostic): absence proves nothing then.</summary>
    public bool HasUnreadableSource { get; }

    /// <summary>True when every source is of <paramref name="format"/>.</summary>
    public bool OnlyFormat(SourceFormat format) => Sources.Count > 0 && Sources.All(s => s.Format == format);

    /// <summary>True when some source is of <paramref name="format"/>.</summary>
    public bool HasFormat(SourceFormat format) => Sources.Any(s => s.Format == format);

    /// <summary>The ids of the settings some source mentions.</summary>
    public IEnumerable<string> SettingIds => _settings.Keys;

    /// <summary>The resolved state of a setting, or null when no source mentions it.</summary>
    public SnapshotSetting? Get(string settingId) => _settings.GetValueOrDefault(settingId);

    /// <summary>The winning value of a setting, or null when it is not configured.</summary>
    public SnapshotValue? GetValue(string settingId) => Get(settingId)?.Winner;
}
