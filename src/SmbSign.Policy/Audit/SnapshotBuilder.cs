using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>
/// Merges the observations of a machine's sources into a <see cref="MachineSnapshot"/>:
/// <list type="bullet">
/// <item>registry-shaped observations are matched to catalog settings by identity (any hive spelling, service key,
/// policy key or PolicyManager form); values at a known misplacement (EnableMailslots under LanmanServer) are noted, not used;</item>
/// <item>smb.conf <c>[global]</c> and nsmb.conf <c>[default]</c> parameters are translated through the catalog's Samba/macOS mappings;</item>
/// <item>each value is ranked (<see cref="PrecedenceLayers.Of"/>); per setting and layer the last one read wins;
/// deletions (value, all values of a key, key with subkeys) empty their layer so lower layers show through.</item>
/// </list>
/// Not thread-safe; one builder per machine.
/// </summary>
public sealed class SnapshotBuilder
{
    private static readonly ConditionalWeakTable<SettingsCatalog, KeyIndex> s_keyIndexes = [];

    /// <summary>Identities looked up so far (bounded): a fleet repeats the same few dozen keys thousands of times.</summary>
    private const int MaxCachedIdentities = 4096;

    private readonly SettingsCatalog _catalog;
    private readonly KeyIndex _keys;
    private readonly Dictionary<string, List<SnapshotValue>> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<SourceSummary> _sources = [];
    private readonly List<SourceDiagnostic> _diagnostics = [];
    private readonly List<string> _notes = [];
    private string? _sambaServerRole;

    public SnapshotBuilder(SettingsCatalog? catalog = null)
    {
        _catalog = catalog ?? SettingsCatalog.Default;
        _keys = s_keyIndexes.GetValue(_catalog, c => new KeyIndex(c));
    }

    /// <summary>Adds everything one source says, after the sources added before it.</summary>
    public void Add(SourceReadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        int settings = 0;
        foreach (Observation observation in result.Observations)
        {
            settings += AddObservation(observation, result.Format);
        }

        int errors = 0;
        int warnings = 0;
        foreach (SourceDiagnostic diagnostic in result.Diagnostics)
        {
            _diagnostics.Add(diagnostic);
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                errors++;
            }
            else if (diagnostic.Severity == DiagnosticSeverity.Warning)
            {
                warnings++;
            }
        }

