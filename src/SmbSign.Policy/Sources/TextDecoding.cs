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
