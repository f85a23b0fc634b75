using System.Collections.Immutable;
using SmbSign.Policy.Catalog;

namespace SmbSign.Policy.Defaults;

/// <summary>Which OS profiles a <see cref="DefaultRule"/> applies to. Every given part must hold; empty parts match anything.</summary>
public sealed record DefaultCondition
{
    public ImmutableArray<OsFamily> Families { get; init; } = [];

    public int? MinBuild { get; init; }

    public int? MaxBuild { get; init; }

    public ImmutableArray<OsEdition> Editions { get; init; } = [];

    public ImmutableArray<OsRole> Roles { get; init; } = [];

    /// <summary>True when <paramref name="os"/> satisfies every part of the condition.</summary>
    public bool Matches(OsProfile os)
    {
        ArgumentNullException.ThrowIfNull(os);
        return (Families.IsEmpty || Families.Contains(os.Family))
            && (MinBuild is null || os.Build >= MinBuild)
            && (MaxBuild is null || os.Build <= MaxBuild)
            && (Editions.IsEmpty || Editions.Contains(os.Edition))
            && (Roles.IsEmpty || Roles.Contains(os.Role));
    }

    /// <summary>"Windows client, build ≥ 26100, Pro/Enterprise/Education".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (!Families.IsEmpty)
        {
            parts.Add(string.Join("/", Families));
        }

        if (MinBuild is not null)
        {
            parts.Add("build >= " + MinBuild.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (MaxBuild is not null)
        {
            parts.Add("build <= " + MaxBuild.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (!Editions.IsEmpty)
        {
            parts.Add(string.Join("/", Editions));
        }

        if (!Roles.IsEmpty)
        {
            parts.Add(string.Join("/", Roles));
        }

        return parts.Count == 0 ? "any" : string.Join(", ", parts);
    }
}

/// <summary>
/// The value a setting has when it is not configured, for the OS profiles matching <see cref="When"/>.
/// A setting's rules are tried in order and the first match wins. <see cref="Value"/> null means the setting
/// does not exist on that OS (for example the 24H2 audit switches on Windows 10).
/// </summary>
/// <param name="Source">Where the default is documented (the provenance a report shows).</param>
public sealed record DefaultRule(DefaultCondition When, SettingValue? Value, string Source, Confidence Confidence, string? Note = null);

/// <summary>The resolved default of one setting on one OS profile.</summary>
/// <param name="Value">The effective value when the setting is absent; null when the setting does not exist on this OS.</param>
/// <param name="Rule">The rule that produced it; null when no rule matched (the setting is unknown on this platform).</param>
public sealed record DefaultValue(string SettingId, OsProfile Os, SettingValue? Value, DefaultRule? Rule)
{
    /// <summary>"default for win11-24h2-pro: Ned Pyle, ... [doc]".</summary>
    public string Provenance => Rule is null
        ? $"no default known for {Os.Label}"
        : $"default for {Os.Label}: {Rule.Source} [{Rule.Confidence.ToString().ToLowerInvariant()}]";
}
