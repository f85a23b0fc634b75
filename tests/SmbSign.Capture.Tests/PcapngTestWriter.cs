using System.Buffers;
using System.Buffers.Binary;

namespace SmbSign.Capture.Tests;

/// <summary>Writes pcapng blocks of either byte order for reader tests, including blocks SmbSign must skip and
/// deliberately broken ones.</summary>
internal sealed class PcapngTestWriter
{
    private readonly ArrayBufferWriter<byte> _stream = new();
    private bool _bigEndian;

    public byte[] ToArray() => _stream.WrittenSpan.ToArray();

    public long Position => _stream.WrittenCount;

    public PcapngTestWriter SectionHeader(bool bigEndian = false, long sectionLength = -1, ushort major = 1)
    {
        _bigEndian = bigEndian;
        byte[] body = new byte[16];
        U32(body, 0x1A2B3C4D);
        U16(body.AsSpan(4), major);
        U16(body.AsSpan(6), 0);
        U64(body.AsSpan(8), (ulong)sectionLength);
        return Block(0x0A0D0D0A, body);
    }

    /// <summary>An IDB; <paramref name="tsresol"/> adds the if_tsresol option (e.g. 9 = ns, 0x80|20 = 2^-20 s).</summary>
    public PcapngTestWriter Interface(LinkType linkType, uint snapLength = 262144, byte? tsresol = null, long? tsoffset = null)
    {
        using var body = new MemoryStream();
        byte[] head = new byte[8];
        U16(head, (ushort)linkType);
        U32(head.AsSpan(4), snapLength);
        body.Write(head);
        if (tsresol is { } resolution)
        {
            Option(body, 9, [resolution]);
        }

        if (tsoffset is { } offset)
        {
            byte[] value = new byte[8];
            U64(value, (ulong)offset);
            Option(body, 14, value);
        }

        if (tsresol is not null || tsoffset is not null)
        {
            Option(body, 0, []);
        }

        return Block(1, body.ToArray());
    }

    public PcapngTestWriter Enhanced(uint interfaceId, ulong timestamp, ReadOnlySpan<byte> data, uint? capturedLength = null, uint? originalLength = null)
    {
        byte[] body = new byte[20 + Pad(data.Length)];
        U32(body, interfaceId);
        U32(body.AsSpan(4), (uint)(timestamp >> 32));
        U32(body.AsSpan(8), (uint)timestamp);
        U32(body.AsSpan(12), capturedLength ?? (uint)data.Length);
        U32(body.AsSpan(16), originalLength ?? (uint)data.Length);
        data.CopyTo(body.AsSpan(20));
        return Block(6, body);
    }

    public PcapngTestWriter Simple(ReadOnlySpan<byte> data)
    {
        byte[] body = new byte[4 + Pad(data.Length)];
        U32(body, (uint)data.Length);
        data.CopyTo(body.AsSpan(4));
        return Block(3, body);
    }

    public PcapngTestWriter ObsoletePacket(ushort interfaceId, ulong timestamp, ReadOnlySpan<byte> data)
    {
        byte[] body = new byte[20 + Pad(data.Length)];
        U16(body, interfaceId);
        U32(body.AsSpan(4), (uint)(timestamp >> 32));
        U32(body.AsSpan(8), (uint)timestamp);
        U32(body.AsSpan(12), (uint)data.Length);
        U32(body.AsSpan(16), (uint)data.Length);
        data.CopyTo(body.AsSpan(20));
        return Block(2, body);
    }

    /// <summary>Any block (Name Resolution 4, Interface Statistics 5, Decryption Secrets 0x0A, custom 0xBAD…).</summary>
    public PcapngTestWriter Block(uint type, ReadOnlySpan<byte> body)
    {
        int padded = Pad(body.Length);
        uint total = (uint)(12 + padded);
        byte[] block = new byte[total];
        U32(block, type);
        U32(block.AsSpan(4), total);
        body.CopyTo(block.AsSpan(8));
        U32(block.AsSpan((int)total - 4), total);
        _stream.Write(block);
        return this;
    }

    /// <summary>Raw bytes (for broken blocks).</summary>
    public PcapngTestWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        return this;
    }

    /// <summary>A block header that claims <paramref name="totalLength"/> bytes, followed by nothing more.</summary>
    public PcapngTestWriter BlockHeaderOnly(uint type, uint totalLength)
    {
        byte[] head = new byte[8];
        U32(head, type);
        U32(head.AsSpan(4), totalLength);
        _stream.Write(head);
        return this;
    }

    private static int Pad(int length) => (length + 3) & ~3;

    private void Option(MemoryStream body, ushort code, ReadOnlySpan<byte> value)
    {
        byte[] head = new byte[4];
        U16(head, code);
        U16(head.AsSpan(2), (ushort)value.Length);
        body.Write(head);
        body.Write(value);
        body.Write(new byte[Pad(value.Length) - value.Length]);
    }

    private void U16(Span<byte> destination, ushort value)
    {
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, value);
        }
    }

    private void U32(Span<byte> destination, uint value)
    {
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        }
    }

    private void U64(Span<byte> destination, ulong value)
    {
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination, value);
        }
    }
}
