using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmbSign.Policy.Sources;

/// <summary>A minimal read-only JSON tree that remembers the line of every value (System.Text.Json's DOM does not),
/// so JSON observations get <c>file:line</c> provenance. Built with <see cref="Utf8JsonReader"/>; depth-capped.</summary>
internal sealed class JsonTreeNode
{
    public JsonTreeNode(JsonValueKind kind, int line)
    {
        Kind = kind;
        Line = line;
    }

    public JsonValueKind Kind { get; }

    /// <summary>1-based line of the value's first token.</summary>
    public int Line { get; }

    /// <summary>String value, or the raw text of a number.</summary>
    public string? Text { get; init; }

    public List<KeyValuePair<string, JsonTreeNode>>? Properties { get; init; }

    public List<JsonTreeNode>? Items { get; init; }

    public bool IsObject => Kind == JsonValueKind.Object;

    /// <summary>First property with this name, compared ignoring case (PowerShell emits PascalCase, other tools camelCase).</summary>
    public JsonTreeNode? Get(string name)
    {
        if (Properties is null)
        {
            return null;
        }

        foreach (KeyValuePair<string, JsonTreeNode> p in Properties)
        {
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    /// <summary>The string of a string node, else null.</summary>
    public string? GetString(string name) => Get(name) is { Kind: JsonValueKind.String } n ? n.Text : null;

    /// <summary>Text for messages and normalised values: strings as is, numbers raw, true/false/null, lists joined.</summary>
    public string ToPlainText() => Kind switch
    {
        JsonValueKind.String or JsonValueKind.Number => Text ?? string.Empty,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => string.Join(", ", Items!.Select(i => i.ToPlainText())),
        _ => "{…}",
    };
}

/// <summary>Parses JSON bytes (UTF-8 with or without BOM, or UTF-16 with BOM as Windows PowerShell 5.1 writes)
/// into <see cref="JsonTreeNode"/>s; invalid JSON becomes one diagnostic with the line and column.</summary>
internal static class JsonTree
{
    public const int MaxDepth = 64;

    public static JsonTreeNode? Parse(ReadOnlySpan<byte> content, SourceReadContext context, string invalidCode)
    {
        byte[]? transcoded = null;
        if (content.Length >= 2 && ((content[0] == 0xFF && content[1] == 0xFE) || (content[0] == 0xFE && content[1] == 0xFF)
            || (content.Length >= 4 && content[0] != 0 && content[1] == 0 && content[2] != 0 && content[3] == 0)))
        {
            DecodedText decoded = TextDecoding.Decode(content);
            transcoded = Encoding.UTF8.GetBytes(decoded.Text);
            content = transcoded;
        }
        else if (content.Length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF)
        {
            content = content[3..];
        }

        if (content.Trim((byte)' ').Trim("\r\n\t"u8).IsEmpty)
        {
            context.Report(DiagnosticSeverity.Error, invalidCode, "the file is empty; expected a JSON object or array", context.WholeFile());
            return null;
        }

        Builder builder = new(content);
        Utf8JsonReader reader = new(content, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read())
            {
                context.Report(DiagnosticSeverity.Error, invalidCode, "the file holds no JSON value; expected a JSON object or array", context.WholeFile());
                return null;
            }

            JsonTreeNode root = builder.ReadValue(ref reader);
            if (reader.Read())
            {
                int line = builder.LineOf(reader.TokenStartIndex);
                context.ErrorAtLine(line, invalidCode, "unexpected data after the end of the JSON value; expected the end of the file");
            }

            return root;
        }
        catch (JsonException e)
        {
            int line = (int)(e.LineNumber ?? 0) + 1;
            long column = (e.BytePositionInLine ?? 0) + 1;
            bool atEnd = builder.IsAtEnd(line, column);
            string message = atEnd
                ? "the JSON ends before the value is complete; expected the rest of the object or array (the file may be truncated)"
                : string.Create(CultureInfo.InvariantCulture, $"invalid JSON at column {column}; expected a JSON value, a property name in quotes, ',' or ':', or a closing bracket");
            context.ErrorAtLine(line, invalidCode, message);
            return null;
        }
        catch (InvalidOperationException)
        {
            context.ErrorAtLine(builder.LineOf(reader.TokenStartIndex), invalidCode, "a JSON string holds invalid text; expected UTF-8 or a valid \\u escape");
            return null;
        }
    }

    private ref struct Builder(ReadOnlySpan<byte> content)
    {
        private readonly ReadOnlySpan<byte> _content = content;
        private long _lastIndex;
        private int _line = 1;

        public int LineOf(long index)
        {
            // Token indexes only grow, so count the newlines between the last index and this one.
            if (index < _lastIndex)
            {
                _lastIndex = 0;
                _line = 1;
            }

            long end = Math.Min(index, _content.Length);
            if (end > _lastIndex)
            {
                _line += _content[(int)_lastIndex..(int)end].Count((byte)'\n');
                _lastIndex = end;
            }

            return _line;
        }

        /// <summary>True when (line, column) is at or past the last non-blank byte: the JSON was cut short.</summary>
        public readonly bool IsAtEnd(int line, long column)
        {
            int offset = 0;
            for (int l = 1; l < line; l++)
            {
                int nl = _content[offset..].IndexOf((byte)'\n');
                if (nl < 0)
                {
                    return true;
                }

                offset += nl + 1;
            }

            long absolute = offset + column - 1;
            return absolute >= _content.TrimEnd(" \t\r\n"u8).Length;
        }

        public JsonTreeNode ReadValue(ref Utf8JsonReader reader)
        {
            int line = LineOf(reader.TokenStartIndex);
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    {
                        List<KeyValuePair<string, JsonTreeNode>> properties = [];
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                        {
                            string name = reader.GetString() ?? string.Empty;
                            reader.Read();
                            properties.Add(new(name, ReadValue(ref reader)));
                        }

                        return new JsonTreeNode(JsonValueKind.Object, line) { Properties = properties };
                    }

                case JsonTokenType.StartArray:
                    {
                        List<JsonTreeNode> items = [];
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            items.Add(ReadValue(ref reader));
                        }

                        return new JsonTreeNode(JsonValueKind.Array, line) { Items = items };
                    }

                case JsonTokenType.String:
                    return new JsonTreeNode(JsonValueKind.String, line) { Text = reader.GetString() };
                case JsonTokenType.Number:
                    return new JsonTreeNode(JsonValueKind.Number, line) { Text = Encoding.UTF8.GetString(reader.ValueSpan) };
                case JsonTokenType.True:
                    return new JsonTreeNode(JsonValueKind.True, line);
                case JsonTokenType.False:
                    return new JsonTreeNode(JsonValueKind.False, line);
                default:
                    return new JsonTreeNode(JsonValueKind.Null, line);
            }
        }
    }
}
