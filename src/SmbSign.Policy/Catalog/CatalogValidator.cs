using SmbSign.Policy.Defaults;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Catalog;

/// <summary>
/// Checks a catalog's data for the mistakes published rule lists make (docs/reference/policy.md §8.9): duplicate ids or
/// registry identities, unknown types, settings without a registry location or a default, defaults that do not
/// parse, CSP URIs and Settings Catalog ids of the wrong shape. Run by a unit test on the embedded catalog.
/// </summary>
public static class CatalogValidator
{
    private const string CspPrefix = "./Device/Vendor/MSFT/Policy/Config/";
    private const string SettingsCatalogPrefix = "device_vendor_msft_policy_config_";

    /// <summary>One line per problem, each naming the setting; empty when the catalog is sound.</summary>
    public static IReadOnlyList<string> Validate(SettingsCatalog catalog, IEnumerable<OsProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(profiles);
        List<OsProfile> profileList = [.. profiles];
        var problems = new List<string>();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var identities = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (SettingDefinition s in catalog.Settings)
        {
            void Problem(string text) => problems.Add($"{s.Id}: {text}");

            if (!ids.Add(s.Id))
            {
                Problem("duplicate id");
            }

            string expectedPrefix = s.Side.ToString().ToLowerInvariant() + ".";
            if (!s.Id.StartsWith(expectedPrefix, StringComparison.Ordinal))
            {
                Problem($"id should start with '{expectedPrefix}' for a {s.Side} setting");
            }

            if (string.IsNullOrWhiteSpace(s.Title) || string.IsNullOrWhiteSpace(s.Summary))
            {
                Problem("title and summary are required");
            }

            if (!Enum.IsDefined(s.ValueType))
            {
                Problem($"unknown registry type {(int)s.ValueType}");
            }

            foreach (RegistryLocation location in s.AllRegistryLocations)
            {
                if (!location.Key.StartsWith("HKLM\\", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(location.ValueName))
                {
                    Problem($"registry location '{location.FullPath}' must be a full HKLM\\ key with a value name");
                }

                if (location.Kind is RegistryLocationKind.KnownMisplacement or RegistryLocationKind.PolicyManager)
                {
                    continue;
                }

                string identity = RegistryPath.IdentityOf(location.Key, location.ValueName);
                if (identities.TryGetValue(identity, out string? owner))
                {
                    Problem($"registry location '{location.FullPath}' is also claimed by {owner}");
                }

                identities.TryAdd(identity, s.Id);
            }

            RegistryValueType expectedType = s.Values.Kind switch
            {
                ValueKind.HardenedPath or ValueKind.Text => RegistryValueType.String,
                ValueKind.StringList => RegistryValueType.MultiString,
                _ => RegistryValueType.DWord,
            };
            if (s.ValueType != expectedType)
            {
                Problem($"values of kind {s.Values.Kind} must be stored as {expectedType.ToRegName()}, not {s.ValueType.ToRegName()}");
            }

            if (s.Values.Kind is ValueKind.Boolean or ValueKind.Enumeration or ValueKind.Dialect && s.Values.Options.IsEmpty)
            {
                Problem($"a {s.Values.Kind} setting needs its options");
            }

            if (s.Defaults.IsEmpty)
            {
                Problem("has no default rules");
            }

            foreach (DefaultRule rule in s.Defaults)
            {
                if (string.IsNullOrWhiteSpace(rule.Source))
                {
                    Problem($"default rule ({rule.When.Describe()}) has no source");
                }

                if (rule.Value is not null && s.Values.Validate(rule.Value) is { } error)
                {
                    Problem($"default rule ({rule.When.Describe()}): {error}");
                }
            }

            foreach (OsProfile os in profileList.Where(p => p.IsWindows))
            {
                if (OsDefaults.Resolve(s, os).Rule is null)
                {
                    Problem($"no default rule matches OS profile {os.Id}");
                }
            }

            if (s.Csp is { } csp)
            {
                if (!csp.OmaUri.StartsWith(CspPrefix, StringComparison.Ordinal) || csp.Area.Length == 0 || csp.Node.Length == 0)
                {
                    Problem($"CSP URI '{csp.OmaUri}' must be {CspPrefix}Area/Node");
                }

                if (csp.DataType is not ("int" or "string"))
                {
                    Problem($"CSP data type '{csp.DataType}' must be int or string");
                }
            }

            if (s.SettingsCatalog is { } sc)
            {
                if (!sc.DefinitionId.StartsWith(SettingsCatalogPrefix, StringComparison.Ordinal) || sc.DefinitionId.Any(char.IsAsciiLetterUpper))
                {
                    Problem($"Settings Catalog id '{sc.DefinitionId}' must be lower case and start with {SettingsCatalogPrefix}");
                }

                if (sc.Kind == SettingsCatalogKind.Choice && sc.Options.IsEmpty)
                {
                    Problem("a choice Settings Catalog setting needs options");
                }

                foreach (SettingsCatalogOption option in sc.Options)
                {
                    if (!s.Values.TryParse(option.Value, out _, out string error))
                    {
                        Problem($"Settings Catalog option {option.OptionId}: {error}");
                    }
                }
            }

            foreach (ConfMapping conf in new[] { s.Samba, s.MacOs }.OfType<ConfMapping>())
            {
                foreach (ConfValueMapping value in conf.Values)
                {
                    if (value.Value is long number && s.Values.Validate(SettingValue.FromNumber(number)) is { } error)
                    {
                        Problem($"{conf.File} {conf.Parameter} = {value.Text}: {error}");
                    }
                }
            }

            foreach (CisReference cis in s.Cis)
            {
                if (cis.Item.Length == 0 || !cis.Item.All(c => char.IsAsciiDigit(c) || c == '.') || cis.Benchmarks.IsEmpty)
                {
                    Problem($"CIS item '{cis.Item}' must be dotted digits with at least one benchmark");
                }
            }
        }

        return problems;
    }
}
