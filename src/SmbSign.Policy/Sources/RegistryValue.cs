using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SmbSign.Policy.Sources;

/// <summary>An immutable, typed registry value. Integers, strings and string lists are held decoded; everything
/// else (REG_BINARY, REG_NONE, malformed integers) as bytes. Equality compares type and content (string content
/// ordinally: data is case-sensitive, unlike names).</summary>
public sealed class RegistryValue : IEquatable<RegistryValue>
{
    private static readonly string[] _noStrings = [];

    private readonly ulong _number;
    private readonly string? _text;
    private readonly string[]? _strings;
    private readonly byte[]? _bytes;

    private RegistryValue(RegistryValueType type, ulong number, string? text, string[]? strings, byte[]? bytes)
    {
        Type = type;
        _number = number;
        _text = text;
        _strings = strings;
        _bytes = bytes;
    }

    /// <summary>The REG_* type.</summary>
    public RegistryValueType Type { get; }

    /// <summary>True for REG_DWORD, REG_DWORD_BIG_ENDIAN and REG_QWORD values that hold a well-formed number.</summary>
    public bool IsInteger => _bytes is null && Type is RegistryValueType.DWord or RegistryValueType.DWordBigEndian or RegistryValueType.QWord;

    /// <summary>A REG_DWORD.</summary>
    public static RegistryValue FromDWord(uint value) => new(RegistryValueType.DWord, value, null, null, null);

    /// <summary>A REG_DWORD_BIG_ENDIAN (the number, not its byte order).</summary>
    public static RegistryValue FromDWordBigEndian(uint value) => new(RegistryValueType.DWordBigEndian, value, null, null, null);

    /// <summary>A REG_QWORD.</summary>
    public static RegistryValue FromQWord(ulong value) => new(RegistryValueType.QWord, value, null, null, null);

    /// <summary>A REG_SZ, or REG_EXPAND_SZ when <paramref name="expand"/> is true.</summary>
    public static RegistryValue FromString(string value, bool expand = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(expand ? RegistryValueType.ExpandString : RegistryValueType.String, 0, value, null, null);
    }

