using System.Buffers;
using System.Globalization;
using System.Text;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Formats.Reg;

/// <summary>Reads regedit exports: "Windows Registry Editor Version 5.00" (UTF-16LE with BOM) and "REGEDIT4"
/// (ANSI/UTF-8). Supports <c>[KEY]</c>, <c>[-KEY]</c>, <c>"Name"=…</c>, <c>@=…</c>, <c>"Name"=-</c>, quoted strings
/// with <c>\\</c> and <c>\"</c>, <c>dword:</c>, <c>hex:</c>, <c>hex(N):</c> (0 none, 1 sz, 2 expand-sz, 4 dword LE,
/// 5 dword BE, 7 multi-sz, b qword, any other code kept as bytes), <c>\</c> continuations and <c>;</c> comments.
/// Provenance is the line where a value starts.</summary>
/// <remarks>Diagnostic codes: REG001 header missing, REG002 encoding does not match the header, REG003 BOM does
/// not match the content, REG004 empty file, REG010 key line without ']', REG011 unknown hive, REG012 value under a
/// deleted key, REG020 unrecognised line, REG021 value before any key, REG022 bad value name, REG023 '=' missing,
/// REG030 unknown data type, REG031 bad dword, REG032 bad hex byte, REG033 unterminated string, REG034 text after
/// the data, REG035 integer data of the wrong size, REG041 broken continuation.</remarks>
public sealed class RegFileReader : SourceReader
{
    /// <summary>Header of UTF-16LE exports.</summary>
    public const string Version5Header = "Windows Registry Editor Version 5.00";

    /// <summary>Header of ANSI exports (<c>regedit /a</c>).</summary>
    public const string Regedit4Header = "REGEDIT4";

    /// <inheritdoc/>
    public override SourceFormat Format => SourceFormat.Reg;

    /// <inheritdoc/>
    protected internal override void ParseCore(ReadOnlySpan<byte> content, SourceReadContext context)
    {
        DecodedText decoded = TextDecoding.Decode(content);
        if (decoded.Encoding == TextEncodingKind.Utf16LeBomMismatch)
        {
            context.Report(
                DiagnosticSeverity.Warning,
                DiagnosticCodes.Reg003,
                "the file starts with a UTF-16LE byte-order mark (FF FE) but the text after it is 8-bit; expected UTF-16LE text after that BOM (the BOM was ignored and the text read as " + (content.Length > 2 && System.Text.Unicode.Utf8.IsValid(content[2..]) ? "UTF-8)" : "ANSI)"),
                context.Offset(0));
        }

        Parser parser = new(context, decoded);
        parser.Run();
    }

    private ref struct Parser
    {
        private readonly SourceReadContext _context;
        private readonly DecodedText _decoded;
        private LineReader _lines;
        private Encoding _stringEncoding;
        private RegistryHive _hive;
        private string? _key;
        private bool _keyUsable;
        private bool _keyDeleted;
        private bool _anyKey;
        private byte[]? _scratch;

        public Parser(SourceReadContext context, DecodedText decoded)
        {
            _context = context;
            _decoded = decoded;
            _lines = new LineReader(decoded.Text.AsSpan());
            _stringEncoding = Encoding.Unicode;
        }

        public void Run()
        {
            try
            {
                if (!ReadHeader())
                {
                    return;
                }

                while (_lines.TryReadLine(out ReadOnlySpan<char> raw))
                {
                    int lineNumber = _lines.LineNumber;
                    ReadOnlySpan<char> line = raw.Trim();
                    if (line.IsEmpty || line[0] == ';')
                    {
                        continue;
                    }

                    if (line[0] == '[')
                    {
                        ParseKey(line, lineNumber);
                    }
                    else if (line[0] is '"' or '@')
                    {
                        ParseValue(line, lineNumber);
                    }
                    else
                    {
                        _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg020, "unrecognised line; expected a key [HKEY_…], a value \"Name\"=… or @=…, or a ; comment");
                    }
                }
            }
            finally
            {
                if (_scratch is not null)
                {
                    ArrayPool<byte>.Shared.Return(_scratch);
                }
            }
        }

