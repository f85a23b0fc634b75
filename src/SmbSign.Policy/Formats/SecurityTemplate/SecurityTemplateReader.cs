using System.Globalization;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Formats.SecurityTemplate;

/// <summary>Reads security templates (<c>secedit /export</c> output) and GPO <c>GptTmpl.inf</c> files (MS-GPSB 2.2):
/// UTF-16LE with BOM or ANSI, INI sections. Only <c>[Registry Values]</c> yields observations — lines
/// <c>MACHINE\Key\Path\Value=TYPE,DATA</c> with type 1 REG_SZ, 2 REG_EXPAND_SZ, 3 REG_BINARY, 4 REG_DWORD,
/// 7 REG_MULTI_SZ (comma-separated, <c>7,</c> = empty list; empty items are dropped, quoted items may hold commas)
/// and, leniently, 11 REG_QWORD. Other sections ([System Access], [Privilege Rights], …) are skipped: no SMB
/// signing setting lives there.</summary>
/// <remarks>Codes: INF001 no section at all, INF002 BOM does not match the content, INF010 line without '=',
/// INF011 path not under MACHINE\, INF012 type code missing or not a number, INF013 unsupported type code,
/// INF014 data does not fit the type, INF015 path without a value name.</remarks>
public sealed class SecurityTemplateReader : SourceReader
{
    /// <summary>The section that carries registry values.</summary>
    public const string RegistryValuesSection = "Registry Values";

    /// <inheritdoc/>
    public override SourceFormat Format => SourceFormat.SecurityTemplate;

    /// <inheritdoc/>
    protected internal override void ParseCore(ReadOnlySpan<byte> content, SourceReadContext context)
    {
        DecodedText decoded = TextDecoding.Decode(content);
        if (decoded.Encoding == TextEncodingKind.Utf16LeBomMismatch)
        {
            context.Report(DiagnosticSeverity.Warning, DiagnosticCodes.Inf002, "the file starts with a UTF-16LE byte-order mark (FF FE) but the text after it is 8-bit; expected UTF-16LE text after that BOM (read as 8-bit text)", context.Offset(0));
        }

        LineReader lines = new(decoded.Text.AsSpan());
        bool inRegistryValues = false;
        bool anySection = false;
        while (lines.TryReadLine(out ReadOnlySpan<char> raw))
        {
            ReadOnlySpan<char> line = raw.Trim();
            if (line.IsEmpty || line[0] == ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                anySection = true;
                inRegistryValues = line[1..^1].Trim().Equals(RegistryValuesSection, StringComparison.OrdinalIgnoreCase);
                continue;
            }

            if (inRegistryValues)
            {
                ParseRegistryValue(line, lines.LineNumber, context);
            }
        }

        if (!anySection)
        {
            context.Report(DiagnosticSeverity.Error, DiagnosticCodes.Inf001, "no INI section found; expected a security template with [Unicode], [Version] and [Registry Values] sections", context.WholeFile());
        }
    }

    private static void ParseRegistryValue(ReadOnlySpan<char> line, int lineNumber, SourceReadContext context)
    {
        int equals = line.IndexOf('=');
        if (equals < 0)
        {
            context.ErrorAtLine(lineNumber, DiagnosticCodes.Inf010, "expected MACHINE\\<key>\\<value>=<type>,<data> in [Registry Values]");
            return;
        }

        ReadOnlySpan<char> path = line[..equals].Trim();
        ReadOnlySpan<char> rhs = line[(equals + 1)..].Trim();
        if (!RegistryPaths.TrySplitHive(path, out RegistryHive hive, out string fullKey) || hive != RegistryHive.LocalMachine)
        {
            context.WarningAtLine(lineNumber, DiagnosticCodes.Inf011, $"registry path \"{Shorten(path)}\" does not start with MACHINE\\; skipped");
            return;
        }

        int lastSlash = fullKey.LastIndexOf('\\');
        if (lastSlash <= 0 || lastSlash == fullKey.Length - 1)
        {
            context.ErrorAtLine(lineNumber, DiagnosticCodes.Inf015, $"expected MACHINE\\<key>\\<value name>, found \"{Shorten(path)}\"");
            return;
        }

        int comma = rhs.IndexOf(',');
        ReadOnlySpan<char> typeText = (comma < 0 ? rhs : rhs[..comma]).Trim();
        if (!uint.TryParse(typeText, NumberStyles.None, CultureInfo.InvariantCulture, out uint typeCode))
        {
            context.ErrorAtLine(lineNumber, DiagnosticCodes.Inf012, $"expected a registry type code (1, 2, 3, 4 or 7) and a comma after '=', found \"{Shorten(rhs)}\"");
            return;
        }

        ReadOnlySpan<char> data = comma < 0 ? [] : rhs[(comma + 1)..].Trim();
        RegistryIdentity identity = new(fullKey[..lastSlash], fullKey[(lastSlash + 1)..]);
        RegistryValue? value = (RegistryValueType)typeCode switch
        {
            RegistryValueType.String => RegistryValue.FromString(Unquote(data).ToString()),
            RegistryValueType.ExpandString => RegistryValue.FromString(Unquote(data).ToString(), expand: true),
            RegistryValueType.MultiString => RegistryValue.FromMultiString(SplitList(data)),
            RegistryValueType.DWord => ParseDWord(data, lineNumber, context),
            RegistryValueType.QWord => ParseQWord(data, lineNumber, context),
            RegistryValueType.Binary => ParseBinary(data, lineNumber, context),
            _ => Unsupported(typeCode, lineNumber, context),
        };
        if (value is not null)
        {
            context.Add(Observation.ForValue(RegistryHive.LocalMachine, identity, value, context.Line(lineNumber)));
        }
    }

