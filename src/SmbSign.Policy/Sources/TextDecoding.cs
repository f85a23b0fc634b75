using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace SmbSign.Policy.Sources;

/// <summary>How a text source was encoded, as detected from its BOM and bytes.</summary>
public enum TextEncodingKind
{
    /// <summary>UTF-8 without BOM (also plain ASCII).</summary>
    Utf8,

    /// <summary>UTF-8 with BOM EF BB BF.</summary>
    Utf8Bom,

    /// <summary>UTF-16LE with BOM FF FE (regedit 5.00, secedit, PowerShell 5.1 redirection).</summary>
    Utf16LeBom,

    /// <summary>UTF-16BE with BOM FE FF.</summary>
    Utf16BeBom,

    /// <summary>UTF-16LE without BOM (recognised by its zero high bytes).</summary>
    Utf16LeNoBom,

    /// <summary>Not valid UTF-8 and no BOM: read as Windows-1252 ("ANSI").</summary>
    Ansi,

    /// <summary>Starts with FF FE but the bytes after it are 8-bit text: the BOM does not match the content.
    /// The text was read as UTF-8 (or ANSI).</summary>
    Utf16LeBomMismatch,
}

/// <summary>Decoded text of a source and how it was encoded.</summary>
internal readonly record struct DecodedText(string Text, TextEncodingKind Encoding)
{
    /// <summary>True for the UTF-16 kinds.</summary>
    public bool IsUtf16 => Encoding is TextEncodingKind.Utf16LeBom or TextEncodingKind.Utf16BeBom or TextEncodingKind.Utf16LeNoBom;

    /// <summary>A short phrase for messages.</summary>
    public string Describe() => Describe(Encoding);

    public static string Describe(TextEncodingKind kind) => kind switch
    {
        TextEncodingKind.Utf8 => "UTF-8 without BOM",
        TextEncodingKind.Utf8Bom => "UTF-8 with BOM",
        TextEncodingKind.Utf16LeBom => "UTF-16LE with BOM",
        TextEncodingKind.Utf16BeBom => "UTF-16BE with BOM",
        TextEncodingKind.Utf16LeNoBom => "UTF-16LE without BOM",
        TextEncodingKind.Ansi => "8-bit ANSI (Windows-1252)",
        _ => "a UTF-16LE BOM followed by 8-bit text",
    };
}

/// <summary>BOM-driven decoding shared by the text readers.</summary>
internal static class TextDecoding
{
    /// <summary>C0 controls that no text editor writes: all but tab, LF, VT, FF and CR.</summary>
    private static readonly SearchValues<byte> s_controlBytes = SearchValues.Create([0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
    private static readonly SearchValues<char> s_controlChars = SearchValues.Create("\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");
    private static readonly Encoding _utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private static readonly Encoding _utf16Be = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: false);

    /// <summary>Windows-1252, the "ANSI" code page of western Windows installs (Latin-1 if unavailable).</summary>
    public static Encoding Ansi { get; } = CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? Encoding.Latin1;

    public static DecodedText Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE)
        {
            ReadOnlySpan<byte> body = bytes[2..];
            if (LooksLikeEightBit(body))
            {
                return Utf8Valid(body)
                    ? new(_utf8.GetString(body), TextEncodingKind.Utf16LeBomMismatch)
                    : new(Ansi.GetString(body), TextEncodingKind.Utf16LeBomMismatch);
            }

            return new(Encoding.Unicode.GetString(body[..(body.Length & ~1)]), TextEncodingKind.Utf16LeBom);
        }