        private bool ReadHeader()
        {
            while (_lines.TryReadLine(out ReadOnlySpan<char> raw))
            {
                ReadOnlySpan<char> line = raw.Trim();
                if (line.IsEmpty)
                {
                    continue;
                }

                int lineNumber = _lines.LineNumber;
                if (line.Equals(Version5Header, StringComparison.OrdinalIgnoreCase))
                {
                    if (_decoded.Encoding is not (TextEncodingKind.Utf16LeBom or TextEncodingKind.Utf16LeBomMismatch))
                    {
                        _context.WarningAtLine(lineNumber, DiagnosticCodes.Reg002, $"a \"{Version5Header}\" file is UTF-16LE with BOM (FF FE) as regedit writes it, but this one is {_decoded.Describe()}; read it anyway");
                    }

                    _stringEncoding = Encoding.Unicode;
                    return true;
                }

                if (line.Equals(Regedit4Header, StringComparison.OrdinalIgnoreCase))
                {
                    if (_decoded.IsUtf16)
                    {
                        _context.WarningAtLine(lineNumber, DiagnosticCodes.Reg002, $"a REGEDIT4 file is 8-bit ANSI text, but this one is {_decoded.Describe()}; read it anyway");
                    }

                    _stringEncoding = TextDecoding.Ansi;
                    return true;
                }

                _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg001, $"expected the header \"{Version5Header}\" or \"{Regedit4Header}\" on the first line, found \"{Shorten(line)}\"");
                return false;
            }

