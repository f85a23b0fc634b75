using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Sources;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Remediation;

/// <summary>
/// Reads the JSON of <c>smbsign audit --format json</c>. Schema version 2 (what the audit writes now) is deserialized into
/// <see cref="AuditJsonDocument"/> with the writer's own <see cref="AuditJsonContext"/>: an unknown field, a missing field or
/// a value of the wrong JSON type is refused, naming the file, line and byte. Then the content is checked: <c>status</c> is
/// <c>pass</c>, <c>fail</c>, <c>not-applicable</c> or <c>error</c>; <c>registry.type</c> a REG_* name; <c>expected</c>,
/// <c>configured</c> and <c>effective</c> are text read by <c>registry.type</c> (REG_DWORD/REG_QWORD decimal, REG_SZ as it
/// is, REG_MULTI_SZ items joined with "\n"). Schema version 1 (written by smbsign before the pass/fail verdicts; the
/// planner tests' fleet-audit.json is one) is still read by <see cref="ParseVersion1"/>: numbers, strings or lists as
/// values and the status <c>not-configured</c>. A document without <c>schemaVersion</c> or with another version is refused.
/// Every refusal is a <see cref="RemediationInputException"/> of one line.
/// </summary>
public static class AuditDocumentReader
{
    private const int MaxDepth = 64;

    private const string Expectation = "expected the output of 'smbsign audit --format json'";

