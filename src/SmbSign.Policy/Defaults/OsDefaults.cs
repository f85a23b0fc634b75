using SmbSign.Policy.Catalog;

namespace SmbSign.Policy.Defaults;

/// <summary>
/// Resolves what a setting is when it is not configured, for a given OS family, build, edition and role
/// (docs/reference/policy.md §4). The rules are data in the catalog; the first rule whose condition matches wins.
/// </summary>
public static class OsDefaults
{
    /// <summary>The default of <paramref name="setting"/> on <paramref name="os"/>, with the rule (provenance) that produced it.</summary>
    public static DefaultValue Resolve(SettingDefinition setting, OsProfile os)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(os);
        foreach (DefaultRule rule in setting.Defaults)
        {
            if (rule.When.Matches(os))
            {
                return new DefaultValue(setting.Id, os, rule.Value, rule);
            }
        }

        return new DefaultValue(setting.Id, os, null, null);
    }
}
