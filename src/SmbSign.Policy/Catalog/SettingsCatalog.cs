using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using SmbSign.Policy.Defaults;

namespace SmbSign.Policy.Catalog;

/// <summary>A registry location matched by <see cref="SettingsCatalog.FindByRegistry(string, string)"/>, and which of the setting's locations it was.</summary>
public sealed record RegistryMatch(SettingDefinition Setting, RegistryLocation Location);

/// <summary>A Settings Catalog id matched by <see cref="SettingsCatalog.FindBySettingsCatalogId"/>; <see cref="Value"/> is the registry value an option id stands for (null for a definition id).</summary>
public sealed record SettingsCatalogMatch(SettingDefinition Setting, string? Value);

/// <summary>
/// Every SMB signing and hardening setting SmbSign knows, loaded from the embedded <c>Catalog/settings.json</c>.
/// Lookups by id, registry identity (any hive spelling; service key, policy key and PolicyManager forms),
/// Policy CSP URI, Settings Catalog id, PowerShell property, smb.conf parameter and name, plus "did you mean" suggestions.
/// All lookups are case-insensitive. The type is immutable and thread-safe.
/// </summary>
public sealed class SettingsCatalog
{
    private const string ResourceName = "SmbSign.Policy.Catalog.settings.json";
    private static readonly Lazy<SettingsCatalog> s_default = new(LoadEmbedded);

    private readonly FrozenDictionary<string, SettingDefinition> _byId;
    private readonly FrozenDictionary<string, RegistryMatch> _byRegistry;
    private readonly FrozenDictionary<string, ImmutableArray<SettingDefinition>> _byName;

