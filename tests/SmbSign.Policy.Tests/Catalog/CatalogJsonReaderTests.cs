using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Tests.Formats;

namespace SmbSign.Policy.Tests.Catalog;

/// <summary>
/// The hand-written reader of the embedded catalog and OS profiles against System.Text.Json's own reading of the same
/// bytes with a strict source-generated context (the way the product read them before): same result, same refusals.
/// </summary>
public sealed class CatalogJsonReaderTests
{
    private static byte[] Resource(string name)
    {
        using Stream stream = typeof(SettingsCatalog).Assembly.GetManifestResourceStream(name)!;
        using MemoryStream buffer = new();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    [Fact]
    public void EmbeddedCatalog_ReadsExactlyAsTheSerializerReadsIt()
    {
        byte[] json = Resource("SmbSign.Policy.Catalog.settings.json");

        CatalogFileDto mine = CatalogJsonReader.ReadCatalog(json);
        CatalogFileDto serializer = JsonSerializer.Deserialize(json, StrictCatalogContext.Default.CatalogFileDto)!;

        // Records holding lists compare lists by reference, so compare what each reading serializes to, member for member.
        Assert.True(serializer.Settings.Count > 30, "the catalog has its settings");
        Assert.Equal(
            JsonSerializer.Serialize(serializer, StrictCatalogContext.Default.CatalogFileDto),
            JsonSerializer.Serialize(mine, StrictCatalogContext.Default.CatalogFileDto));
    }

    [Fact]
    public void EmbeddedOsProfiles_ReadExactlyAsTheSerializerReadsThem()
    {
        byte[] json = Resource("SmbSign.Policy.Defaults.os-profiles.json");

        OsProfilesFileDto mine = CatalogJsonReader.ReadOsProfiles(json);
        OsProfilesFileDto serializer = JsonSerializer.Deserialize(json, StrictCatalogContext.Default.OsProfilesFileDto)!;

        Assert.Equal(13, serializer.Profiles.Count);
        Assert.Equal(
            JsonSerializer.Serialize(serializer, StrictCatalogContext.Default.OsProfilesFileDto),
            JsonSerializer.Serialize(mine, StrictCatalogContext.Default.OsProfilesFileDto));
    }

    private const string Setting = """
        "id": "client.A", "side": "client", "title": "A", "summary": "a",
        "registry": { "key": "HKLM\\X", "value": "V", "type": "REG_DWORD" },
        "values": { "kind": "boolean" }, "dialects": "all",
        "defaults": [ { "value": 0, "source": "doc", "confidence": "doc" } ]
        """;

    [Theory]
    [InlineData("a member the DTO does not have", """{ "extra": 1, SETTING }""", "$.settings[0]: unknown member 'extra'")]
    [InlineData("a nested unknown member", """{ SETTING, "gpo": { "path": "p", "displayName": "d", "kind": "securityOption", "x": 1 } }""", "$.settings[0].gpo: unknown member 'x'")]
    [InlineData("a required member missing", """{ "id": "client.A" }""", "$.settings[0]: missing required member 'side'")]
    [InlineData("null where the DTO has no null", """{ SETTING, "aliases": [ "a" ], "gpo": { "path": null, "displayName": "d", "kind": "securityOption" } }""", "$.settings[0].gpo.path: must not be null")]
    [InlineData("a number where a string belongs", """{ SETTING, "notes": [ 3 ] }""", "$.settings[0].notes[0]: expected a string, found a number")]
    [InlineData("an unknown enum name", """{ SETTING, "gpo": { "path": "p", "displayName": "d", "kind": "teleport" } }""", "'teleport' is not one of securityOption")]
    [InlineData("an object where an array belongs", """{ SETTING, "cis": {} }""", "$.settings[0].cis: expected an array, found an object")]
    [InlineData("a fraction where an integer belongs", """{ SETTING, "values": { "kind": "integer", "min": 1.5 } }""", "$.settings[0].values.min: expected a 64-bit integer")]
    [InlineData("a number in an array inside an array item", """{ SETTING, "cis": [ { "item": "1", "generation": "g", "benchmarks": [ "b", 2 ], "confidence": "doc" } ] }""", "$.settings[0].cis[0].benchmarks[1]: expected a string, found a number")]
    [InlineData("an unknown member beside an optional number", """{ SETTING, "values": { "kind": "integer", "min": 1, "x": 2 } }""", "$.settings[0].values: unknown member 'x'")]
    [InlineData("an unknown member beside optional builds", """{ SETTING, "defaults": [ { "value": 0, "source": "doc", "confidence": "doc", "when": { "minBuild": 1, "maxBuild": 2, "x": 3 } } ] }""", "$.settings[0].defaults[0].when: unknown member 'x'")]
    public void Malformed_RefusedNamingThePath_AndTheSerializerRefusesItToo(string description, string settingJson, string expected)
    {
        byte[] json = Encoding.UTF8.GetBytes($$"""{ "schemaVersion": 1, "settings": [ {{settingJson.Replace("SETTING", Setting, StringComparison.Ordinal)}} ] }""");

        JsonException mine = Assert.ThrowsAny<JsonException>(() => CatalogJsonReader.ReadCatalog(json));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, StrictCatalogContext.Default.CatalogFileDto));

