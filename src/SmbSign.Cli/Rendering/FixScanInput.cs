using System.Globalization;
using System.Text;
using System.Text.Json;
using SmbSign.Policy.Remediation;
using SmbSign.Protocol.Errors;

namespace SmbSign.Cli.Rendering;

/// <summary>
/// Reads <c>smbsign scan --format json|jsonl</c> output into <see cref="ScannedServer"/> records (the join between Wire
/// and Policy happens here, through plain data). Accepts a JSON array of per-target objects, an object holding such an
/// array (<c>results</c>, <c>targets</c>, <c>servers</c>, <c>value</c>), or JSON lines. Per target: <c>target</c>,
/// <c>port</c>, <c>reachable</c>, <c>smb1.enabled</c>/<c>smb1.signing</c>, <c>smb2.enabled</c>/<c>smb2.dialect</c>/
/// <c>smb2.dialects</c>/<c>smb2.signing</c>, <c>error</c> (object or string), and optionally <c>guestOnly</c> (also
/// under <c>smb2</c> or <c>session</c>). Unknown fields are ignored.
/// </summary>
internal static class FixScanInput
{
    public static IReadOnlyList<ScannedServer> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            throw new CliException($"--scan {path}: cannot read the file: {e.Message}");
        }

        return Parse(bytes, path);
    }

    public static IReadOnlyList<ScannedServer> Parse(byte[] content, string source)
    {
        string text = Decode(content);
        string trimmed = text.TrimStart();
        if (trimmed.Length == 0)
        {
            throw new CliException($"--scan {source}: the file is empty; expected the output of 'smbsign scan --format json'");
        }

        if (trimmed[0] == '[' || (trimmed[0] == '{' && !LooksLikeJsonLines(text)))
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                return FromRoot(document.RootElement, source);
            }
            catch (JsonException e)
            {
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--scan {source}:{(e.LineNumber ?? 0) + 1}: not valid JSON; expected the output of 'smbsign scan --format json' (an array) or --format jsonl"));
            }
        }

        List<ScannedServer> servers = [];
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(line);
                servers.Add(FromRow(document.RootElement, source, i + 1));
            }
            catch (JsonException)
            {
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--scan {source}:{i + 1}: not a JSON object; expected one scan result per line (smbsign scan --format jsonl)"));
            }
        }

        return servers;
    }

    private static bool LooksLikeJsonLines(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 1 && lines.All(l => l.StartsWith('{') && l.EndsWith('}'));
    }

    private static List<ScannedServer> FromRoot(JsonElement root, string source)
    {
        JsonElement list = root;
        if (root.ValueKind == JsonValueKind.Object)
        {
            JsonElement? found = null;
            foreach (string name in new[] { "results", "targets", "servers", "value" })
            {
                if (Get(root, name) is { ValueKind: JsonValueKind.Array } array)
                {
                    found = array;
                    break;
                }
            }

            if (found is null)
            {
                return Get(root, "target") is not null
                    ? [FromRow(root, source, 1)]
                    : throw new CliException($"--scan {source}: no results array; expected the output of 'smbsign scan --format json'");
            }

            list = found.Value;
        }

        List<ScannedServer> servers = [];
        int index = 0;
        foreach (JsonElement row in list.EnumerateArray())
        {
            servers.Add(FromRow(row, source, ++index));
        }

        return servers;
    }

    private static ScannedServer FromRow(JsonElement row, string source, int index)
    {
        if (row.ValueKind != JsonValueKind.Object || GetString(row, "target") is not { Length: > 0 } target)
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--scan {source}: result #{index} has no \"target\"; expected scan results with target, reachable, smb1, smb2"));
        }

        JsonElement? smb1 = Get(row, "smb1");
        JsonElement? smb2 = Get(row, "smb2");
        int port = Get(row, "port") is { ValueKind: JsonValueKind.Number } p && p.TryGetInt32(out int n) ? n : 445;
        string? dialect = smb2 is { } s2 ? GetString(s2, "dialect") ?? HighestDialect(s2) : null;
        string? error = Get(row, "error") switch
        {
            { ValueKind: JsonValueKind.String } e => e.GetString(),
            { ValueKind: JsonValueKind.Object } e => string.Join(": ", new[] { GetString(e, "kind"), GetString(e, "message") }.Where(x => x is not null)),
            _ => null,
        };
        bool? guest = Bool(row, "guestOnly") ?? Bool(row, "guest")
            ?? (smb2 is { } g2 ? Bool(g2, "guestOnly") : null)
            ?? (Get(row, "session") is { ValueKind: JsonValueKind.Object } session ? Bool(session, "guestOnly") ?? Bool(session, "guest") : null);
        return new ScannedServer(
            target,
            port,
            Bool(row, "reachable") ?? true,
            smb1 is { } a ? Bool(a, "enabled") : null,
            smb1 is { } b ? GetString(b, "signing") : null,
            smb2 is { } c ? Bool(c, "enabled") : null,
            smb2 is { } d ? GetString(d, "signing") : null,
            dialect,
            guest,
            error);
    }

    private static string? HighestDialect(JsonElement smb2) =>
        Get(smb2, "dialects") is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.String).Select(d => d.GetString()).LastOrDefault()
            : null;

    private static string Decode(byte[] content)
    {
        if (content.Length >= 2 && content[0] == 0xFF && content[1] == 0xFE)
        {
            return Encoding.Unicode.GetString(content, 2, content.Length - 2);
        }

        int start = content.Length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF ? 3 : 0;
        return Encoding.UTF8.GetString(content, start, content.Length - start);
    }

    private static JsonElement? Get(JsonElement obj, string name)
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

    private static string? GetString(JsonElement obj, string name) => Get(obj, name) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    private static bool? Bool(JsonElement obj, string name) => Get(obj, name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };
}
