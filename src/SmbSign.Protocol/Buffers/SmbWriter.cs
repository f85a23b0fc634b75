using System.Buffers.Binary;

namespace SmbSign.Protocol.Buffers;

/// <summary>Forward-only little-endian writer into a caller's buffer. Throws <see cref="ArgumentException"/> when the buffer is too small (a caller bug).</summary>
public ref struct SmbWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public SmbWriter(Span<byte> buffer)
    {
        _buffer = buffer;
    }

    public readonly int Position => _position;

    public readonly Span<byte> Written => _buffer[.._position];

    public readonly Span<byte> Buffer => _buffer;

    public void WriteByte(byte value) => Take(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Take(sizeof(ushort)), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(sizeof(uint)), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(sizeof(ulong)), value);

    public void WriteUInt16BigEndian(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(sizeof(ushort)), value);

    public void WriteUInt32BigEndian(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(sizeof(uint)), value);

    public void WriteBytes(scoped ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));

    public void WriteZeros(int count) => Take(count).Clear();

    /// <summary>Zero-pads to the next multiple of <paramref name="alignment"/>.</summary>
    public void AlignTo(int alignment) => WriteZeros((alignment - (_position % alignment)) % alignment);

    /// <summary>Writes a UInt16 at an absolute position already written (for offsets and lengths patched later).</summary>
    public readonly void PatchUInt16(int position, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(_buffer[position..], value);

    public readonly void PatchUInt32(int position, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_buffer[position..], value);

    /// <summary>Reserves <paramref name="count"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> Reserve(int count) => Take(count);

    private Span<byte> Take(int count)
    {
        if (count > _buffer.Length - _position)
        {
            throw new ArgumentException($"Buffer too small: need {count} more byte(s) at {_position}, capacity {_buffer.Length}.");
        }

        Span<byte> slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
