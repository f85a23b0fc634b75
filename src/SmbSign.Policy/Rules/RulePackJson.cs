using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmbSign.Policy.Rules;

/// <summary>The on-disk shape of <c>rules/*.json</c> (schemaVersion 1). Enumerations stay strings so that an unknown
/// token becomes a precise validation problem instead of a serializer exception.</summary>
internal sealed class RulePackFileDto
{
    public int SchemaVersion { get; set; }

    public string? Id { get; set; }

    public string? Title { get; set; }

    public string? Publisher { get; set; }

    public string? Version { get; set; }

    public string? Generation { get; set; }

    public bool? NotConfiguredIsFailure { get; set; }

    public List<PackDefaultDto>? DefaultFor { get; set; }

    public List<string>? Sources { get; set; }

    public List<RuleDto>? Rules { get; set; }
}

internal sealed class PackDefaultDto
{
    public List<string>? Families { get; set; }

    public int? MinBuild { get; set; }

    public int? MaxBuild { get; set; }
}

internal sealed class RuleDto
{
    public string? Id { get; set; }

    public string? Item { get; set; }

    public string? Title { get; set; }

    public string? Level { get; set; }

    public string? Setting { get; set; }

    public RuleRegistryDto? Registry { get; set; }

    public string? Operator { get; set; }

    public JsonElement Expected { get; set; }

    public RuleAppliesToDto? AppliesTo { get; set; }

    public string? Note { get; set; }

    public string? Confidence { get; set; }
}

internal sealed class RuleRegistryDto
{
    public string? Key { get; set; }

    public string? Value { get; set; }

    public string? Type { get; set; }
}

internal sealed class RuleAppliesToDto
{
    public List<string>? Roles { get; set; }

    public bool RequiresServerService { get; set; }

    public bool Smb1Only { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RulePackFileDto))]
internal sealed partial class RulePackJsonContext : JsonSerializerContext;
