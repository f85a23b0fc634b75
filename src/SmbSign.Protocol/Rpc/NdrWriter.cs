using System.Buffers.Binary;

namespace SmbSign.Protocol.Rpc;

/// <summary>Writes an NDR 2.0 stub ([C706] ch. 14), little-endian, aligned relative to the stub start. Only the shapes
/// MS-RRP requests need: integers, context handles, unique pointers and RPC_UNICODE_STRING with its deferred
/// conformant varying array.</summary>
public sealed class NdrWriter
{
    private byte[] _buffer = new byte[256];
    private int _position;
    private uint _nextReferent = 0x0002_0000;

    public int Length => _position;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _position);

    public byte[] ToArray() => _buffer.AsSpan(0, _position).ToArray();

    public void Align(int alignment)
    {
        int padding = (alignment - (_position % alignment)) % alignment;
        Take(padding).Clear();
    }

    public void WriteUInt16(ushort value)
    {
        Align(2);
        BinaryPrimitives.WriteUInt16LittleEndian(Take(2), value);
    }

    public void WriteUInt32(uint value)
    {
        Align(4);
        BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));

    /// <summary>A unique or full pointer's referent id: non-zero, fresh for each pointer ([C706] 14.3.11.1).</summary>
    public void WritePointer(bool present)
    {
        WriteUInt32(present ? _nextReferent : 0);
        if (present)
        {
            _nextReferent += 4;
        }
    }

    /// <summary>A 20-byte context handle (<see cref="RpcContextHandle"/>).</summary>
    public void WriteContextHandle(RpcContextHandle handle)
    {
        Align(4);
        handle.Write(Take(RpcContextHandle.Size));
    }

    /// <summary>
    /// [MS-RRP] 2.2.4 RRP_UNICODE_STRING / [MS-DTYP] 2.3.10 RPC_UNICODE_STRING carrying <paramref name="text"/> plus a
    /// terminating NUL (MS-RRP counts it in Length), inline struct then the deferred conformant varying array.
    /// A null <paramref name="text"/> writes Length 0, MaximumLength <paramref name="bufferBytes"/> and an empty
    /// buffer of that capacity: an output buffer for the server to fill (BaseRegEnumKey/EnumValue).
    /// </summary>
    public void WriteUnicodeString(string? text, int bufferBytes = 0)
    {
        if (text is null)
        {
            WriteUInt16(0);
            WriteUInt16((ushort)bufferBytes);
            WritePointer(bufferBytes > 0);
            if (bufferBytes > 0)
            {
                WriteUInt32((uint)(bufferBytes / 2)); // max_count
                WriteUInt32(0); // offset
                WriteUInt32(0); // actual_count
            }

            return;
        }

        int chars = text.Length + 1;
        if (chars * 2 > ushort.MaxValue)
        {
            throw new ArgumentException("string too long for RPC_UNICODE_STRING", nameof(text));
        }

        WriteUInt16((ushort)(chars * 2));
        WriteUInt16((ushort)(chars * 2));
        WritePointer(true);
        WriteUInt32((uint)chars);
        WriteUInt32(0);
        WriteUInt32((uint)chars);
        Span<byte> data = Take(chars * 2);
        System.Text.Encoding.Unicode.GetBytes(text, data);
        data[^2..].Clear();
    }

    /// <summary>A unique pointer to a conformant varying byte array with capacity <paramref name="capacity"/> and no
    /// element transmitted (an [in,out] output buffer, [MS-RRP] 3.1.5.17 lpData).</summary>
    public void WriteEmptyByteBuffer(uint capacity)
    {
        WritePointer(true);
        WriteUInt32(capacity);
        WriteUInt32(0);
        WriteUInt32(0);
    }

    /// <summary>A unique pointer to a uint32 ([in,out,unique] LPDWORD).</summary>
    public void WriteUInt32Pointer(uint? value)
    {
        WritePointer(value is not null);
        if (value is { } v)
        {
            WriteUInt32(v);
        }
    }

    private Span<byte> Take(int count)
    {
        if (_position + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _position + count));
        }

        Span<byte> span = _buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }
}