            _context.Report(DiagnosticSeverity.Error, DiagnosticCodes.Reg004, $"the file is empty; expected the header \"{Version5Header}\" or \"{Regedit4Header}\"", _context.WholeFile());
            return false;
        }

        private void ParseKey(ReadOnlySpan<char> line, int lineNumber)
        {
            _anyKey = true;
            _keyUsable = false;
            int close = line.LastIndexOf(']');
            if (close < 0)
            {
                _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg010, "key line has no closing ']'; expected [HKEY_LOCAL_MACHINE\\…]");
                return;
            }

            if (!line[(close + 1)..].Trim().IsEmpty && line[(close + 1)..].Trim()[0] != ';')
            {
                _context.WarningAtLine(lineNumber, DiagnosticCodes.Reg034, "text after the closing ']' of the key was ignored");
            }

            ReadOnlySpan<char> path = line[1..close];
            bool delete = !path.IsEmpty && path[0] == '-';
            if (delete)
            {
                path = path[1..];
            }

            if (!RegistryPaths.TrySplitHive(path, out RegistryHive hive, out string keyPath))
            {
                _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg011, $"unknown registry hive in [{Shorten(path)}]; expected HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, HKEY_USERS, HKEY_CLASSES_ROOT or HKEY_CURRENT_CONFIG");
                return;
            }

            _hive = hive;
            _key = keyPath;
            _keyUsable = true;
            _keyDeleted = delete;
            if (delete)
            {
                _context.Add(Observation.ForMarker(ObservationKind.KeyDeleted, hive, new RegistryIdentity(keyPath, string.Empty), _context.Line(lineNumber)));
            }
        }

        private void ParseValue(ReadOnlySpan<char> line, int lineNumber)
        {
            string name;
            int pos;
            if (line[0] == '@')
            {
                name = string.Empty;
                pos = 1;
            }
            else if (!TryReadQuoted(line, 0, out name, out pos))
            {
                _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg022, "value name has no closing quote; expected \"Name\"=data");
                SkipContinuation(line);
                return;
            }

            ReadOnlySpan<char> rest = line[pos..].TrimStart();
            if (rest.IsEmpty || rest[0] != '=')
            {
                _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg023, $"expected '=' after the value name \"{Shorten(name)}\"");
                SkipContinuation(line);
                return;
            }

            ReadOnlySpan<char> data = rest[1..].TrimStart();
            if (!_anyKey || !_keyUsable)
            {
                if (!_anyKey)
                {
                    _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg021, "value appears before any [key] line; expected a key first");
                }

                SkipContinuation(data);
                return;
            }

            if (_keyDeleted)
            {
                _context.WarningAtLine(lineNumber, DiagnosticCodes.Reg012, $"value \"{Shorten(name)}\" follows a [-key] deletion and was ignored");
                SkipContinuation(data);
                return;
            }

            RegistryIdentity identity = new(_key!, name);
            SourceLocation location = _context.Line(lineNumber);
            if (data.Length >= 1 && data[0] == '-' && IsEndOrComment(data[1..]))
            {
                _context.Add(Observation.ForMarker(ObservationKind.ValueDeleted, _hive, identity, location));
                return;
            }

            if (data.Length >= 1 && data[0] == '"')
            {
                if (!TryReadQuoted(data, 0, out string text, out int end))
                {
                    _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg033, $"string data of \"{Shorten(name)}\" has no closing quote");
                    return;
                }

                CheckTrailing(data[end..], lineNumber);
                _context.Add(Observation.ForValue(_hive, identity, RegistryValue.FromString(text), location));
                return;
            }

            if (data.StartsWith("dword:", StringComparison.OrdinalIgnoreCase))
            {
                ReadOnlySpan<char> digits = data[6..];
                int n = 0;
                while (n < digits.Length && char.IsAsciiHexDigit(digits[n]))
                {
                    n++;
                }

                if (n == 0 || n > 8 || !uint.TryParse(digits[..n], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint dword))
                {
                    _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg031, $"expected 1 to 8 hexadecimal digits after dword: for \"{Shorten(name)}\", found \"{Shorten(digits)}\"");
                    return;
                }

                CheckTrailing(digits[n..], lineNumber);
                _context.Add(Observation.ForValue(_hive, identity, RegistryValue.FromDWord(dword), location));
                return;
            }

            if (data.StartsWith("hex", StringComparison.OrdinalIgnoreCase))
            {
                ParseHexValue(data, identity, name, lineNumber);
                return;
            }

            _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg030, $"unknown data for \"{Shorten(name)}\": \"{Shorten(data)}\"; expected \"string\", dword:, hex:, hex(N): or -");
            SkipContinuation(data);
        }

        private void ParseHexValue(ReadOnlySpan<char> data, RegistryIdentity identity, string name, int lineNumber)
        {
            RegistryValueType type = RegistryValueType.Binary;
            ReadOnlySpan<char> rest = data[3..];
            if (!rest.IsEmpty && rest[0] == '(')
            {
                int close = rest.IndexOf(')');
                if (close < 2 || close > 9 || !uint.TryParse(rest[1..close], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint code))
                {
                    _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg030, $"expected hex(N): with N a hexadecimal type code for \"{Shorten(name)}\", found \"{Shorten(data)}\"");
                    SkipContinuation(data);
                    return;
                }

                type = (RegistryValueType)code;
                rest = rest[(close + 1)..];
            }

            if (rest.IsEmpty || rest[0] != ':')
            {
                _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg030, $"expected ':' after hex or hex(N) for \"{Shorten(name)}\"");
                SkipContinuation(data);
                return;
            }

            _scratch ??= ArrayPool<byte>.Shared.Rent(256);
            int count = 0;
            ReadOnlySpan<char> segment = rest[1..];
            int segmentLine = lineNumber;
            while (true)
            {
                segment = segment.TrimEnd();
                bool continues = segment.EndsWith('\\');
                if (continues)
                {
                    segment = segment[..^1];
                }

                if (!AppendHexBytes(segment, ref count, segmentLine, name, continues))
                {
                    if (continues)
                    {
                        SkipContinuationLines();
                    }

                    return;
                }

                if (!continues)
                {
                    break;
                }

                (int, int) mark = _lines.Mark;
                if (!_lines.TryReadLine(out ReadOnlySpan<char> next))
                {
                    _context.ErrorAtLine(segmentLine, DiagnosticCodes.Reg041, $"line ends with '\\' (continuation) but the file ends; expected more hex bytes of \"{Shorten(name)}\"");
                    return;
                }

                ReadOnlySpan<char> trimmed = next.Trim();
                if (trimmed.IsEmpty || trimmed[0] is '[' or '"' or '@' or ';' || !char.IsAsciiHexDigit(trimmed[0]))
                {
                    _context.ErrorAtLine(_lines.LineNumber, DiagnosticCodes.Reg041, $"line {segmentLine} ends with '\\' (continuation) but line {_lines.LineNumber} does not continue the hex bytes of \"{Shorten(name)}\"; the value was not read");
                    _lines.Reset(mark);
                    return;
                }

                segment = trimmed;
                segmentLine = _lines.LineNumber;
            }

            ReadOnlySpan<byte> bytes = _scratch.AsSpan(0, count);
            RegistryValue value = type switch
            {
                RegistryValueType.String or RegistryValueType.ExpandString or RegistryValueType.MultiString =>
                    RegistryValue.FromRaw(type, bytes, _stringEncoding, out _),
                _ => RegistryValue.FromRaw(type, bytes, out string? problem) is var v && problem is not null
                    ? Warn(v, problem, lineNumber, name)
                    : v,
            };
            _context.Add(Observation.ForValue(_hive, identity, value, _context.Line(lineNumber)));
        }

        private readonly RegistryValue Warn(RegistryValue value, string problem, int lineNumber, string name)
        {
            _context.WarningAtLine(lineNumber, DiagnosticCodes.Reg035, $"\"{Shorten(name)}\": {problem}; kept as bytes");
            return value;
        }

        private bool AppendHexBytes(ReadOnlySpan<char> segment, ref int count, int lineNumber, string name, bool continues)
        {
            int start = 0;
            while (start <= segment.Length)
            {
                int comma = segment[start..].IndexOf(',');
                ReadOnlySpan<char> token = (comma < 0 ? segment[start..] : segment.Slice(start, comma)).Trim();
                bool last = comma < 0;
                if (token.IsEmpty)
                {
                    // "00,\" ends with an empty token before the continuation; "hex:" has no bytes at all.
                    if (last && (continues || start == 0 || start == segment.Length))
                    {
                        return true;
                    }

                    _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg032, $"empty byte in the hex list of \"{Shorten(name)}\"; expected two hexadecimal digits between commas");
                    return false;
                }

                if (token.Length > 2 || !byte.TryParse(token, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                {
                    if (token[0] == ';')
                    {
                        return true; // comment after the data
                    }

                    _context.ErrorAtLine(lineNumber, DiagnosticCodes.Reg032, $"\"{Shorten(token)}\" in the hex list of \"{Shorten(name)}\" is not a byte; expected two hexadecimal digits");
                    return false;
                }

                if (count == _scratch!.Length)
                {
                    byte[] bigger = ArrayPool<byte>.Shared.Rent(_scratch.Length * 2);
                    _scratch.AsSpan().CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(_scratch);
                    _scratch = bigger;
                }

                _scratch[count++] = b;
                if (last)
                {
                    return true;
                }

                start += comma + 1;
            }

            return true;
        }

        /// <summary>After an error on a line that ends with '\', skips the continuation lines that belong to it.</summary>
        private void SkipContinuation(ReadOnlySpan<char> text)
        {
            if (text.TrimEnd().EndsWith('\\'))
            {
                SkipContinuationLines();
            }
        }

        private void SkipContinuationLines()
        {
            while (true)
            {
                (int, int) mark = _lines.Mark;
                if (!_lines.TryReadLine(out ReadOnlySpan<char> next))
                {
                    return;
                }

                ReadOnlySpan<char> trimmed = next.Trim();
                if (trimmed.IsEmpty || !char.IsAsciiHexDigit(trimmed[0]))
                {
                    _lines.Reset(mark);
                    return;
                }

                if (!trimmed.EndsWith('\\'))
                {
                    return;
                }
            }
        }

        private readonly void CheckTrailing(ReadOnlySpan<char> rest, int lineNumber)
        {
            if (!IsEndOrComment(rest))
            {
                _context.WarningAtLine(lineNumber, DiagnosticCodes.Reg034, $"text after the value data was ignored: \"{Shorten(rest.Trim())}\"");
            }
        }

        private static bool IsEndOrComment(ReadOnlySpan<char> rest)
        {
            rest = rest.TrimStart();
            return rest.IsEmpty || rest[0] == ';';
        }

        /// <summary>Reads "…" starting at <paramref name="start"/> with \\ and \" escapes.</summary>
        private static bool TryReadQuoted(ReadOnlySpan<char> line, int start, out string text, out int end)
        {
            ReadOnlySpan<char> body = line[(start + 1)..];
            int firstSpecial = body.IndexOfAny('"', '\\');
            if (firstSpecial >= 0 && body[firstSpecial] == '"')
            {
                text = body[..firstSpecial].ToString();
                end = start + 1 + firstSpecial + 1;
                return true;
            }

            StringBuilder sb = new(body.Length);
            for (int i = 0; i < body.Length; i++)
            {
                char c = body[i];
                if (c == '\\' && i + 1 < body.Length && body[i + 1] is '\\' or '"')
                {
                    sb.Append(body[i + 1]);
                    i++;
                }
                else if (c == '"')
                {
                    text = sb.ToString();
                    end = start + 1 + i + 1;
                    return true;
                }
                else
                {
                    sb.Append(c);
                }
            }

            text = string.Empty;
            end = line.Length;
            return false;
        }

        private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 60 ? text.ToString() : string.Concat(text[..57], "...");
    }
}
