using System.Buffers.Binary;
using System.Globalization;

namespace SmbSign.Protocol.Rpc;

/// <summary>Reads an NDR 2.0 response stub ([C706] ch. 14), little-endian, aligned relative to the stub start. Every
/// count, offset and length the server sends is checked against the bytes present and against the caller's cap
/// before anything is allocated; a violation throws <see cref="SmbProtocolException"/> with the stub offset.</summary>
public ref struct NdrReader
{
    private readonly ReadOnlySpan<byte> _stub;
    private readonly string _what;
    private int _position;

    public NdrReader(ReadOnlySpan<byte> stub, string what)
    {
        _stub = stub;
        _what = what;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _stub.Length - _position;

    public void Align(int alignment)
    {
        int padding = (alignment - (_position % alignment)) % alignment;
        Take(padding);
    }

    public ushort ReadUInt16()
    {
        Align(2);
        return BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    }

    public uint ReadUInt32()
    {
        Align(4);
        return BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    }

    public ulong ReadUInt64()
    {
        Align(8);
        return BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
    }

    /// <summary>A unique pointer's referent id; true when the referent follows.</summary>
    public bool ReadPointer() => ReadUInt32() != 0;

    public RpcContextHandle ReadContextHandle()
    {
        Align(4);
        return RpcContextHandle.Read(Take(RpcContextHandle.Size));
    }

    /// <summary>A uint32 behind a unique pointer, or null for a null pointer.</summary>
    public uint? ReadUInt32Pointer() => ReadPointer() ? ReadUInt32() : null;

    /// <summary>
    /// A conformant varying array header ([C706] 14.3.3.4: max_count, offset, actual_count) for elements of
    /// <paramref name="elementSize"/> bytes. Checks offset + actual_count ≤ max_count, actual_count ≤
    /// <paramref name="maxElements"/> and that the elements are present; returns the transmitted elements' bytes.
    /// </summary>
    public ReadOnlySpan<byte> ReadConformantVaryingArray(int elementSize, int maxElements, string field)
    {
        int at = _position;
        uint maxCount = ReadUInt32();
        uint offset = ReadUInt32();
        uint actual = ReadUInt32();
        if ((ulong)offset + actual > maxCount)
        {
            Throw(string.Create(CultureInfo.InvariantCulture, $"{field}: offset {offset} + actual_count {actual} exceeds max_count {maxCount}"), at);
        }

        if (actual > (uint)maxElements)
        {
            Throw(string.Create(CultureInfo.InvariantCulture, $"{field}: actual_count {actual} exceeds the limit of {maxElements}"), at + 8);
        }

        long bytes = (long)actual * elementSize;
        if (bytes > Remaining)
        {
            Throw(string.Create(CultureInfo.InvariantCulture, $"{field}: actual_count {actual} needs {bytes} byte(s), {Remaining} left in the stub"), at + 8);
        }

        return Take((int)bytes);
    }

    /// <summary>
    /// [MS-DTYP] 2.3.10 RPC_UNICODE_STRING: Length, MaximumLength, unique pointer, then (deferred, read here at once
    /// because MS-RRP output strings are top-level) the UTF-16 conformant varying array. Length must be even, not above
    /// MaximumLength, and agree with the characters sent. Returns null for a null buffer; trailing NULs are removed.
    /// </summary>
    public string? ReadUnicodeString(int maxChars, string field)
    {
        int at = _position;
        ushort length = ReadUInt16();
        ushort maximum = ReadUInt16();
        bool present = ReadPointer();
        if (length > maximum || (length & 1) != 0)
        {
            Throw(string.Create(CultureInfo.InvariantCulture, $"{field}: Length {length} with MaximumLength {maximum}"), at);
        }

        if (!present)
        {
            return null;
        }

        ReadOnlySpan<byte> chars = ReadConformantVaryingArray(2, maxChars, field);
        if (chars.Length < length)
        {
            Throw(string.Create(CultureInfo.InvariantCulture, $"{field}: Length {length} but only {chars.Length} byte(s) of characters"), at);
        }

        string text = System.Text.Encoding.Unicode.GetString(chars[..length]);
        return text.TrimEnd('\0');
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            ThrowHelper.ThrowTruncated(_what, _position, count, Remaining);
        }

        ReadOnlySpan<byte> span = _stub.Slice(_position, count);
        _position += count;
        return span;
    }

    private readonly void Throw(string message, int offset) => ThrowHelper.ThrowInvalid($"{_what}: {message}", offset);
}