        _sources.Add(new SourceSummary(result.Source, result.Format, errors, warnings, settings));
    }

    /// <summary>Adds a diagnostic that belongs to no single reader result (for example an unrecognised file).</summary>
    public void AddDiagnostic(SourceDiagnostic diagnostic, SourceFormat format)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        _diagnostics.Add(diagnostic);
        _sources.Add(new SourceSummary(diagnostic.Location.File, format, diagnostic.Severity == DiagnosticSeverity.Error ? 1 : 0, diagnostic.Severity == DiagnosticSeverity.Warning ? 1 : 0, 0));
    }

    /// <summary>The merged snapshot.</summary>
    public MachineSnapshot Build(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Dictionary<string, SnapshotSetting> settings = new(StringComparer.OrdinalIgnoreCase);
        foreach ((string id, List<SnapshotValue> values) in _values)
        {
            settings[id] = Resolve(values);
        }

        return new MachineSnapshot(name, _sources.ToArray(), _diagnostics.ToArray(), settings, _notes.ToArray(), _sambaServerRole);
    }

    private static SnapshotSetting Resolve(List<SnapshotValue> values)
    {
        // Per layer, the last entry counts (later source, later line). Walk the layers from the top: the first layer whose
        // last entry is a value wins; a deletion empties its layer only.
        SnapshotValue? winner = null;
        SnapshotValue? deletion = null;
        List<SnapshotValue> overridden = [];
        int overriddenCount = 0;
        for (PrecedenceLayer layer = PrecedenceLayer.GroupPolicy; layer >= PrecedenceLayer.Local; layer--)
        {
            SnapshotValue? last = null;
            for (int i = values.Count - 1; i >= 0; i--)
            {
                if (values[i].Layer == layer)
                {
                    last = values[i];
                    break;
                }
            }

            if (last is null)
            {
                continue;
            }

            if (last.Kind == SnapshotValueKind.Deleted)
            {
                if (winner is null)
                {
                    deletion ??= last;
                }

                continue;
            }

            if (winner is null)
            {
                winner = last;
            }
            else
            {
                overridden.Add(last);
                overriddenCount++;
            }
        }

        // Earlier values of the winning layer that a later source replaced are overridden too (conflicting sources). The
        // entries above come from other layers, so none of these can already be in the list. A file that sets one value
        // 50,000 times must not give a 50,000-entry history: only the first few are kept, the rest are counted.
        if (winner is not null)
        {
            foreach (SnapshotValue value in values)
            {
                if (value.Layer == winner.Layer && !ReferenceEquals(value, winner) && value.Kind != SnapshotValueKind.Deleted)
                {
                    overriddenCount++;
                    if (overridden.Count < SnapshotSetting.MaxOverriddenListed)
                    {
                        overridden.Add(value);
                    }
                }
            }
        }

        return new SnapshotSetting(winner, overridden, winner is null ? deletion : null, overriddenCount);
    }

    private int AddObservation(Observation observation, SourceFormat format)
    {
        if (observation.Registry is { } identity)
        {
            if (observation.Hive is not (RegistryHive.LocalMachine or RegistryHive.None))
            {
                return 0;
            }

            return observation.Kind switch
            {
                ObservationKind.Value => AddRegistryValue(identity, observation, format),
                ObservationKind.ValueDeleted => AddDeletion(_keys.Find(_catalog, identity), observation, format),
                ObservationKind.AllValuesDeleted => AddKeyDeletion(identity.KeyPath, subkeys: false, observation, format),
                ObservationKind.KeyDeleted => AddKeyDeletion(identity.KeyPath, subkeys: true, observation, format),
                _ => 0,
            };
        }

        if (observation.Kind == ObservationKind.Value && observation.Native is { } native && observation.NativeValue is { } nativeValue)
        {
            return AddNative(native, nativeValue, observation.Location, format);
        }

        return 0;
    }

    private int AddRegistryValue(RegistryIdentity identity, Observation observation, SourceFormat format)
    {
        RegistryMatch? match = _keys.Find(_catalog, identity);
        if (match is null || observation.Value is not { } raw)
        {
            return 0;
        }

        if (match.Location.Kind == RegistryLocationKind.KnownMisplacement)
        {
            _notes.Add($"{observation.Location}: {identity} is not read by Windows for '{match.Setting.Id}' (it reads {match.Setting.Registry.FullPath}); ignored");
            return 0;
        }

        PrecedenceLayer layer = PrecedenceLayers.Of(format, match.Location.Kind);
        Add(ToSnapshotValue(match.Setting, raw, layer, observation.Location));
        return 1;
    }

    private int AddDeletion(RegistryMatch? match, Observation observation, SourceFormat format)
    {
        if (match is null || match.Location.Kind == RegistryLocationKind.KnownMisplacement)
        {
            return 0;
        }

        Add(new SnapshotValue(match.Setting, SnapshotValueKind.Deleted, null, "deleted", PrecedenceLayers.Of(format, match.Location.Kind), observation.Location));
        return 1;
    }

    private int AddKeyDeletion(string keyPath, bool subkeys, Observation observation, SourceFormat format)
    {
        int count = 0;
        foreach ((SettingDefinition setting, RegistryLocation location, string key) in _keys.Entries)
        {
            bool hit = string.Equals(key, keyPath, StringComparison.OrdinalIgnoreCase)
                || (subkeys && key.Length > keyPath.Length && key.StartsWith(keyPath, StringComparison.OrdinalIgnoreCase) && key[keyPath.Length] == '\\');
            if (hit && location.Kind != RegistryLocationKind.KnownMisplacement)
            {
                Add(new SnapshotValue(setting, SnapshotValueKind.Deleted, null, subkeys ? "key deleted" : "values deleted", PrecedenceLayers.Of(format, location.Kind), observation.Location));
                count++;
            }
        }

        return count;
    }

    private int AddNative(NativeSetting native, NativeValue value, SourceLocation location, SourceFormat format)
    {
        if (string.Equals(native.Scheme, NativeSchemes.SmbConf, StringComparison.OrdinalIgnoreCase))
        {
            if (native.Section is not null && !string.Equals(native.Section, "global", StringComparison.OrdinalIgnoreCase))
            {
                return 0;
            }

            if (string.Equals(native.Name.Replace(" ", string.Empty, StringComparison.Ordinal), "serverrole", StringComparison.OrdinalIgnoreCase))
            {
                _sambaServerRole = value.Text.Trim();
            }

            int count = 0;
            foreach (SettingDefinition setting in _catalog.FindBySmbConfParameter(native.Name))
            {
                Add(FromConf(setting, setting.Samba!, native, value, location, format));
                count++;
            }

            return count;
        }

        if (string.Equals(native.Scheme, NativeSchemes.NsmbConf, StringComparison.OrdinalIgnoreCase))
        {
            if (native.Section is not null && !string.Equals(native.Section, "default", StringComparison.OrdinalIgnoreCase))
            {
                return 0;
            }

            int count = 0;
            foreach (SettingDefinition setting in _catalog.Settings)
            {
                if (setting.MacOs is { } mac && string.Equals(mac.Parameter, native.Name.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    Add(FromConf(setting, mac, native, value, location, format));
                    count++;
                }
            }

            return count;
        }

        return 0;
    }

    private static SnapshotValue FromConf(SettingDefinition setting, ConfMapping mapping, NativeSetting native, NativeValue value, SourceLocation location, SourceFormat format)
    {
        // Echoed input is cut (TextDecoding.Excerpt): a conf value is only ever shown, never written back.
        string stored = $"{native.Name} = {TextDecoding.Excerpt(value.Text)}";
        PrecedenceLayer layer = PrecedenceLayers.Of(format, RegistryLocationKind.Service);
        if (string.Equals(value.Normalized.Trim(), "default", StringComparison.OrdinalIgnoreCase) || string.Equals(value.Text.Trim(), "default", StringComparison.OrdinalIgnoreCase))
        {
            // "default" written out means "not configured": the platform default (which may depend on the server role) applies.
            return new SnapshotValue(setting, SnapshotValueKind.Deleted, null, stored, layer, location, Note: $"{native.Name} = default leaves the platform default in place");
        }

        ConfValueMapping? known = mapping.Find(value.Normalized) ?? mapping.Find(value.Text);
        if (known is not null)
        {
            if (known.Value is long n)
            {
                return new SnapshotValue(setting, SnapshotValueKind.Value, SettingValue.FromNumber(n), stored, layer, location, Note: known.Note);
            }

            return new SnapshotValue(setting, SnapshotValueKind.Unreadable, null, stored, layer, location, Note: $"'{TextDecoding.Excerpt(value.Text)}' for {native.Name} has no Windows {setting.ValueName} equivalent" + (known.Note is null ? string.Empty : $" ({known.Note})"));
        }

        if (mapping.Values.IsEmpty && long.TryParse(value.Normalized.Length > 0 ? value.Normalized : value.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long number))
        {
            return new SnapshotValue(setting, SnapshotValueKind.Value, SettingValue.FromNumber(number), stored, layer, location);
        }

        return new SnapshotValue(setting, SnapshotValueKind.Unreadable, null, stored, layer, location, Note: $"'{TextDecoding.Excerpt(value.Text)}' is not a value SmbSign can map for {native.Name}; expected {(mapping.Values.IsEmpty ? "a number" : string.Join(", ", mapping.Values.Select(v => v.Text)))}");
    }

    private static SnapshotValue ToSnapshotValue(SettingDefinition setting, RegistryValue raw, PrecedenceLayer layer, SourceLocation location)
    {
        string stored = raw.ToString();
        switch (setting.ValueType)
        {
            case RegistryValueType.DWord or RegistryValueType.QWord:
                if (raw.TryGetUInt64(out ulong number))
                {
                    return new SnapshotValue(setting, SnapshotValueKind.Value, SettingValue.FromNumber(unchecked((long)number)), stored, layer, location);
                }

                if (raw.TryGetNumber(out long lenient))
                {
                    return new SnapshotValue(setting, SnapshotValueKind.Value, SettingValue.FromNumber(lenient), stored, layer, location, TypeMismatch: true,
                        Note: $"stored as {raw.Type.ToRegName()}; Windows reads {setting.ValueType.ToRegName()} (write it with the explicit type)");
                }

                return new SnapshotValue(setting, SnapshotValueKind.Unreadable, null, stored, layer, location, TypeMismatch: true,
                    Note: $"{raw.Type.ToRegName()} '{TextDecoding.Excerpt(raw.ToDisplayString())}' cannot be read as {setting.ValueType.ToRegName()}");
            case RegistryValueType.String or RegistryValueType.ExpandString:
                if (raw.TryGetString(out string text))
                {
                    return new SnapshotValue(setting, SnapshotValueKind.Value, SettingValue.FromText(text), stored, layer, location);
                }

                return new SnapshotValue(setting, SnapshotValueKind.Value, SettingValue.FromText(raw.ToDisplayString()), stored, layer, location, TypeMismatch: true,
                    Note: $"stored as {raw.Type.ToRegName()}; Windows reads {setting.ValueType.ToRegName()}");
            case RegistryValueType.MultiString:
                if (raw.TryGetStrings(out IReadOnlyList<string> items))
                {
                    return new SnapshotValue(setting, SnapshotValueKind.Value, SettingValue.FromList(items), stored, layer, location);
                }

                return new SnapshotValue(setting, SnapshotValueKind.Value, SettingValue.FromList(raw.TryGetString(out string single) ? single.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : []), stored, layer, location, TypeMismatch: true,
                    Note: $"stored as {raw.Type.ToRegName()}; Windows reads REG_MULTI_SZ (a REG_SZ here breaks Get-SmbServerConfiguration, windows_hardening PR #166)");
            default:
                return new SnapshotValue(setting, SnapshotValueKind.Unreadable, null, stored, layer, location, Note: "unsupported registry type");
        }
    }

    private void Add(SnapshotValue value)
    {
        if (!_values.TryGetValue(value.Setting.Id, out List<SnapshotValue>? list))
        {
            list = new List<SnapshotValue>(2);
            _values.Add(value.Setting.Id, list);
        }

        list.Add(value);
    }

    /// <summary>Every (setting, location, hive-less key) of a catalog, for key-level deletions, and a bounded cache of
    /// identity lookups. Thread-safe.</summary>
    private sealed class KeyIndex
    {
        private readonly ConcurrentDictionary<RegistryIdentity, RegistryMatch?> _matches = new();

        public KeyIndex(SettingsCatalog catalog)
        {
            Entries = [.. catalog.Settings.SelectMany(s => s.AllRegistryLocations.Select(l => (s, l, RegistryPaths.NormalizeKey(RegistryPath.NormalizeKey(l.Key)))))];
        }

        public (SettingDefinition Setting, RegistryLocation Location, string Key)[] Entries { get; }

        public RegistryMatch? Find(SettingsCatalog catalog, RegistryIdentity identity)
        {
            if (_matches.TryGetValue(identity, out RegistryMatch? match))
            {
                return match;
            }

            match = catalog.FindByRegistry(identity.KeyPath, identity.ValueName);
            if (_matches.Count < MaxCachedIdentities)
            {
                _matches.TryAdd(identity, match);
            }

            return match;
        }
    }
}
