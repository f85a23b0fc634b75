using System.Globalization;
using System.Text.Json;
using SmbSign.Policy.Defaults;

namespace SmbSign.Policy.Catalog;

/// <summary>
/// Reads the embedded <c>Catalog/settings.json</c> and <c>Defaults/os-profiles.json</c> into their DTOs by walking a
/// <see cref="JsonDocument"/>, with the rules a strict serializer would apply: camelCase member names matched exactly,
/// every member without a default present, no unknown member, no null where the DTO does not allow one, enum values by
/// name only. Errors are <see cref="JsonException"/>s naming the JSON path.
/// </summary>
/// <remarks>
/// Why not <c>JsonSerializer</c> with a source-generated context: every start of <c>smbsign explain</c> or
/// <c>evaluate</c> loads these files, and System.Text.Json first builds and configures metadata and a converter for each
/// of the ~50 types involved. In the native binary that set-up was about 13 of the 18 million instructions the catalog
/// took to load (valgrind callgrind); walking the parsed document needs none of it. A test reads both files with a
/// source-generated context as well and checks that the two readings are the same, member for member.
/// </remarks>
internal static class CatalogJsonReader
{
    private static readonly JsonDocumentOptions s_options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false };

    public static CatalogFileDto ReadCatalog(ReadOnlyMemory<byte> utf8) =>
        ReadDocument(utf8, root => new CatalogFileDto(root.Int32("schemaVersion"), root.List("settings", Setting)));

    public static OsProfilesFileDto ReadOsProfiles(ReadOnlyMemory<byte> utf8) =>
        ReadDocument(utf8, root => new OsProfilesFileDto(root.Int32("schemaVersion"), root.List("profiles", OsProfile)));

    /// <summary>
    /// The whole of <paramref name="stream"/> as one array: of exactly its length when the stream knows it (an embedded
    /// resource does), grown by copying only when it does not.
    /// </summary>
    /// <remarks>
    /// Why: a <see cref="MemoryStream"/> copy of the 137 KiB catalog doubled its way through about 512 KiB of new
    /// arrays, and in the native binary fresh memory is what start-up pays for (page faults, not instructions).
    /// </remarks>
    public static ReadOnlyMemory<byte> ReadAllBytes(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (remaining > Array.MaxLength)
            {
                throw new InvalidDataException($"the JSON is {remaining} bytes; at most {Array.MaxLength} can be read");
            }

            byte[] bytes = GC.AllocateUninitializedArray<byte>((int)remaining);
            int filled = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            // A stream shorter than its Length said gives what it has: the parser then reports where the JSON stops.
            return bytes.AsMemory(0, filled);
        }

        using MemoryStream buffer = new();
        stream.CopyTo(buffer);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static T ReadDocument<T>(ReadOnlyMemory<byte> utf8, Func<Members, T> read)
    {
        using JsonDocument document = JsonDocument.Parse(utf8, s_options);
        return Members.Read(document.RootElement, JsonPath.Root, read);
    }

    private static SettingDto Setting(JsonElement element, JsonPath path) => Members.Read(element, path, m => new SettingDto(
            m.String("id"),
            m.Enum<SettingSide>("side"),
            m.String("title"),
            m.String("summary"),
            m.Object("registry", Registry),
            m.Object("values", Values),
            m.Enum<DialectScope>("dialects"),
            m.List("defaults", DefaultRule),
            m.OptionalList("aliases", Text),
            m.OptionalObject("gpo", Gpo),
            m.OptionalList("alternateRegistry", AlternateRegistry),
            m.OptionalObject("csp", Csp),
            m.OptionalObject("settingsCatalog", SettingsCatalog),
            m.OptionalObject("powerShell", PowerShell),
            m.OptionalObject("samba", Conf),
            m.OptionalObject("macos", Conf),
            m.OptionalList("cis", Cis),
            m.OptionalList("baselines", Baseline),
            m.OptionalList("notes", Text)));

    private static GpoDto Gpo(Members m) => new(m.String("path"), m.String("displayName"), m.Enum<GpoKind>("kind"), m.OptionalString("note"));

    private static RegistryDto Registry(Members m) =>
        new(m.String("key"), m.String("value"), m.String("type"), m.OptionalEnum<RegistryLocationKind>("kind"), m.OptionalString("note"));

    private static AlternateRegistryDto AlternateRegistry(JsonElement element, JsonPath path) => Members.Read(element, path, m =>
        new AlternateRegistryDto(m.String("key"), m.Enum<RegistryLocationKind>("kind"), m.OptionalString("value"), m.OptionalString("note")));

    private static ValuesDto Values(Members m) =>
        new(m.Enum<ValueKind>("kind"), m.OptionalInt64("min"), m.OptionalInt64("max"), m.OptionalString("unit"), m.OptionalList("options", ValueOption));

    private static ValueOption ValueOption(JsonElement element, JsonPath path) => Members.Read(element, path, m =>
        new ValueOption(m.Int64("value"), m.String("meaning")));

    private static CspMapping Csp(Members m) =>
        new(m.String("omaUri"), m.String("dataType"), m.NullableString("since"), m.Enum<Confidence>("confidence"), m.OptionalString("note"));

    private static SettingsCatalogDto SettingsCatalog(Members m) => new(
        m.String("definitionId"),
        m.Enum<SettingsCatalogKind>("kind"),
        m.Enum<Confidence>("confidence"),
        m.OptionalList("options", Text),
        m.OptionalString("enabledOptionId"),
        m.OptionalString("childDefinitionId"),
        m.OptionalString("note"));

    private static PowerShellMapping PowerShell(Members m) => new(m.String("cmdlet"), m.String("property"), m.String("type"), m.OptionalString("note"));

    private static ConfDto Conf(Members m) => new(
        m.String("file"),
        m.String("parameter"),
        m.Enum<Confidence>("confidence"),
        m.OptionalList("values", ConfValue),
        m.OptionalString("default"),
        m.OptionalString("note"));

    private static ConfValueDto ConfValue(JsonElement element, JsonPath path) => Members.Read(element, path, m =>
        new ConfValueDto(m.String("text"), m.OptionalInt64("value"), m.OptionalList("aliases", Text), m.OptionalString("note")));

    private static DefaultRuleDto DefaultRule(JsonElement element, JsonPath path) => Members.Read(element, path, m =>
        new DefaultRuleDto(m.Element("value"), m.String("source"), m.Enum<Confidence>("confidence"), m.OptionalObject("when", Condition), m.OptionalString("note")));

    private static ConditionDto Condition(Members m) => new(
        m.OptionalList("family", EnumValue<OsFamily>),
        m.OptionalInt32("minBuild"),
        m.OptionalInt32("maxBuild"),
        m.OptionalList("edition", EnumValue<OsEdition>),
        m.OptionalList("role", EnumValue<OsRole>));

    private static CisDto Cis(JsonElement element, JsonPath path) => Members.Read(element, path, m => new CisDto(
        m.String("item"),
        m.String("generation"),
        m.List("benchmarks", Text),
        m.Enum<Confidence>("confidence"),
        m.OptionalString("level"),
        m.OptionalString("recommended"),
        m.OptionalString("operator"),
        m.OptionalString("note")));

    private static BaselineReference Baseline(JsonElement element, JsonPath path) => Members.Read(element, path, m =>
        new BaselineReference(m.String("name"), m.String("recommended"), m.OptionalString("note")));

    private static OsProfileDto OsProfile(JsonElement element, JsonPath path) => Members.Read(element, path, m => new OsProfileDto(
        m.String("id"),
        m.String("displayName"),
        m.Enum<OsFamily>("family"),
        m.Int32("build"),
        m.String("version"),
        m.Enum<OsEdition>("edition"),
        m.Enum<OsRole>("role"),
        m.List("signingAlgorithms", Text),
        m.String("signingAlgorithmsSource"),
        m.Enum<Confidence>("signingAlgorithmsConfidence"),
        m.Enum<AlgorithmSelection>("algorithmSelection")));

    private static string Text(JsonElement element, JsonPath path) => element.ValueKind == JsonValueKind.String
        ? element.GetString()!
        : throw Error(path, $"expected a string, found {Kind(element)}");

    private static T EnumValue<T>(JsonElement element, JsonPath path)
        where T : struct, Enum
    {
        string text = Text(element, path);
        // By name only, as the camelCase names the files use: Enum.TryParse alone would also take "3" or "a, b".
        return text.Length > 0 && char.IsAsciiLetter(text[0]) && !text.Contains(',', StringComparison.Ordinal) && Enum.TryParse(text, ignoreCase: true, out T value)
            ? value
            : throw Error(path, $"'{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(CamelCase))}");
    }

    private static string CamelCase(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static JsonException Error(JsonPath path, string message) => new($"{path}: {message}.");

    /// <summary>
    /// Where a value is (<c>$.settings[3].gpo.kind</c>): its container and its member name or item index, spelled out
    /// only when an error names it.
    /// </summary>
    /// <remarks>
    /// Why not a string: the catalog has about 2,600 members, and building each one's path up front was a string and a
    /// formatting pass per member on every start, for messages that a valid file never shows.
    /// </remarks>
    private readonly struct JsonPath
    {
        private readonly Container? _container;
        private readonly string? _member;
        private readonly int _index;

        private JsonPath(Container container, string? member, int index)
        {
            _container = container;
            _member = member;
            _index = index;
        }

        /// <summary>The document's root, <c>$</c>.</summary>
        public static JsonPath Root => default;

        /// <summary>This path as the container of members or items (one small object per object or array read).</summary>
        public Container AsContainer() => new(this);

        public static JsonPath Member(Container container, string name) => new(container, name, -1);

        public static JsonPath Item(Container container, int index) => new(container, null, index);

        public override string ToString() => _container is null
            ? "$"
            : _member is null
                ? string.Create(CultureInfo.InvariantCulture, $"{_container}[{_index}]")
                : $"{_container}.{_member}";

        /// <summary>A path kept on the heap, so that the paths of the values inside it can point at it.</summary>
        public sealed class Container(JsonPath path)
        {
            public JsonPath Path { get; } = path;

            public override string ToString() => Path.ToString();
        }
    }

    /// <summary>The members of one JSON object: each read once by name; <see cref="End"/> refuses any the DTO does not have.</summary>
    private sealed class Members
    {
        private readonly JsonElement _object;
        private readonly JsonPath.Container _path;
        private readonly List<string> _known = [];
        private int _found;

        private Members(JsonElement element, JsonPath path)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, $"expected an object, found {Kind(element)}");
            }

            _object = element;
            _path = path.AsContainer();
        }

        public static T Read<T>(JsonElement element, JsonPath path, Func<Members, T> read)
        {
            Members members = new(element, path);
            T value = read(members);
            members.End();
            return value;
        }

        public void End()
        {
            // Every name is asked for once, so when the object has exactly as many members as were asked for and found,
            // none is unknown: the common case, checked without comparing a name. An unknown member, or one written
            // twice, makes the counts differ and takes the member-by-member check.
            if (_object.GetPropertyCount() == _found)
            {
                return;
            }

            foreach (JsonProperty property in _object.EnumerateObject())
            {
                if (!IsKnown(property))
                {
                    throw Error(_path.Path, $"unknown member '{property.Name}' (expected one of {string.Join(", ", _known)})");
                }
            }
        }

        private bool IsKnown(JsonProperty property)
        {
            foreach (string name in _known)
            {
                if (property.NameEquals(name))
                {
                    return true;
                }
            }

            return false;
        }

        public string String(string name) => Text(Required(name), Path(name));

        public string? OptionalString(string name) => Optional(name) is { } value ? Text(value, Path(name)) : null;

        /// <summary>A member that must be present but may be null (a constructor parameter without a default).</summary>
        public string? NullableString(string name)
        {
            JsonElement value = Present(name);
            return value.ValueKind == JsonValueKind.Null ? null : Text(value, Path(name));
        }

        // Each member is looked up once (End counts the lookups that found one), so the optional forms convert the value
        // they found rather than asking for the member again.
        public int Int32(string name) => Int32Value(Required(name), name);

        public int? OptionalInt32(string name) => Optional(name) is { } value ? Int32Value(value, name) : null;

        public long Int64(string name) => Int64Value(Required(name), name);

        public long? OptionalInt64(string name) => Optional(name) is { } value ? Int64Value(value, name) : null;

        public T Enum<T>(string name)
            where T : struct, Enum => EnumValue<T>(Required(name), Path(name));

        public T? OptionalEnum<T>(string name)
            where T : struct, Enum => Optional(name) is { } value ? EnumValue<T>(value, Path(name)) : null;

        /// <summary>Any JSON value, copied out of the document (which is disposed after reading).</summary>
        public JsonElement Element(string name) => Present(name).Clone();

        public T Object<T>(string name, Func<Members, T> read) => Read(Required(name), Path(name), read);

        public T? OptionalObject<T>(string name, Func<Members, T> read)
            where T : class => Optional(name) is { } value ? Read(value, Path(name), read) : null;

        public List<T> List<T>(string name, Func<JsonElement, JsonPath, T> read) => Items(Required(name), Path(name), read);

        public List<T>? OptionalList<T>(string name, Func<JsonElement, JsonPath, T> read) =>
            Optional(name) is { } value ? Items(value, Path(name), read) : null;

        private static List<T> Items<T>(JsonElement array, JsonPath path, Func<JsonElement, JsonPath, T> read)
        {
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw Error(path, $"expected an array, found {Kind(array)}");
            }

            List<T> items = new(array.GetArrayLength());
            JsonPath.Container container = path.AsContainer();
            int index = 0;
            foreach (JsonElement item in array.EnumerateArray())
            {
                items.Add(read(item, JsonPath.Item(container, index++)));
            }

            return items;
        }

        private int Int32Value(JsonElement value, string name) => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
            ? number
            : throw Error(Path(name), "expected a 32-bit integer");

        private long Int64Value(JsonElement value, string name) => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number)
            ? number
            : throw Error(Path(name), "expected a 64-bit integer");

        private JsonPath Path(string name) => JsonPath.Member(_path, name);

        /// <summary>The member, which must be there (null allowed).</summary>
        private JsonElement Present(string name)
        {
            _known.Add(name);
            if (!_object.TryGetProperty(name, out JsonElement value))
            {
                throw Error(_path.Path, $"missing required member '{name}'");
            }

            _found++;
            return value;
        }

        /// <summary>The member, which must be there and not null.</summary>
        private JsonElement Required(string name)
        {
            JsonElement value = Present(name);
            return value.ValueKind == JsonValueKind.Null ? throw Error(Path(name), "must not be null") : value;
        }

        /// <summary>The member when present and not null; null otherwise.</summary>
        private JsonElement? Optional(string name)
        {
            _known.Add(name);
            if (!_object.TryGetProperty(name, out JsonElement value))
            {
                return null;
            }

            _found++;
            return value.ValueKind == JsonValueKind.Null ? null : value;
        }
    }
}
