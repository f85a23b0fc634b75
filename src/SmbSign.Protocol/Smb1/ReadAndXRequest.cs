using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.42.1 SMB_COM_READ_ANDX Request, 64-bit offset form (WordCount 12).</summary>
public sealed class ReadAndXRequest : ISmb1Request
{
    public const byte CommandCode = 0x2E;
    public const byte WordCount = 12;

    public byte Command => CommandCode;

    public required ushort Fid { get; init; }

    public ulong Offset { get; init; }

    public required ushort MaxCount { get; init; }

    public ushort MinCount { get; init; }

    public int GetEncodedLength() => 1 + (WordCount * 2) + 2;

    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        Smb1Body.WriteNoAndX(ref writer);
        writer.WriteUInt16(Fid);
        writer.WriteUInt32((uint)Offset);
        writer.WriteUInt16(MaxCount);
        writer.WriteUInt16(MinCount);
        writer.WriteUInt32(0); // Timeout / MaxCountHigh
        writer.WriteUInt16(0); // Remaining
        writer.WriteUInt32((uint)(Offset >> 32));
        writer.WriteUInt16(0); // ByteCount
        return writer.Position;
    }

    public static ReadAndXRequest Parse(ReadOnlySpan<byte> message)
    {
        const string What = "READ_ANDX request";
        Smb1Body body = Smb1Body.Read(message, What, 10, WordCount);
        SmbReader words = body.WordReader(What);
        words.Skip(4);
        ushort fid = words.ReadUInt16();
        uint offsetLow = words.ReadUInt32();
        ushort max = words.ReadUInt16();
        ushort min = words.ReadUInt16();
        words.Skip(6);
        ulong offsetHigh = body.WordCount == WordCount ? words.ReadUInt32() : 0;
        return new ReadAndXRequest { Fid = fid, Offset = (offsetHigh << 32) | offsetLow, MaxCount = max, MinCount = min };
    }
}