    /// <summary>Parses UTF-8 (BOM optional) or UTF-16 (BOM) JSON.</summary>
    public static AuditDocument Parse(ReadOnlySpan<byte> content, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        byte[] utf8 = ToUtf8(content);
        ThrowIfInvalidUtf8(utf8, content.Length - utf8.Length, sourceName);
        int? version = SchemaVersionOf(utf8, sourceName);
        return version switch
        {
            AuditJsonDocument.CurrentSchemaVersion => ParseCurrent(utf8, sourceName),
            1 => ParseVersion1(utf8, sourceName),
            null => throw new RemediationInputException($"{sourceName}:1: no \"schemaVersion\"; {Expectation} (schema version 2)"),
            _ => throw new RemediationInputException(string.Create(CultureInfo.InvariantCulture, $"{sourceName}:1: schemaVersion {version} is not supported; {Expectation} (schema version 2, or 1 from older releases)")),
        };
    }

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary>The top-level <c>schemaVersion</c> (a number), read with a forward-only reader that also checks the whole
    /// document is JSON, so a syntax error is reported with its line before any shape is assumed.</summary>
    private static int? SchemaVersionOf(byte[] utf8, string sourceName)
    {
        Utf8JsonReader reader = new(utf8, ReaderOptions);
        int? version = null;
        try
        {
            if (!reader.Read())
            {
                throw new RemediationInputException($"{sourceName}:1: the file is empty; {Expectation}");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new RemediationInputException($"{sourceName}:1: expected a JSON object with \"schemaVersion\" and \"machines\" ({Expectation[9..]}), found {Describe(reader.TokenType)}");
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("schemaVersion"u8))
                {
                    reader.Read();
                    version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int v) ? v
                        : throw new RemediationInputException($"{LineOf(utf8, reader.TokenStartIndex, sourceName)}: schemaVersion is {Describe(reader.TokenType)}; expected a number (2)");
                }
            }
        }
        catch (JsonException e)
        {
            throw NotJson(e, sourceName);
        }

        return version;
    }

    private static RemediationInputException NotJson(JsonException e, string sourceName) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"{sourceName}:{(e.LineNumber ?? 0) + 1}: not valid JSON (byte {(e.BytePositionInLine ?? 0) + 1} of the line); {Expectation}"));

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLowerInvariant(),
    };

    private static string LineOf(byte[] utf8, long offset, string sourceName) =>
        string.Create(CultureInfo.InvariantCulture, $"{sourceName}:{utf8.AsSpan(0, (int)Math.Min(offset, utf8.Length)).Count((byte)'\n') + 1}");

    /// <summary>Schema version 2: the writer's types, then the content.</summary>
    private static AuditDocument ParseCurrent(byte[] utf8, string sourceName)
    {
        AuditJsonDocument document;
        try
        {
            document = JsonSerializer.Deserialize(utf8, AuditJsonContext.Default.AuditJsonDocument)
                ?? throw new RemediationInputException($"{sourceName}:1: the document is null; {Expectation}");
        }
        catch (JsonException e)
        {
            throw new RemediationInputException(string.Create(
                CultureInfo.InvariantCulture,
                $"{sourceName}:{(e.LineNumber ?? 0) + 1}: {ShapeError(e)} (byte {(e.BytePositionInLine ?? 0) + 1} of the line); {Expectation} (schema version 2, docs/schemas/audit.schema.json)"));
        }

        List<List<long>> offsets = ResultOffsets(utf8);
        LineCounter lines = new(utf8);
        List<AuditedMachine> machines = new(document.Machines.Count);
        for (int m = 0; m < document.Machines.Count; m++)
        {
            AuditJsonMachine machine = document.Machines[m];
            if (machine.Verdict is not ("pass" or "fail"))
            {
                throw new RemediationInputException($"{sourceName}: machine \"{machine.Name}\": verdict \"{machine.Verdict}\" is not pass or fail");
            }

            List<AuditResultRow> rows = new(machine.Results.Count);
            for (int r = 0; r < machine.Results.Count; r++)
            {
                int line = m < offsets.Count && r < offsets[m].Count ? lines.LineAt(offsets[m][r]) : 0;
                rows.Add(ToRow(machine.Results[r], string.Create(CultureInfo.InvariantCulture, $"{sourceName}:{line}"), line));
            }

            machines.Add(new AuditedMachine(machine.Name, machine.Os, [.. rows], machine.Benchmark));
        }

        return new AuditDocument(sourceName, document.Benchmark, [.. machines]);
    }

    /// <summary>System.Text.Json's message names .NET types; say what is wrong in the document's terms, with its JSON path.</summary>
    private static string ShapeError(JsonException e)
    {
        string message = e.Message;
        string path = e.Path is { Length: > 0 } p ? " at " + p : string.Empty;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return $"unknown field {Quoted(message)}{path}";
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            int at = message.IndexOf("including:", StringComparison.Ordinal);
            string names = at < 0 ? string.Empty : " " + message[(at + "including:".Length)..].Trim().TrimEnd('.').Replace('\'', '"');
            return $"missing field{names}{path}";
        }

        if (message.Contains("null", StringComparison.OrdinalIgnoreCase) && message.Contains("doesn't allow", StringComparison.Ordinal))
        {
            return $"null where a value is required{path}";
        }

        return $"a value of the wrong type{path}";
    }

    /// <summary>The first single-quoted name in <paramref name="message"/>, double-quoted.</summary>
    private static string Quoted(string message)
    {
        int open = message.IndexOf('\'');
        int close = open < 0 ? -1 : message.IndexOf('\'', open + 1);
        return close < 0 ? string.Empty : "\"" + message[(open + 1)..close] + "\"";
    }

    private static AuditResultRow ToRow(AuditJsonResult result, string where, int line)
    {
        AuditResultStatus status = result.Status switch
        {
            "pass" => AuditResultStatus.Pass,
            "fail" => AuditResultStatus.Fail,
            "not-applicable" => AuditResultStatus.NotApplicable,
            "error" => AuditResultStatus.Error,
            _ => throw new RemediationInputException($"{where}: status \"{result.Status}\" is not one of pass, fail, not-applicable, error"),
        };
        if (!RegistryValueTypeInfo.TryParse(result.Registry.Type, out RegistryValueType type))
        {
            throw new RemediationInputException($"{where}: registry.type \"{result.Registry.Type}\" is not a registry value type (REG_DWORD, REG_SZ, ...)");
        }

        TextKind kind = type switch
        {
            RegistryValueType.DWord or RegistryValueType.QWord => TextKind.Number,
            RegistryValueType.MultiString => TextKind.MultiString,
            _ => TextKind.Text,
        };
        return new AuditResultRow(
            result.Rule,
            result.Setting,
            status,
            TypedValue(result.Expected, kind, "expected", where),
            TypedValue(result.Configured, kind, "configured", where),
            TypedValue(result.Effective, kind, "effective", where),
            result.Source,
            new AuditRegistryRef(result.Registry.Key, result.Registry.ValueName, result.Registry.Type),
            line,
            result.Operator,
            result.Stored,
            result.EffectiveCompliant,
            result.Layer,
            result.Level,
            result.NotConfigured,
            result.StrictFailure,
            result.Reason);
    }

    /// <summary>A value's text by its registry type; a REG_DWORD/REG_QWORD must be decimal (the audit writes nothing else).</summary>
    private static AuditValue? TypedValue(string? text, TextKind kind, string field, string where)
    {
        if (text is null)
        {
            return null;
        }

        switch (kind)
        {
            case TextKind.Number:
                if (text.Length == 0 || text.Length > 20 || !text.All(char.IsAsciiDigit))
                {
                    throw new RemediationInputException($"{where}: {field} \"{Truncate(text)}\" is not decimal text; expected a REG_DWORD or REG_QWORD as digits, e.g. \"1\"");
                }

                return AuditValue.Scalar(text);
            case TextKind.MultiString:
                return AuditValue.List(text.Length == 0 ? [] : text.Split('\n'));
            default:
                return AuditValue.Scalar(text);
        }
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";

    /// <summary>The byte offset of every <c>machines[i].results[j]</c> object, so a content error names its line
    /// (deserialization keeps no positions).</summary>
    private static List<List<long>> ResultOffsets(byte[] utf8)
    {
        List<List<long>> machines = [];
        Utf8JsonReader reader = new(utf8, ReaderOptions);
        bool inMachines = false;
        bool inResults = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    inMachines = reader.ValueTextEquals("machines"u8);
                    break;
                case JsonTokenType.PropertyName when reader.CurrentDepth == 3:
                    inResults = reader.ValueTextEquals("results"u8);
                    break;
                case JsonTokenType.StartObject when inMachines && reader.CurrentDepth == 2:
                    machines.Add([]);
                    inResults = false;
                    break;
                case JsonTokenType.StartObject when inMachines && inResults && reader.CurrentDepth == 4 && machines.Count > 0:
                    machines[^1].Add(reader.TokenStartIndex);
                    break;
                default:
                    break;
            }
        }

        return machines;
    }

    /// <summary>Line numbers of ascending byte offsets, counted once through the file.</summary>
    private sealed class LineCounter(byte[] utf8)
    {
        private long _at;
        private int _line = 1;

        public int LineAt(long offset)
        {
            if (offset < _at)
            {
                _at = 0;
                _line = 1;
            }

            _line += utf8.AsSpan((int)_at, (int)(offset - _at)).Count((byte)'\n');
            _at = offset;
            return _line;
        }
    }

    /// <summary>Schema version 1, from smbsign releases before the pass/fail verdicts: values as JSON numbers, strings or
    /// lists, the status <c>not-configured</c>. Read with <see cref="JsonDocument"/> because its values have no one type;
    /// kept because such files exist (the planner tests pin one, TestData/Remediation/fleet-audit.json).</summary>
    private static AuditDocument ParseVersion1(byte[] utf8, string sourceName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            throw NotJson(e, sourceName);
        }

        using (document)
        {
            LineMap lines = new(utf8);
            JsonElement root = document.RootElement;
            string? benchmark = GetString(root, "benchmark");
            if (Get(root, "machines") is not { ValueKind: JsonValueKind.Array } list)
            {
                throw new RemediationInputException($"{sourceName}:1: no \"machines\" list; {Expectation}");
            }

            List<AuditedMachine> machines = [];
            int index = 0;
            foreach (JsonElement machine in list.EnumerateArray())
            {
                machines.Add(ReadMachine(machine, ++index, sourceName, lines));
            }

            return new AuditDocument(sourceName, benchmark, [.. machines]);
        }
    }

    /// <summary>Reads a file (at most 64 MiB).</summary>
    public static AuditDocument Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(ReadBounded(path), path);
    }

    internal static byte[] ReadBounded(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new RemediationInputException($"{path}: file not found");
            }

            if (info.Length > 64L * 1024 * 1024)
            {
                throw new RemediationInputException(string.Create(CultureInfo.InvariantCulture, $"{path}: {info.Length} bytes is too large for an audit or scan result (limit 64 MiB)"));
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            throw new RemediationInputException($"{path}: cannot read the file: {e.Message}", e);
        }
    }

    /// <summary>
    /// JsonDocument checks the structure but decodes string contents only when they are read, and then throws
    /// InvalidOperationException ("Cannot transcode invalid UTF-8"); check every byte first so bad input is an input error
    /// naming the line and byte offset (RFC 8259 section 8.1: JSON text exchanged between systems is UTF-8).
    /// </summary>
    /// <param name="offsetBias">Bytes before <paramref name="utf8"/> in the file (a UTF-8 BOM), so the offset is the file's.</param>
    internal static void ThrowIfInvalidUtf8(ReadOnlySpan<byte> utf8, int offsetBias, string sourceName)
    {
        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return;
        }

        int at = 0;
        while (at < utf8.Length)
        {
            OperationStatus status = Rune.DecodeFromUtf8(utf8[at..], out _, out int consumed);
            if (status != OperationStatus.Done)
            {
                break;
            }

            at += consumed;
        }

        int line = utf8[..at].Count((byte)'\n') + 1;
        long offset = at + Math.Max(0, offsetBias);
        string what = at < utf8.Length ? "0x" + utf8[at].ToString("X2", CultureInfo.InvariantCulture) : "end of file";
        throw new RemediationInputException(string.Create(
            CultureInfo.InvariantCulture,
            $"{sourceName}:{line}: invalid UTF-8 at byte offset {offset} ({what}); expected UTF-8 JSON (the output of 'smbsign audit --format json')"));
    }

    internal static byte[] ToUtf8(ReadOnlySpan<byte> content)
    {
        if (content.Length >= 2 && content[0] == 0xFF && content[1] == 0xFE)
        {
            return Encoding.UTF8.GetBytes(Encoding.Unicode.GetString(content[2..]));
        }

        if (content.Length >= 2 && content[0] == 0xFE && content[1] == 0xFF)
        {
            return Encoding.UTF8.GetBytes(Encoding.BigEndianUnicode.GetString(content[2..]));
        }

        if (content.Length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF)
        {
            return content[3..].ToArray();
        }

        return content.ToArray();
    }

    private static AuditedMachine ReadMachine(JsonElement machine, int index, string sourceName, LineMap lines)
    {
        if (machine.ValueKind != JsonValueKind.Object)
        {
            throw new RemediationInputException(string.Create(CultureInfo.InvariantCulture, $"{sourceName}: machine #{index} is {machine.ValueKind.ToString().ToLowerInvariant()}; expected an object with \"name\" and \"results\""));
        }

        string name = GetString(machine, "name") ?? GetString(machine, "machine") ?? GetString(machine, "host")
            ?? string.Create(CultureInfo.InvariantCulture, $"machine-{index}");
        string? os = GetString(machine, "os") ?? (Get(machine, "os") is { ValueKind: JsonValueKind.Object } osObject ? GetString(osObject, "id") ?? GetString(osObject, "name") : null);
        if (Get(machine, "results") is not { ValueKind: JsonValueKind.Array } results)
        {
            throw new RemediationInputException($"{sourceName}: machine \"{name}\" has no \"results\" list; expected \"results\": [{{\"rule\", \"setting\", \"status\", ...}}]");
        }

        List<AuditResultRow> rows = [];
        foreach (JsonElement result in results.EnumerateArray())
        {
            if (result.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            int line = lines.LineOf(result);
            string statusText = GetString(result, "status") ?? string.Empty;
            if (!TryParseStatus(statusText, out AuditResultStatus status))
            {
                throw new RemediationInputException(string.Create(CultureInfo.InvariantCulture, $"{sourceName}:{line}: status \"{statusText}\" is not one of pass, fail, not-configured, not-applicable, error"));
            }

            AuditRegistryRef? registry = ReadRegistry(Get(result, "registry"));
            TextKind kind = KindOf(registry?.Type);
            rows.Add(new AuditResultRow(
                GetString(result, "rule") ?? GetString(result, "id"),
                GetString(result, "setting") ?? GetString(result, "settingId"),
                status,
                ReadValue(Get(result, "expected"), kind),
                ReadValue(Get(result, "configured"), kind),
                ReadValue(Get(result, "effective"), kind),
                GetString(result, "source") ?? (Get(result, "source") is { ValueKind: JsonValueKind.Object } src ? src.ToString() : null),
                registry,
                line,
                GetString(result, "operator"),
                GetString(result, "stored"),
                Get(result, "effectiveCompliant") is { ValueKind: JsonValueKind.True or JsonValueKind.False } compliant ? compliant.GetBoolean() : null,
                GetString(result, "layer"),
                GetString(result, "level"),
                GetBool(result, "notConfigured") ?? status == AuditResultStatus.NotConfigured,
                GetBool(result, "strictFailure") ?? false,
                GetString(result, "reason")));
        }

        return new AuditedMachine(name, os, [.. rows], GetString(machine, "benchmark"));
    }

    private static AuditRegistryRef? ReadRegistry(JsonElement? element)
    {
        if (element is not { ValueKind: JsonValueKind.Object } r)
        {
            return null;
        }

        string? valueName = GetString(r, "valueName") ?? GetString(r, "name") ?? GetString(r, "value");
        return new AuditRegistryRef(GetString(r, "key") ?? GetString(r, "path"), valueName, GetString(r, "type"));
    }

    /// <summary>How a string value is read, from the result's <c>registry.type</c>.</summary>
    private enum TextKind
    {
        /// <summary>No or an unknown type: tolerant (the old spellings of "absent" mean absent).</summary>
        Unknown,

        /// <summary>REG_DWORD, REG_QWORD: decimal text.</summary>
        Number,

        /// <summary>REG_SZ, REG_EXPAND_SZ: the text as it is.</summary>
        Text,

        /// <summary>REG_MULTI_SZ: items joined with "\n".</summary>
        MultiString,
    }

    private static TextKind KindOf(string? registryType)
    {
        if (registryType is null || !RegistryValueTypeInfo.TryParse(registryType.Trim(), out RegistryValueType type))
        {
            return TextKind.Unknown;
        }

        return type switch
        {
            RegistryValueType.DWord or RegistryValueType.QWord => TextKind.Number,
            RegistryValueType.MultiString => TextKind.MultiString,
            RegistryValueType.String or RegistryValueType.ExpandString => TextKind.Text,
            _ => TextKind.Unknown,
        };
    }

    /// <summary>null for JSON null/absent (and, where the type is not a string type, the old spellings of "absent").</summary>
    private static AuditValue? ReadValue(JsonElement? element, TextKind kind)
    {
        if (element is not { } e)
        {
            return null;
        }

        switch (e.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                string text = e.GetString() ?? string.Empty;
                return kind switch
                {
                    // A string value of a string type is the value: "" is an empty REG_SZ, "absent" a REG_SZ reading "absent".
                    TextKind.Text => AuditValue.Scalar(text),
                    TextKind.MultiString => AuditValue.List(text.Length == 0 ? [] : text.Split('\n')),
                    _ => IsAbsentText(text) ? null : AuditValue.Scalar(text),
                };
            case JsonValueKind.Number:
                return AuditValue.Scalar(e.GetRawText());
            case JsonValueKind.True:
                return AuditValue.Scalar("1");
            case JsonValueKind.False:
                return AuditValue.Scalar("0");
            case JsonValueKind.Array:
                return AuditValue.List(e.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String ? i.GetString() ?? string.Empty : i.GetRawText()));
            default:
                // {"value": ..., "text": ..., "display": ...}
                return ReadValue(Get(e, "value"), kind) ?? ReadValue(Get(e, "data"), kind) ?? ReadValue(Get(e, "text"), kind);
        }
    }

    private static bool IsAbsentText(string text)
    {
        string t = text.Trim().Trim('(', ')').Trim();
        return t.Length == 0
            || t.Equals("absent", StringComparison.OrdinalIgnoreCase)
            || t.Equals("not configured", StringComparison.OrdinalIgnoreCase)
            || t.Equals("not-configured", StringComparison.OrdinalIgnoreCase)
            || t.Equals("null", StringComparison.OrdinalIgnoreCase);
    }

    internal static bool TryParseStatus(string text, out AuditResultStatus status)
    {
        string t = text.Trim().Replace("_", "-", StringComparison.Ordinal).Replace(" ", "-", StringComparison.Ordinal).ToUpperInvariant();
        AuditResultStatus? parsed = t switch
        {
            "PASS" or "PASSED" or "COMPLIANT" => AuditResultStatus.Pass,
            "FAIL" or "FAILED" or "NONCOMPLIANT" or "NON-COMPLIANT" => AuditResultStatus.Fail,
            "NOT-CONFIGURED" or "NOTCONFIGURED" => AuditResultStatus.NotConfigured,
            "NOT-APPLICABLE" or "NOTAPPLICABLE" or "N/A" => AuditResultStatus.NotApplicable,
            "ERROR" => AuditResultStatus.Error,
            _ => null,
        };
        status = parsed ?? AuditResultStatus.Error;
        return parsed is not null;
    }

    internal static JsonElement? Get(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (JsonProperty property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    internal static bool? GetBool(JsonElement obj, string name) => Get(obj, name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    internal static string? GetString(JsonElement obj, string name) => Get(obj, name) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };

    /// <summary>Line numbers of elements: JsonDocument does not keep them, so count newlines up to the element's
    /// position, which <see cref="JsonElement.GetRawText"/> does not expose either; search the raw text instead.</summary>
    private sealed class LineMap(byte[] utf8)
    {
        private int _searchFrom;

        public int LineOf(JsonElement element)
        {
            byte[] raw = Encoding.UTF8.GetBytes(element.GetRawText());
            int at = utf8.AsSpan(_searchFrom).IndexOf(raw.AsSpan(0, Math.Min(raw.Length, 4096)));
            if (at < 0)
            {
                return 0;
            }

            at += _searchFrom;
            _searchFrom = at + 1;
            return utf8.AsSpan(0, at).Count((byte)'\n') + 1;
        }
    }
}
