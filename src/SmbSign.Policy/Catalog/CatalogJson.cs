using System.Text.Json;
using SmbSign.Policy.Defaults;

namespace SmbSign.Policy.Catalog;

// Data-transfer shapes of the embedded Catalog/settings.json and Defaults/os-profiles.json, read by CatalogJsonReader.
// They mirror the files one to one (member names in camelCase); SettingsCatalog and OsProfiles turn them into the
// immutable public types.
internal sealed record CatalogFileDto(
    int SchemaVersion,
    List<SettingDto> Settings);

internal sealed record SettingDto(
    string Id,
    SettingSide Side,
    string Title,
    string Summary,
    RegistryDto Registry,
    ValuesDto Values,
    DialectScope Dialects,
    List<DefaultRuleDto> Defaults,
    List<string>? Aliases = null,
    GpoDto? Gpo = null,
    List<AlternateRegistryDto>? AlternateRegistry = null,
    CspMapping? Csp = null,
    SettingsCatalogDto? SettingsCatalog = null,
    PowerShellMapping? PowerShell = null,
    ConfDto? Samba = null,
    ConfDto? Macos = null,
    List<CisDto>? Cis = null,
    List<BaselineReference>? Baselines = null,
    List<string>? Notes = null);

internal sealed record GpoDto(
    string Path,
    string DisplayName,
    GpoKind Kind,
    string? Note = null);

internal sealed record RegistryDto(
    string Key,
    string Value,
    string Type,
    RegistryLocationKind? Kind = null,
    string? Note = null);

internal sealed record AlternateRegistryDto(
    string Key,
    RegistryLocationKind Kind,
    string? Value = null,
    string? Note = null);

internal sealed record ValuesDto(
    ValueKind Kind,
    long? Min = null,
    long? Max = null,
    string? Unit = null,
    List<ValueOption>? Options = null);

internal sealed record SettingsCatalogDto(
    string DefinitionId,
    SettingsCatalogKind Kind,
    Confidence Confidence,
    List<string>? Options = null,
    string? EnabledOptionId = null,
    string? ChildDefinitionId = null,
    string? Note = null);

internal sealed record ConfDto(
    string File,
    string Parameter,
    Confidence Confidence,
    List<ConfValueDto>? Values = null,
    string? Default = null,
    string? Note = null);

internal sealed record ConfValueDto(
    string Text,
    long? Value = null,
    List<string>? Aliases = null,
    string? Note = null);

internal sealed record DefaultRuleDto(
    JsonElement Value,
    string Source,
    Confidence Confidence,
    ConditionDto? When = null,
    string? Note = null);

internal sealed record ConditionDto(
    List<OsFamily>? Family = null,
    int? MinBuild = null,
    int? MaxBuild = null,
    List<OsEdition>? Edition = null,
    List<OsRole>? Role = null);

internal sealed record CisDto(
    string Item,
    string Generation,
    List<string> Benchmarks,
    Confidence Confidence,
    string? Level = null,
    string? Recommended = null,
    string? Operator = null,
    string? Note = null);

internal sealed record OsProfilesFileDto(
    int SchemaVersion,
    List<OsProfileDto> Profiles);

internal sealed record OsProfileDto(
    string Id,
    string DisplayName,
    OsFamily Family,
    int Build,
    string Version,
    OsEdition Edition,
    OsRole Role,
    List<string> SigningAlgorithms,
    string SigningAlgorithmsSource,
    Confidence SigningAlgorithmsConfidence,
    AlgorithmSelection AlgorithmSelection);