    private static RegistryValue? Unsupported(uint typeCode, int lineNumber, SourceReadContext context)
    {
        context.ErrorAtLine(lineNumber, DiagnosticCodes.Inf013, string.Create(CultureInfo.InvariantCulture, $"unsupported registry type code {typeCode}; expected 1 (REG_SZ), 2 (REG_EXPAND_SZ), 3 (REG_BINARY), 4 (REG_DWORD) or 7 (REG_MULTI_SZ)"));
        return null;
    }

    private static RegistryValue? ParseDWord(ReadOnlySpan<char> data, int lineNumber, SourceReadContext context)
    {
        data = Unquote(data);
        if (TryParseInteger(data, out long n) && n >= int.MinValue && n <= uint.MaxValue)
        {
            return RegistryValue.FromDWord(unchecked((uint)n));
        }

        context.ErrorAtLine(lineNumber, DiagnosticCodes.Inf014, $"REG_DWORD data \"{Shorten(data)}\" is not a 32-bit number; expected decimal digits");
        return null;
    }

    private static RegistryValue? ParseQWord(ReadOnlySpan<char> data, int lineNumber, SourceReadContext context)
    {
        data = Unquote(data);
        if (TryParseInteger(data, out long n))
        {
            return RegistryValue.FromQWord(unchecked((ulong)n));
        }

        if (ulong.TryParse(data, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u))
        {
            return RegistryValue.FromQWord(u);
        }

        context.ErrorAtLine(lineNumber, DiagnosticCodes.Inf014, $"REG_QWORD data \"{Shorten(data)}\" is not a number; expected decimal digits");
        return null;
    }

    private static bool TryParseInteger(ReadOnlySpan<char> text, out long value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            bool ok = ulong.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong hex) && hex <= uint.MaxValue;
            value = (long)hex;
            return ok;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>REG_BINARY: comma-separated hexadecimal bytes ("1" = 01), or one run of hex digit pairs.</summary>
    private static RegistryValue? ParseBinary(ReadOnlySpan<char> data, int lineNumber, SourceReadContext context)
    {
        data = Unquote(data);
        if (data.IsEmpty)
        {
            return RegistryValue.FromBytes([]);
        }

        if (!data.Contains(',') && data.Length > 2)
        {
            if (data.Length % 2 == 0 && !data.ContainsAnyExcept(_hexDigits))
            {
                return RegistryValue.FromBytes(Convert.FromHexString(data));
            }
        }
        else
        {
            List<byte> bytes = [];
            bool ok = true;
            foreach (Range r in data.Split(','))
            {
                ReadOnlySpan<char> token = data[r].Trim();
                if (token.Length is < 1 or > 2 || !byte.TryParse(token, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                {
                    ok = false;
                    break;
                }

                bytes.Add(b);
            }

            if (ok)
            {
                return RegistryValue.FromBytes(bytes.ToArray());
            }
        }

        context.ErrorAtLine(lineNumber, DiagnosticCodes.Inf014, $"REG_BINARY data \"{Shorten(data)}\" is not hexadecimal bytes; expected e.g. 1 or 01,00");
        return null;
    }

    private static readonly System.Buffers.SearchValues<char> _hexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Splits a REG_MULTI_SZ list on commas outside double quotes; drops empty items.</summary>
    private static List<string> SplitList(ReadOnlySpan<char> data)
    {
        List<string> items = [];
        int start = 0;
        bool quoted = false;
        for (int i = 0; i <= data.Length; i++)
        {
            if (i < data.Length && data[i] == '"')
            {
                quoted = !quoted;
            }
            else if (i == data.Length || (data[i] == ',' && !quoted))
            {
                ReadOnlySpan<char> item = Unquote(data[start..i].Trim());
                if (!item.IsEmpty)
                {
                    items.Add(item.ToString());
                }

                start = i + 1;
            }
        }

        return items;
    }

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        return text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1] : text;
    }

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 60 ? text.ToString() : string.Concat(text[..57], "...");
}