        Assert.True(mine.Message.Contains(expected, StringComparison.Ordinal), $"{description}: {mine.Message}");
    }

    [Fact]
    public void MemberWrittenTwice_ReadAsTheSerializerReadsIt()
    {
        // The member counts differ from the names asked for, so the reader checks member by member: both are known.
        byte[] json = Encoding.UTF8.GetBytes($$"""{ "schemaVersion": 1, "settings": [ { {{Setting}}, "title": "B" } ] }""");

        CatalogFileDto mine = CatalogJsonReader.ReadCatalog(json);
        CatalogFileDto serializer = JsonSerializer.Deserialize(json, StrictCatalogContext.Default.CatalogFileDto)!;

        Assert.Equal(serializer.Settings[0].Title, mine.Settings[0].Title);
        Assert.Equal("B", mine.Settings[0].Title);
    }

    [Fact]
    public void UnknownMemberBesideAMemberWrittenTwice_StillRefused()
    {
        byte[] json = Encoding.UTF8.GetBytes($$"""{ "schemaVersion": 1, "settings": [ { {{Setting}}, "title": "B", "x": 1 } ] }""");

        JsonException e = Assert.ThrowsAny<JsonException>(() => CatalogJsonReader.ReadCatalog(json));

        Assert.Contains("$.settings[0]: unknown member 'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingTopLevelMember_NamesTheRoot()
    {
        JsonException e = Assert.ThrowsAny<JsonException>(() => CatalogJsonReader.ReadCatalog(Encoding.UTF8.GetBytes("""{ "schemaVersion": 1 }""")));

        Assert.Equal("$: missing required member 'settings'.", e.Message);
    }

    [Fact]
    public void ReadAllBytes_SeekableNonSeekableAndPositioned_GiveTheRestOfTheStream()
    {
        byte[] catalog = Resource("SmbSign.Policy.Catalog.settings.json");
        using Stream embedded = typeof(SettingsCatalog).Assembly.GetManifestResourceStream("SmbSign.Policy.Catalog.settings.json")!;
        using MemoryStream positioned = new(catalog) { Position = 100 };
        using ChunkedStream piped = new(catalog, 1000); // cannot seek, 1,000 bytes a read, as a pipe

        Assert.True(embedded.CanSeek);
        Assert.Equal(catalog, CatalogJsonReader.ReadAllBytes(embedded).ToArray());
        Assert.Equal(catalog[100..], CatalogJsonReader.ReadAllBytes(positioned).ToArray());
        Assert.Equal(catalog, CatalogJsonReader.ReadAllBytes(piped).ToArray());
    }

    [Fact]
    public void EnumWrittenAsANumber_Refused_WhereTheSerializerTookIt()
    {
        // Stricter than before on purpose: the files name every enum value; a "1" is a mistake, not a choice.
        byte[] json = Encoding.UTF8.GetBytes($$"""{ "schemaVersion": 1, "settings": [ { {{Setting}}, "gpo": { "path": "p", "displayName": "d", "kind": "1" } } ] }""");

        JsonException mine = Assert.ThrowsAny<JsonException>(() => CatalogJsonReader.ReadCatalog(json));

        Assert.Contains("$.settings[0].gpo.kind: '1' is not one of securityOption, administrativeTemplate", mine.Message, StringComparison.Ordinal);
        Assert.Equal(GpoKind.AdministrativeTemplate, JsonSerializer.Deserialize(json, StrictCatalogContext.Default.CatalogFileDto)!.Settings[0].Gpo!.Kind);
    }

    [Fact]
    public void ValidMinimalSetting_IsRead()
    {
        byte[] json = Encoding.UTF8.GetBytes($$"""{ "schemaVersion": 1, "settings": [ { {{Setting}} } ] }""");

        CatalogFileDto file = CatalogJsonReader.ReadCatalog(json);

        SettingDto setting = Assert.Single(file.Settings);
        Assert.Equal(SettingSide.Client, setting.Side);
        Assert.Equal(DialectScope.All, setting.Dialects);
        Assert.Equal(JsonValueKind.Number, Assert.Single(setting.Defaults).Value.ValueKind);
        Assert.Null(setting.Gpo);
    }
}

/// <summary>How the product read the catalog with System.Text.Json before CatalogJsonReader (the reference for the tests).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(CatalogFileDto))]
[JsonSerializable(typeof(OsProfilesFileDto))]
internal sealed partial class StrictCatalogContext : JsonSerializerContext;
