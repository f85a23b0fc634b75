using System.Globalization;
using System.Text;
using System.Text.Json;
using SmbSign.Policy.Remediation;
using SmbSign.Protocol.Errors;

namespace SmbSign.Cli.Rendering;

/// <summary>
/// Reads <c>smbsign scan --format json|jsonl</c> output into <see cref="ScannedServer"/> records (the join between Wire
/// and Policy happens here, through plain data). The document is what the scan writers write and nothing else: a JSON
/// array of <see cref="ScanRow"/> (<c>--format json</c>) or one <see cref="ScanRow"/> per line (<c>--format jsonl</c>),
/// deserialized with the writers' own <see cref="ScanJsonContext"/>, so an unknown field, a missing one or a value of the
/// wrong type is refused with the file, line and byte (docs/schemas/scan.schema.json). Then the content is checked (the
/// signing and error-kind tokens, the port). Every refusal is one line (exit 2).
/// </summary>
internal static class FixScanInput
{
    /// <summary>Larger scan files are refused before they are read (a /16 scan in jsonl is about 60 MiB).</summary>
    private const long MaxBytes = 256L * 1024 * 1024;

    private const string Expectation = "expected the output of 'smbsign scan --format json' or --format jsonl";

    public static IReadOnlyList<ScannedServer> Read(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxBytes)
            {
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--scan {path}: {info.Length} bytes is too large for a scan result (limit 256 MiB)"));
            }

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
        ArgumentNullException.ThrowIfNull(content);
        byte[] utf8 = ToUtf8(content, source);
        int first = 0;
        while (first < utf8.Length && utf8[first] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            first++;
        }

        if (first == utf8.Length)
        {
            throw new CliException($"--scan {source}: the file is empty; {Expectation}");
        }