    /// <summary>A REG_MULTI_SZ (the list is copied).</summary>
    public static RegistryValue FromMultiString(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] copy = values.ToArray();
        return new(RegistryValueType.MultiString, 0, null, copy.Length == 0 ? _noStrings : copy, null);
    }

    /// <summary>Raw bytes under any type (REG_BINARY by default); the bytes are copied.</summary>
    public static RegistryValue FromBytes(ReadOnlySpan<byte> data, RegistryValueType type = RegistryValueType.Binary) =>
        new(type, 0, null, null, data.ToArray());

    /// <summary>Decodes the Windows in-registry representation: integers little-endian (REG_DWORD_BIG_ENDIAN
    /// big-endian), strings UTF-16LE up to the first NUL, REG_MULTI_SZ NUL-separated up to the empty string.
    /// Integers of the wrong size are kept as bytes and <paramref name="problem"/> says so.</summary>
    public static RegistryValue FromRaw(RegistryValueType type, ReadOnlySpan<byte> data, out string? problem) =>
        FromRaw(type, data, Encoding.Unicode, out problem);

    /// <summary>As <see cref="FromRaw(RegistryValueType, ReadOnlySpan{byte}, out string?)"/> with string bytes in
    /// <paramref name="stringEncoding"/> (REGEDIT4 files store <c>hex(2)</c>/<c>hex(7)</c> data in the ANSI code page).</summary>
    public static RegistryValue FromRaw(RegistryValueType type, ReadOnlySpan<byte> data, Encoding stringEncoding, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(stringEncoding);
        problem = null;
        switch (type)
        {
            case RegistryValueType.DWord or RegistryValueType.DWordBigEndian:
                if (data.Length != 4)
                {
                    problem = string.Create(CultureInfo.InvariantCulture, $"{type.ToRegName()} data is {data.Length} byte(s); expected 4");
                    return FromBytes(data, type);
                }

                return type == RegistryValueType.DWord
                    ? FromDWord(BinaryPrimitives.ReadUInt32LittleEndian(data))
                    : FromDWordBigEndian(BinaryPrimitives.ReadUInt32BigEndian(data));
            case RegistryValueType.QWord:
                if (data.Length != 8)
                {
                    problem = string.Create(CultureInfo.InvariantCulture, $"REG_QWORD data is {data.Length} byte(s); expected 8");
                    return FromBytes(data, type);
                }

                return FromQWord(BinaryPrimitives.ReadUInt64LittleEndian(data));
            case RegistryValueType.String or RegistryValueType.ExpandString:
                return new(type, 0, DecodeString(data, stringEncoding, out _), null, null);
            case RegistryValueType.MultiString:
                return new(type, 0, null, DecodeMultiString(data, stringEncoding), null);
            default:
                return FromBytes(data, type);
        }
    }

    /// <summary>The number of a REG_DWORD or REG_DWORD_BIG_ENDIAN value.</summary>
    public bool TryGetUInt32(out uint value)
    {
        if (_bytes is null && Type is RegistryValueType.DWord or RegistryValueType.DWordBigEndian)
        {
            value = (uint)_number;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>The number of any integer value (REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_QWORD).</summary>
    public bool TryGetUInt64(out ulong value)
    {
        value = IsInteger ? _number : 0;
        return IsInteger;
    }

    /// <summary>Lenient number: an integer value, or a REG_SZ/REG_EXPAND_SZ holding a decimal integer (some
    /// tools write numbers as strings). Use it where the setting is numeric; the type is still reported as is.</summary>
    public bool TryGetNumber(out long value)
    {
        if (IsInteger)
        {
            value = unchecked((long)_number);
            return true;
        }

        if (_text is not null && long.TryParse(_text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>The text of a REG_SZ or REG_EXPAND_SZ value (unexpanded).</summary>
    public bool TryGetString(out string value)
    {
        value = _text ?? string.Empty;
        return _text is not null;
    }

    /// <summary>The items of a REG_MULTI_SZ value.</summary>
    public bool TryGetStrings(out IReadOnlyList<string> values)
    {
        values = _strings ?? _noStrings;
        return _strings is not null;
    }

    /// <summary>The Windows in-registry bytes of this value (what Registry.pol or <c>hex(N):</c> would hold):
    /// integers little-endian (big-endian for REG_DWORD_BIG_ENDIAN), strings UTF-16LE with their terminating NUL,
    /// REG_MULTI_SZ items each NUL-terminated plus a final NUL.</summary>
    public byte[] ToBytes()
    {
        if (_bytes is not null)
        {
            return (byte[])_bytes.Clone();
        }

        switch (Type)
        {
            case RegistryValueType.DWord:
                {
                    byte[] b = new byte[4];
                    BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)_number);
                    return b;
                }

            case RegistryValueType.DWordBigEndian:
                {
                    byte[] b = new byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(b, (uint)_number);
                    return b;
                }

            case RegistryValueType.QWord:
                {
                    byte[] b = new byte[8];
                    BinaryPrimitives.WriteUInt64LittleEndian(b, _number);
                    return b;
                }

            case RegistryValueType.MultiString:
                {
                    StringBuilder sb = new();
                    foreach (string s in _strings ?? _noStrings)
                    {
                        sb.Append(s).Append('\0');
                    }

                    sb.Append('\0');
                    return Encoding.Unicode.GetBytes(sb.ToString());
                }

            default:
                return Encoding.Unicode.GetBytes((_text ?? string.Empty) + "\0");
        }
    }

    /// <summary>Human-readable data without the type: <c>1</c>, <c>text</c>, <c>a, b</c>, <c>hex:01,02</c>.</summary>
    public string ToDisplayString()
    {
        if (_bytes is not null)
        {
            return _bytes.Length == 0 ? "(empty)" : "hex:" + Convert.ToHexString(_bytes).ToLowerInvariant();
        }

        return Type switch
        {
            RegistryValueType.DWord or RegistryValueType.DWordBigEndian or RegistryValueType.QWord => _number.ToString(CultureInfo.InvariantCulture),
            RegistryValueType.MultiString => string.Join(", ", _strings ?? _noStrings),
            _ => _text ?? string.Empty,
        };
    }

    /// <summary><c>REG_DWORD 1</c>.</summary>
    public override string ToString() => Type.ToRegName() + " " + ToDisplayString();

    /// <inheritdoc/>
    public bool Equals(RegistryValue? other)
    {
        if (other is null || other.Type != Type)
        {
            return false;
        }

        if (_bytes is not null || other._bytes is not null)
        {
            return _bytes is not null && other._bytes is not null && _bytes.AsSpan().SequenceEqual(other._bytes);
        }

        if (_strings is not null || other._strings is not null)
        {
            return _strings is not null && other._strings is not null && _strings.AsSpan().SequenceEqual(other._strings);
        }

        return _number == other._number && string.Equals(_text, other._text, StringComparison.Ordinal);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RegistryValue);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        HashCode hash = default;
        hash.Add(Type);
        hash.Add(_number);
        hash.Add(_text, StringComparer.Ordinal);
        if (_strings is not null)
        {
            foreach (string s in _strings)
            {
                hash.Add(s, StringComparer.Ordinal);
            }
        }

        if (_bytes is not null)
        {
            hash.AddBytes(_bytes);
        }

        return hash.ToHashCode();
    }

    internal static string DecodeString(ReadOnlySpan<byte> data, Encoding encoding, out bool terminated)
    {
        if (encoding.CodePage == Encoding.Unicode.CodePage)
        {
            int chars = data.Length / 2;
            int end = chars;
            for (int i = 0; i < chars; i++)
            {
                if (data[2 * i] == 0 && data[(2 * i) + 1] == 0)
                {
                    end = i;
                    break;
                }
            }

            terminated = end < chars;
            return encoding.GetString(data[..(end * 2)]);
        }

        int nul = data.IndexOf((byte)0);
        terminated = nul >= 0;
        return encoding.GetString(nul >= 0 ? data[..nul] : data);
    }

    internal static string[] DecodeMultiString(ReadOnlySpan<byte> data, Encoding encoding)
    {
        int unit = encoding.CodePage == Encoding.Unicode.CodePage ? 2 : 1;
        List<string> items = [];
        int start = 0;
        int usable = data.Length - (data.Length % unit);
        for (int i = 0; i + unit <= usable; i += unit)
        {
            bool nul = unit == 2 ? data[i] == 0 && data[i + 1] == 0 : data[i] == 0;
            if (nul)
            {
                if (i == start)
                {
                    break; // the empty string ends the list
                }

                items.Add(encoding.GetString(data[start..i]));
                start = i + unit;
            }
            else if (i + unit == usable)
            {
                items.Add(encoding.GetString(data[start..usable])); // unterminated last item
            }
        }

        return items.Count == 0 ? _noStrings : items.ToArray();
    }
}