    private SettingsCatalog(ImmutableArray<SettingDefinition> settings)
    {
        Settings = settings;
        // First definition wins for a duplicated id; CatalogValidator reports the duplicate.
        _byId = settings.DistinctBy(s => s.Id, StringComparer.OrdinalIgnoreCase).ToFrozenDictionary(s => s.Id, StringComparer.OrdinalIgnoreCase);

        var registry = new Dictionary<string, RegistryMatch>(StringComparer.Ordinal);
        foreach (SettingDefinition setting in settings)
        {
            foreach (RegistryLocation location in setting.AllRegistryLocations)
            {
                registry.TryAdd(RegistryPath.IdentityOf(location.Key, location.ValueName), new RegistryMatch(setting, location));
            }
        }

        _byRegistry = registry.ToFrozenDictionary(StringComparer.Ordinal);

        var names = new Dictionary<string, List<SettingDefinition>>(StringComparer.OrdinalIgnoreCase);
        foreach (SettingDefinition setting in settings)
        {
            foreach (string name in NamesOf(setting))
            {
                if (!names.TryGetValue(name, out List<SettingDefinition>? list))
                {
                    list = [];
                    names.Add(name, list);
                }

                if (!list.Contains(setting))
                {
                    list.Add(setting);
                }
            }
        }

        _byName = names.ToFrozenDictionary(p => p.Key, p => p.Value.ToImmutableArray(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The built-in catalog (embedded resource), loaded once.</summary>
    public static SettingsCatalog Default => s_default.Value;

    /// <summary>Every setting, in catalog order (client, server, system).</summary>
    public ImmutableArray<SettingDefinition> Settings { get; }

    /// <summary>The setting with this id; throws <see cref="KeyNotFoundException"/> with suggestions when unknown.</summary>
    public SettingDefinition this[string id] => TryGetById(id, out SettingDefinition? setting)
        ? setting
        : throw new KeyNotFoundException($"Unknown setting id '{id}'." + DidYouMean(id));

    /// <summary>Loads a catalog from JSON in the embedded format; throws <see cref="InvalidDataException"/> naming <paramref name="sourceName"/> when malformed.</summary>
    public static SettingsCatalog Load(Stream json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ReadOnlyMemory<byte> utf8 = CatalogJsonReader.ReadAllBytes(json);
        CatalogFileDto file;
        try
        {
            file = CatalogJsonReader.ReadCatalog(utf8);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: {e.Message}", e);
        }

        if (file.SchemaVersion != 1)
        {
            throw new InvalidDataException($"{sourceName}: schemaVersion {file.SchemaVersion} is not supported (expected 1).");
        }

        return new SettingsCatalog([.. file.Settings.Select(dto => CatalogMapper.ToDefinition(dto, sourceName))]);
    }

    public bool TryGetById(string id, [NotNullWhen(true)] out SettingDefinition? setting)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _byId.TryGetValue(id.Trim(), out setting);
    }

    /// <summary>
    /// The setting stored at (<paramref name="key"/>, <paramref name="valueName"/>). The key may be written with any hive
    /// prefix (<c>HKLM\</c>, <c>HKLM:\</c>, <c>HKEY_LOCAL_MACHINE\</c>, <c>MACHINE\</c>) or none (Registry.pol), in any case,
    /// in its service-key, policy-key or PolicyManager form. Null when no setting lives there.
    /// </summary>
    public RegistryMatch? FindByRegistry(string key, string valueName)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(valueName);
        return _byRegistry.TryGetValue(RegistryPath.IdentityOf(key, valueName), out RegistryMatch? match) ? match : null;
    }

    /// <summary>
    /// Like <see cref="FindByRegistry(string, string)"/> for a path that joins key and value name with a backslash, as
    /// security templates do (<c>MACHINE\System\...\Parameters\RequireSecuritySignature</c>). Value names may themselves
    /// contain backslashes (<c>...\HardenedPaths\\*\SYSVOL</c>).
    /// </summary>
    public RegistryMatch? FindByRegistryPath(string fullPath)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        string path = fullPath.Trim();
        for (int i = path.IndexOf('\\', StringComparison.Ordinal); i >= 0; i = path.IndexOf('\\', i + 1))
        {
            RegistryMatch? match = FindByRegistry(path[..i], path[(i + 1)..]);
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>By Policy CSP OMA-URI (<c>./Device/Vendor/MSFT/Policy/Config/Area/Node</c>, <c>./Vendor/MSFT/...</c>), <c>Area/Node</c> or node name.</summary>
    public SettingDefinition? FindByCspUri(string uriOrNode)
    {
        ArgumentNullException.ThrowIfNull(uriOrNode);
        string q = uriOrNode.Trim().TrimEnd('/');
        foreach (SettingDefinition setting in Settings)
        {
            if (setting.Csp is not { } csp)
            {
                continue;
            }

            if (q.Equals(csp.Node, StringComparison.OrdinalIgnoreCase)
                || q.Equals(csp.Area + "/" + csp.Node, StringComparison.OrdinalIgnoreCase)
                || q.EndsWith("/Policy/Config/" + csp.Area + "/" + csp.Node, StringComparison.OrdinalIgnoreCase))
            {
                return setting;
            }
        }

        return null;
    }

    /// <summary>
    /// By Settings Catalog setting definition id, choice option id (<c>..._1</c>, <c>..._785</c>) or child id
    /// (<c>..._pol_secguide_smb1clientdriver_4</c>); option ids also give the registry value they stand for.
    /// </summary>
    public SettingsCatalogMatch? FindBySettingsCatalogId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        string q = id.Trim();
        foreach (SettingDefinition setting in Settings)
        {
            if (setting.SettingsCatalog is not { } sc)
            {
                continue;
            }

            foreach (SettingsCatalogOption option in sc.Options)
            {
                if (q.Equals(option.OptionId, StringComparison.OrdinalIgnoreCase))
                {
                    return new SettingsCatalogMatch(setting, option.Value);
                }
            }

            if (q.Equals(sc.DefinitionId, StringComparison.OrdinalIgnoreCase)
                || q.Equals(sc.ChildDefinitionId, StringComparison.OrdinalIgnoreCase)
                || q.Equals(sc.EnabledOptionId, StringComparison.OrdinalIgnoreCase)
                || (sc.Kind == SettingsCatalogKind.GroupCollection && q.StartsWith(sc.DefinitionId + "_", StringComparison.OrdinalIgnoreCase)))
            {
                return new SettingsCatalogMatch(setting, null);
            }
        }

        return null;
    }

    /// <summary>By PowerShell property (<c>EnableInsecureGuestLogons</c>); <paramref name="side"/> picks client or server cmdlets.</summary>
    public IReadOnlyList<SettingDefinition> FindByPowerShellProperty(string property, SettingSide? side = null)
    {
        ArgumentNullException.ThrowIfNull(property);
        return [.. Settings.Where(s => s.PowerShell is { } ps
            && ps.Property.Equals(property.Trim(), StringComparison.OrdinalIgnoreCase)
            && (side is null || s.Side == side))];
    }

    /// <summary>By smb.conf parameter (<c>server signing</c>); spaces and case are ignored as Samba does.</summary>
    public IReadOnlyList<SettingDefinition> FindBySmbConfParameter(string parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        string q = SquashConfName(parameter);
        return [.. Settings.Where(s => s.Samba is { } samba && SquashConfName(samba.Parameter) == q)];
    }

    /// <summary>
    /// Every setting one of whose names equals <paramref name="query"/> (case-insensitive): id, id without its side,
    /// registry value name, alias, GPO display name, PowerShell property, CSP node or URI, Settings Catalog id,
    /// smb.conf parameter, nsmb.conf key, or a full registry path. <paramref name="side"/> narrows the result.
    /// </summary>
    public IReadOnlyList<SettingDefinition> Find(string query, SettingSide? side = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        string q = query.Trim();
        if (q.Length == 0)
        {
            return [];
        }

        IEnumerable<SettingDefinition> found = [];
        if (_byId.TryGetValue(q, out SettingDefinition? byId))
        {
            found = [byId];
        }
        else if (_byName.TryGetValue(q, out ImmutableArray<SettingDefinition> byName))
        {
            found = byName;
        }
        else if (_byName.TryGetValue(SquashConfName(q), out ImmutableArray<SettingDefinition> bySquashed))
        {
            found = bySquashed;
        }
        else if (FindByRegistryPath(q) is { } registry)
        {
            found = [registry.Setting];
        }
        else if (FindByCspUri(q) is { } csp)
        {
            found = [csp];
        }
        else if (FindBySettingsCatalogId(q) is { } sc)
        {
            found = [sc.Setting];
        }

        return [.. found.Where(s => side is null || s.Side == side)];
    }

    /// <summary>
    /// Up to <paramref name="max"/> setting ids whose names are close to <paramref name="query"/> (edit distance or
    /// substring), best first, for "did you mean ..." messages. Empty when nothing is close.
    /// </summary>
    public IReadOnlyList<string> Suggest(string query, int max = 3)
    {
        ArgumentNullException.ThrowIfNull(query);
        string q = query.Trim().ToUpperInvariant();
        if (q.Length == 0)
        {
            return [];
        }

        var scored = new List<(string Id, int Score)>();
        foreach (SettingDefinition setting in Settings)
        {
            int best = int.MaxValue;
            foreach (string name in NamesOf(setting))
            {
                string n = name.ToUpperInvariant();
                int score;
                if (q.Length >= 4 && n.Contains(q, StringComparison.Ordinal))
                {
                    score = n.Length == q.Length ? 0 : 1;
                }
                else
                {
                    int distance = Levenshtein(q, n);
                    score = distance <= Math.Max(2, n.Length / 4) ? 1 + distance : int.MaxValue;
                }

                best = Math.Min(best, score);
            }

            if (best != int.MaxValue)
            {
                scored.Add((setting.Id, best));
            }
        }

        return [.. scored.OrderBy(s => s.Score).ThenBy(s => s.Id, StringComparer.Ordinal).Take(max).Select(s => s.Id)];
    }

    /// <summary>" Did you mean a, b?" or empty.</summary>
    public string DidYouMean(string query)
    {
        IReadOnlyList<string> suggestions = Suggest(query);
        return suggestions.Count == 0 ? string.Empty : " Did you mean " + string.Join(", ", suggestions) + "?";
    }

    /// <summary>The default for <paramref name="settingId"/> on <paramref name="os"/> (shortcut for <see cref="OsDefaults.Resolve"/>).</summary>
    public DefaultValue GetDefault(string settingId, OsProfile os) => OsDefaults.Resolve(this[settingId], os);

    private static IEnumerable<string> NamesOf(SettingDefinition setting)
    {
        yield return setting.Id;
        int dot = setting.Id.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            yield return setting.Id[(dot + 1)..];
        }

        yield return setting.ValueName;
        yield return setting.Title;
        foreach (string alias in setting.Aliases)
        {
            yield return alias;
        }

        if (setting.Gpo is not null)
        {
            yield return setting.Gpo.DisplayName;
        }

        if (setting.PowerShell is not null)
        {
            yield return setting.PowerShell.Property;
        }

        if (setting.Csp is not null)
        {
            yield return setting.Csp.Node;
            yield return setting.Csp.OmaUri;
        }

        if (setting.SettingsCatalog is not null)
        {
            yield return setting.SettingsCatalog.DefinitionId;
        }

        if (setting.Samba is not null)
        {
            yield return setting.Samba.Parameter;
            yield return SquashConfName(setting.Samba.Parameter);
        }

        if (setting.MacOs is not null)
        {
            yield return setting.MacOs.Parameter;
        }
    }

    private static string SquashConfName(string name) => name.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private static int Levenshtein(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 16)
        {
            return int.MaxValue / 2;
        }

        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static SettingsCatalog LoadEmbedded()
    {
        using Stream stream = typeof(SettingsCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the build.");
        return Load(stream, ResourceName);
    }
}