        return utf8[first] switch
        {
            (byte)'[' => ParseArray(utf8, source),
            (byte)'{' => ParseLines(utf8, source),
            _ => throw new CliException($"--scan {source}:{LineAt(utf8, first)}: not valid JSON (byte {first + 1}); {Expectation}"),
        };
    }

    private static List<ScannedServer> ParseArray(byte[] utf8, string source)
    {
        CheckSyntax(utf8, source, 0);
        ScanRow[] rows;
        try
        {
            rows = JsonSerializer.Deserialize(utf8, ScanJsonContext.Default.ScanRowArray) ?? [];
        }
        catch (JsonException e)
        {
            throw Refused(e, source, 0);
        }

        List<long> offsets = ElementOffsets(utf8);
        List<ScannedServer> servers = new(rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            servers.Add(FromRow(rows[i], source, i < offsets.Count ? LineAt(utf8, offsets[i]) : 0));
        }

        return servers;
    }

    private static List<ScannedServer> ParseLines(byte[] utf8, string source)
    {
        List<ScannedServer> servers = [];
        int line = 0;
        int start = 0;
        while (start < utf8.Length)
        {
            int end = utf8.AsSpan(start).IndexOf((byte)'\n');
            end = end < 0 ? utf8.Length : start + end;
            line++;
            ReadOnlySpan<byte> text = utf8.AsSpan(start, end - start).Trim(" \t\r"u8);
            start = end + 1;
            if (text.IsEmpty)
            {
                continue;
            }

            CheckSyntax(text, source, line - 1);
            ScanRow row;
            try
            {
                row = JsonSerializer.Deserialize(text, ScanJsonLineContext.Default.ScanRow)
                    ?? throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--scan {source}:{line}: null; {Expectation}"));
            }
            catch (JsonException e)
            {
                throw Refused(e, source, line - 1);
            }

            servers.Add(FromRow(row, source, line));
        }

        return servers;
    }

    /// <summary>Syntax first, so a syntax error is reported as such and not as a shape error.</summary>
    private static void CheckSyntax(ReadOnlySpan<byte> utf8, string source, int lineBias)
    {
        Utf8JsonReader reader = new(utf8, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw new CliException(string.Create(
                CultureInfo.InvariantCulture,
                $"--scan {source}:{(e.LineNumber ?? 0) + 1 + lineBias}: not valid JSON (byte {(e.BytePositionInLine ?? 0) + 1} of the line); {Expectation}"));
        }
    }

    /// <summary>One line: where, what is wrong in the document's terms (System.Text.Json's message names .NET types), and
    /// what was expected. <paramref name="lineBias"/> is the line the parsed text starts on (JSON lines).</summary>
    private static CliException Refused(JsonException e, string source, int lineBias)
    {
        string path = e.Path is { Length: > 0 } p ? " at " + p : string.Empty;
        string message = e.Message;
        string what;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            int open = message.IndexOf('\'');
            int close = open < 0 ? -1 : message.IndexOf('\'', open + 1);
            what = "unknown field" + (close < 0 ? string.Empty : " \"" + message[(open + 1)..close] + "\"") + path;
        }
        else if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            int at = message.IndexOf("including:", StringComparison.Ordinal);
            what = "missing field" + (at < 0 ? string.Empty : " " + message[(at + "including:".Length)..].Trim().TrimEnd('.').Replace('\'', '"')) + path;
        }
        else if (message.Contains("doesn't allow", StringComparison.Ordinal))
        {
            what = "null where a value is required" + path;
        }
        else
        {
            what = "a value of the wrong type" + path;
        }

        return new CliException(string.Create(
            CultureInfo.InvariantCulture,
            $"--scan {source}:{(e.LineNumber ?? 0) + 1 + lineBias}: {what} (byte {(e.BytePositionInLine ?? 0) + 1} of the line); {Expectation} (docs/schemas/scan.schema.json)"));
    }

    private static ScannedServer FromRow(ScanRow row, string source, int line)
    {
        string where = string.Create(CultureInfo.InvariantCulture, $"--scan {source}:{line}");
        if (row.Target.Length == 0)
        {
            throw new CliException($"{where}: \"target\" is empty; expected the scanned host");
        }

        if (row.Port is < 1 or > 65535)
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{where}: port {row.Port} is not 1-65535"));
        }

        if (row.GeneratedAt is null || row.ToolVersion is null)
        {
            throw new CliException($"{where}: missing field \"{(row.GeneratedAt is null ? "generatedAt" : "toolVersion")}\"; {Expectation}");
        }

        CheckSigning(row.Smb1.Signing, "smb1.signing", where);
        CheckSigning(row.Smb2.Signing, "smb2.signing", where);
        if (row.Error is { } error && !ErrorKinds.Contains(error.Kind))
        {
            throw new CliException($"{where}: error.kind \"{error.Kind}\" is not one of {string.Join(", ", ErrorKinds)}");
        }

        return new ScannedServer(
            row.Target,
            row.Port,
            row.Reachable,
            row.Smb1.Enabled,
            row.Smb1.Signing,
            row.Smb2.Enabled,
            row.Smb2.Signing,
            row.Smb2.Dialect ?? (row.Smb2.Dialects is { Count: > 0 } dialects ? dialects[^1] : null),
            null,
            row.Error is { } e ? e.Kind + ": " + e.Message : null);
    }

    /// <summary>Every token <see cref="ScanRow.ErrorKind"/> writes.</summary>
    private static readonly string[] ErrorKinds =
        [.. Enum.GetValues<SmbSign.Wire.Scanning.ProbeErrorKind>().Select(ScanRow.ErrorKind).Distinct(StringComparer.Ordinal)];

    private static void CheckSigning(string? signing, string field, string where)
    {
        if (signing is not (null or "required" or "enabled" or "disabled"))
        {
            throw new CliException($"{where}: {field} \"{signing}\" is not one of required, enabled, disabled (or null)");
        }
    }

    /// <summary>Byte offsets of the top-level array's objects, so a content error names its line.</summary>
    private static List<long> ElementOffsets(byte[] utf8)
    {
        List<long> offsets = [];
        Utf8JsonReader reader = new(utf8, new JsonReaderOptions { MaxDepth = 16 });
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == 1)
            {
                offsets.Add(reader.TokenStartIndex);
            }
        }

        return offsets;
    }

    private static int LineAt(byte[] utf8, long offset) => utf8.AsSpan(0, (int)Math.Min(offset, utf8.Length)).Count((byte)'\n') + 1;

    /// <summary>UTF-8 without its BOM (or UTF-16LE with a BOM, as PowerShell's Out-File writes); invalid UTF-8 is refused.</summary>
    private static byte[] ToUtf8(byte[] content, string source)
    {
        if (content.Length >= 2 && content[0] == 0xFF && content[1] == 0xFE)
        {
            return Encoding.UTF8.GetBytes(Encoding.Unicode.GetString(content, 2, content.Length - 2));
        }

        int start = content.Length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF ? 3 : 0;
        byte[] utf8 = content[start..];
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new CliException($"--scan {source}: not valid UTF-8; {Expectation}");
        }

        return utf8;
    }
}