        if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF)
        {
            ReadOnlySpan<byte> body = bytes[2..];
            return new(_utf16Be.GetString(body[..(body.Length & ~1)]), TextEncodingKind.Utf16BeBom);
        }

        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        {
            return new(_utf8.GetString(bytes[3..]), TextEncodingKind.Utf8Bom);
        }

        if (bytes.Length >= 4 && bytes[0] != 0 && bytes[1] == 0 && bytes[2] != 0 && bytes[3] == 0)
        {
            return new(Encoding.Unicode.GetString(bytes[..(bytes.Length & ~1)]), TextEncodingKind.Utf16LeNoBom);
        }

        return Utf8Valid(bytes)
            ? new(_utf8.GetString(bytes), TextEncodingKind.Utf8)
            : new(Ansi.GetString(bytes), TextEncodingKind.Ansi);
    }

    /// <summary>
    /// Why <paramref name="content"/> is not text in a supported encoding, or null when it is. Checked by readers of formats
    /// that have no header to reject garbage with (smb.conf, nsmb.conf): without it, random bytes or a file in an encoding
    /// SmbSign does not read would give a few "unknown parameter" warnings and no setting, and a machine would look clean.
    /// Refused: a UTF-32 BOM (FF FE 00 00, 00 00 FE FF); UTF-16 behind a UTF-8 BOM; a NUL or another C0 control character
    /// other than tab, line feed, vertical tab, form feed and carriage return (text editors never write them; binary data
    /// is full of them). <paramref name="offset"/> is the byte offset of the first offending byte.
    /// </summary>
    public static string? FindNotText(ReadOnlySpan<byte> content, DecodedText decoded, out long offset)
    {
        offset = 0;
        if (content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]) || content.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return "the file starts with a UTF-32 byte-order mark; expected UTF-8 (with or without BOM) or UTF-16 with BOM";
        }

        if (decoded.IsUtf16)
        {
            ReadOnlySpan<char> text = decoded.Text;
            int at = IndexOfControl(text);
            if (at < 0)
            {
                return null;
            }

            offset = (decoded.Encoding == TextEncodingKind.Utf16LeNoBom ? 0 : 2) + (2L * at);
            return string.Create(CultureInfo.InvariantCulture, $"character U+{(int)text[at]:X4} at byte offset {offset} is a control character; expected text (binary data, or text in another encoding?)");
        }

        // 8-bit encodings: every byte below 0x80 is itself, so the raw bytes can be checked directly.
        int start = decoded.Encoding == TextEncodingKind.Utf8Bom ? 3 : decoded.Encoding == TextEncodingKind.Utf16LeBomMismatch ? 2 : 0;
        int found = start >= content.Length ? -1 : content[start..].IndexOfAny(s_controlBytes);
        if (found >= 0)
        {
            int i = start + found;
            byte b = content[i];
            offset = i;
            return b == 0 && decoded.Encoding == TextEncodingKind.Utf8Bom
                ? string.Create(CultureInfo.InvariantCulture, $"byte offset {i} is a NUL after a UTF-8 byte-order mark: the text is UTF-16 (or binary) behind a UTF-8 BOM; expected UTF-8 text after that BOM")
                : string.Create(CultureInfo.InvariantCulture, $"byte offset {i} is the control byte 0x{b:X2}; expected text (binary data, or text in an encoding SmbSign does not read such as UTF-32?)");
        }

        return null;
    }

    private static int IndexOfControl(ReadOnlySpan<char> text) => text.IndexOfAny(s_controlChars);

    /// <summary>Characters of a piece of input echoed in a message before it is cut.</summary>
    public const int ExcerptChars = 80;

    /// <summary>Input as it is echoed in messages and reports: whole up to <see cref="ExcerptChars"/> characters, else its
    /// start and its length ("AAAA... (30,000,000 characters)"). A 30 MB value must not come back five times in a report.</summary>
    public static string Excerpt(ReadOnlySpan<char> text) => text.Length <= ExcerptChars
        ? text.ToString()
        : string.Create(CultureInfo.InvariantCulture, $"{text[..ExcerptChars]}... ({text.Length:N0} characters)");

    /// <summary>Decodes at most <paramref name="maxBytes"/> from the start (for detection).</summary>
    public static DecodedText DecodeHead(ReadOnlySpan<byte> bytes, int maxBytes) =>
        Decode(bytes.Length > maxBytes ? bytes[..(maxBytes & ~1)] : bytes);

    private static bool Utf8Valid(ReadOnlySpan<byte> bytes) => Utf8.IsValid(bytes);

    /// <summary>UTF-16LE text of ASCII has a zero in every odd byte; 8-bit text has none among its first characters.</summary>
    private static bool LooksLikeEightBit(ReadOnlySpan<byte> body)
    {
        int n = Math.Min(body.Length, 64) & ~1;
        if (n < 4)
        {
            return false;
        }

        int zeroHigh = 0;
        for (int i = 1; i < n; i += 2)
        {
            if (body[i] == 0)
            {
                zeroHigh++;
            }
        }

        return zeroHigh == 0 && body[..n].IndexOf((byte)0) < 0;
    }
}

/// <summary>Forward line cursor over decoded text: CRLF, LF or CR line ends; 1-based line numbers; no allocation.</summary>
internal ref struct LineReader
{
    private readonly ReadOnlySpan<char> _text;
    private int _position;
    private int _lineNumber;

    public LineReader(ReadOnlySpan<char> text)
    {
        _text = text;
    }

    /// <summary>Line number of the last line returned.</summary>
    public readonly int LineNumber => _lineNumber;

    public readonly bool AtEnd => _position >= _text.Length;

    /// <summary>A bookmark to return to with <see cref="Reset"/>.</summary>
    public readonly (int Position, int Line) Mark => (_position, _lineNumber);

    public void Reset((int Position, int Line) mark)
    {
        _position = mark.Position;
        _lineNumber = mark.Line;
    }

    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        if (_position >= _text.Length)
        {
            line = default;
            return false;
        }

        ReadOnlySpan<char> rest = _text[_position..];
        int end = rest.IndexOfAny('\r', '\n');
        _lineNumber++;
        if (end < 0)
        {
            line = rest;
            _position = _text.Length;
            return true;
        }

        line = rest[..end];
        _position += end + 1;
        if (rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n')
        {
            _position++;
        }

        return true;
    }
}

/// <summary>Fast case-insensitive search for ASCII markers: a vectorised search for the marker's first character
/// (either case), then a check at each hit. <c>Contains(…, OrdinalIgnoreCase)</c> measured about 25 times slower
/// on a 5 KB export here.</summary>
internal static class AsciiSearch
{
    public static bool ContainsIgnoreCase(ReadOnlySpan<char> text, string marker)
    {
        char lower = char.ToLowerInvariant(marker[0]);
        char upper = char.ToUpperInvariant(marker[0]);
        while (true)
        {
            int at = lower == upper ? text.IndexOf(lower) : text.IndexOfAny(lower, upper);
            if (at < 0 || text.Length - at < marker.Length)
            {
                return false;
            }

            if (text.Slice(at, marker.Length).Equals(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            text = text[(at + 1)..];
        }
    }
}
