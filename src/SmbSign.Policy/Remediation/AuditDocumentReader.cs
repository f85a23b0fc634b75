using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SmbSign.Policy.Sources;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Remediation;

/// <summary>
/// Reads the JSON of <c>smbsign audit --format json</c>:
/// <c>{"benchmark", "machines": [{"name", "os", "results": [{"rule", "setting", "status", "expected", "configured",
/// "effective", "source", "reason", "notConfigured", "strictFailure", "registry": {"key", "valueName", "type"}}]}], "summary"}</c>.
/// A not-configured setting is <c>fail</c> (reason <c>not-configured</c>) when the OS default does not comply and <c>pass</c>
/// (reason <c>default</c>, <c>notConfigured</c> true) when it does; <c>strictFailure</c> marks the passes <c>--strict</c> adds.
/// The older status <c>not-configured</c> is still read. In that shape <c>expected</c>,
/// <c>configured</c> and <c>effective</c> are each a JSON string or null (absent): a REG_DWORD/REG_QWORD as decimal text,
/// a REG_SZ as it is (an empty string is an empty value, not absent), a REG_MULTI_SZ as its items joined with "\n"; the
/// value is parsed by <c>registry.type</c>. Tolerant of older and hand-written files: a single machine with
/// <c>results</c> at the top, a bare array of machines, camelCase or PascalCase names, values as numbers, booleans, lists
/// or <c>{"value": ...}</c> objects, unknown fields ignored. Bad JSON, invalid UTF-8 or a missing <c>results</c> list
/// throws <see cref="RemediationInputException"/> naming the file and line (and the byte offset for bad bytes).
/// </summary>
public static class AuditDocumentReader
{
    private const int MaxDepth = 64;

    /// <summary>Parses UTF-8 (BOM optional) or UTF-16 (BOM) JSON.</summary>
    public static AuditDocument Parse(ReadOnlySpan<byte> content, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        byte[] utf8 = ToUtf8(content);
        ThrowIfInvalidUtf8(utf8, content.Length - utf8.Length, sourceName);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new RemediationInputException(string.Create(
                CultureInfo.InvariantCulture,
                $"{sourceName}:{(e.LineNumber ?? 0) + 1}: not valid JSON (byte {(e.BytePositionInLine ?? 0) + 1} of the line); expected the output of 'smbsign audit --format json'"));
        }

        using (document)
        {
            LineMap lines = new(utf8);
            JsonElement root = document.RootElement;
            string? benchmark = null;
            List<AuditedMachine> machines = [];
            if (root.ValueKind == JsonValueKind.Array)
            {
                int index = 0;
                foreach (JsonElement machine in root.EnumerateArray())
                {
                    machines.Add(ReadMachine(machine, ++index, sourceName, lines));
                }
            }
            else if (root.ValueKind == JsonValueKind.Object)
            {
                benchmark = GetString(root, "benchmark") ?? GetString(root, "baseline") ?? GetString(root, "rulePack");
                if (Get(root, "machines") is { ValueKind: JsonValueKind.Array } list)
                {
                    int index = 0;
                    foreach (JsonElement machine in list.EnumerateArray())
                    {
                        machines.Add(ReadMachine(machine, ++index, sourceName, lines));
                    }
                }
                else if (Get(root, "results") is { ValueKind: JsonValueKind.Array })
                {
                    machines.Add(ReadMachine(root, 1, sourceName, lines));
                }
                else
                {
                    throw new RemediationInputException($"{sourceName}:1: no \"machines\" or \"results\" list; expected the output of 'smbsign audit --format json'");
                }
            }
            else
            {
                throw new RemediationInputException($"{sourceName}:1: expected a JSON object with \"machines\" (the output of 'smbsign audit --format json'), found {root.ValueKind.ToString().ToLowerInvariant()}");
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
