using System.Buffers.Binary;

namespace SmbSign.Protocol.Buffers;

/// <summary>Forward-only little-endian cursor over one message. Never reads past its span; every shortfall throws
/// <see cref="SmbProtocolException"/> with the offset.</summary>
public ref struct SmbReader
{
    private readonly ReadOnlySpan<byte> _message;
    private readonly string _what;
    private int _position;

    public SmbReader(ReadOnlySpan<byte> message, string what = "message", int position = 0)
    {
        _message = message;
        _what = what;
        _position = position;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _message.Length - _position;

    public readonly ReadOnlySpan<byte> Message => _message;

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(sizeof(ushort)));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(sizeof(uint)));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(sizeof(ulong)));

    public ushort ReadUInt16BigEndian() => BinaryPrimitives.ReadUInt16BigEndian(Take(sizeof(ushort)));

    public uint ReadUInt32BigEndian() => BinaryPrimitives.ReadUInt32BigEndian(Take(sizeof(uint)));

    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    public void Skip(int count) => Take(count);

    /// <summary>Moves to an absolute position inside the message.</summary>
    public void Seek(int position)
    {
        if ((uint)position > (uint)_message.Length)
        {
            ThrowHelper.ThrowBufferOutOfRange(_what, (ulong)Math.Max(position, 0), 0, _message.Length);
        }

        _position = position;
    }

    /// <summary>Advances to the next multiple of <paramref name="alignment"/>, or to the end when the padding is cut short.</summary>
    public void AlignTo(int alignment)
    {
        int padding = (alignment - (_position % alignment)) % alignment;
        _position = Math.Min(_position + padding, _message.Length);
    }

    /// <summary>Resolves an (offset, length) pair from the wire, offsets counted from the start of this span.</summary>
    public readonly ReadOnlySpan<byte> GetBuffer(uint offset, uint length, string field)
    {
        if (length == 0)
        {
            return [];
        }

        if ((ulong)offset + length > (ulong)_message.Length)
        {
            ThrowHelper.ThrowBufferOutOfRange(field, offset, length, _message.Length);
        }

        return _message.Slice((int)offset, (int)length);
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _message.Length - _position)
        {
            ThrowHelper.ThrowTruncated(_what, _position, count, _message.Length - _position);
        }

        ReadOnlySpan<byte> slice = _message.Slice(_position, count);
        _position += count;
        return slice;
    }
}
