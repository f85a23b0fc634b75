using System.Text.Json;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Catalog;

/// <summary>Turns the JSON shapes of settings.json into <see cref="SettingDefinition"/>s, failing with the setting id on bad data.</summary>
internal static class CatalogMapper
{
    private const string PolicyRoot = "SOFTWARE\\Policies\\";

    public static SettingDefinition ToDefinition(SettingDto dto, string sourceName)
    {
        string where = $"{sourceName}: setting '{dto.Id}'";
        if (!RegistryValueTypeInfo.TryParse(dto.Registry.Type, out RegistryValueType valueType))
        {
            throw new InvalidDataException($"{where}: unknown registry type '{dto.Registry.Type}'.");
        }

        RegistryLocationKind primaryKind = dto.Registry.Kind
            ?? (RegistryPath.NormalizeKey(dto.Registry.Key).StartsWith(PolicyRoot, StringComparison.OrdinalIgnoreCase)
                ? RegistryLocationKind.Policy
                : RegistryLocationKind.Service);

        return new SettingDefinition
        {
            Id = dto.Id,
            Side = dto.Side,
            Title = dto.Title,
            Summary = dto.Summary,
            Aliases = [.. dto.Aliases ?? []],
            Gpo = dto.Gpo is null ? null : new GpoMapping(dto.Gpo.Path, dto.Gpo.DisplayName, dto.Gpo.Kind, dto.Gpo.Note),
            Registry = new RegistryLocation(dto.Registry.Key, dto.Registry.Value, primaryKind, dto.Registry.Note),
            ValueType = valueType,
            AlternateRegistry = [.. (dto.AlternateRegistry ?? []).Select(a => new RegistryLocation(a.Key, a.Value ?? dto.Registry.Value, a.Kind, a.Note))],
            Values = new ValueSpec
            {
                Kind = dto.Values.Kind,
                Minimum = dto.Values.Min,
                Maximum = dto.Values.Max,
                Unit = dto.Values.Unit,
                Options = [.. dto.Values.Options ?? DefaultOptions(dto.Values.Kind)],
            },
            Csp = dto.Csp,
            SettingsCatalog = dto.SettingsCatalog is null ? null : ToSettingsCatalog(dto.SettingsCatalog),
            PowerShell = dto.PowerShell,
            Samba = dto.Samba is null ? null : ToConf(dto.Samba),
            MacOs = dto.Macos is null ? null : ToConf(dto.Macos),
            Dialects = dto.Dialects,
            Defaults = [.. dto.Defaults.Select(d => ToRule(d, where))],
            Cis = [.. (dto.Cis ?? []).Select(c => new CisReference(c.Item, c.Generation, [.. c.Benchmarks], c.Level, c.Recommended, c.Operator, c.Confidence, c.Note))],
            Baselines = [.. dto.Baselines ?? []],
            Notes = [.. dto.Notes ?? []],
        };
    }

    private static IEnumerable<ValueOption> DefaultOptions(ValueKind kind) => kind switch
    {
        ValueKind.Boolean => [new ValueOption(0, "Disabled"), new ValueOption(1, "Enabled")],
        ValueKind.Dialect =>
        [
            new ValueOption(514, "SMB 2.0.2"),
            new ValueOption(528, "SMB 2.1"),
            new ValueOption(768, "SMB 3.0"),
            new ValueOption(770, "SMB 3.0.2"),
            new ValueOption(785, "SMB 3.1.1"),
        ],
        _ => [],
    };

    private static SettingsCatalogMapping ToSettingsCatalog(SettingsCatalogDto dto)
    {
        string optionBase = dto.ChildDefinitionId ?? dto.DefinitionId;
        return new SettingsCatalogMapping(
            dto.DefinitionId,
            dto.Kind,
            [.. (dto.Options ?? []).Select(v => new SettingsCatalogOption(v, optionBase + "_" + v))],
            dto.EnabledOptionId,
            dto.ChildDefinitionId,
            dto.Confidence,
            dto.Note);
    }

    private static ConfMapping ToConf(ConfDto dto) => new(
        dto.File,
        dto.Parameter,
        [.. (dto.Values ?? []).Select(v => new ConfValueMapping(v.Text, v.Value, [.. v.Aliases ?? []], v.Note))],
        dto.Default,
        dto.Confidence,
        dto.Note);

    private static DefaultRule ToRule(DefaultRuleDto dto, string where)
    {
        var condition = new DefaultCondition
        {
            Families = [.. dto.When?.Family ?? []],
            MinBuild = dto.When?.MinBuild,
            MaxBuild = dto.When?.MaxBuild,
            Editions = [.. dto.When?.Edition ?? []],
            Roles = [.. dto.When?.Role ?? []],
        };
        return new DefaultRule(condition, ToValue(dto.Value, where), dto.Source, dto.Confidence, dto.Note);
    }

    private static SettingValue? ToValue(JsonElement element, string where) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Number when element.TryGetInt64(out long number) => SettingValue.FromNumber(number),
        JsonValueKind.String => SettingValue.FromText(element.GetString()!),
        JsonValueKind.Array => SettingValue.FromList(element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw new InvalidDataException($"{where}: default list items must be strings."))),
        _ => throw new InvalidDataException($"{where}: a default value must be a number, a string, a list of strings or null, not {element.ValueKind}."),
    };
}
