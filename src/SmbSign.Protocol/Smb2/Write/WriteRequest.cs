using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Write;

/// <summary>[MS-SMB2] 2.2.21 SMB2 WRITE Request (no RDMA channel info): the data follows the fixed part at offset 0x70.</summary>
public sealed class WriteRequest : ISmb2Request
{
    public Smb2Command Command => Smb2Command.Write;

    public const ushort StructureSize = 49;

    /// <summary>Length of the fixed part; StructureSize 49 counts one buffer byte.</summary>
    public const int FixedLength = 48;

    /// <summary>Where the data starts, counted from the header: right after the fixed part.</summary>
    public const ushort DataOffset = Smb2Header.Size + FixedLength;

    public required Smb2FileId FileId { get; init; }

    public ReadOnlyMemory<byte> Data { get; init; }

    public ulong Offset { get; init; }

    public uint Flags { get; init; }

    /// <summary>One buffer byte is always sent, as StructureSize 49 says, even for an empty write.</summary>
    public int GetEncodedLength() => FixedLength + Math.Max(Data.Length, 1);

    /// <summary>Writes the body (everything after the 64-byte header); returns the bytes written.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16(DataOffset);
        writer.WriteUInt32((uint)Data.Length);
        writer.WriteUInt64(Offset);
        FileId.Write(ref writer);
        writer.WriteUInt32(0); // Channel: SMB2_CHANNEL_NONE
        writer.WriteUInt32(0); // RemainingBytes
        writer.WriteUInt16(0); // WriteChannelInfoOffset
        writer.WriteUInt16(0); // WriteChannelInfoLength
        writer.WriteUInt32(Flags);
        if (Data.IsEmpty)
        {
            writer.WriteByte(0);
        }
        else
        {
            writer.WriteBytes(Data.Span);
        }

        return writer.Position;
    }

    /// <summary>Parses a WRITE request (for responders and tests); DataOffset/Length must lie inside the message, after the fixed part.</summary>
    public static WriteRequest Parse(ReadOnlySpan<byte> message)
    {
        const string What = "WRITE request";
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, What);
        ushort dataOffset = reader.ReadUInt16();
        uint length = reader.ReadUInt32();
        ulong offset = reader.ReadUInt64();
        Smb2FileId fileId = Smb2FileId.Read(ref reader);
        reader.Skip(4 + 4 + 2 + 2); // Channel, RemainingBytes, WriteChannelInfoOffset/Length
        uint flags = reader.ReadUInt32();
        ReadOnlySpan<byte> data = Smb2Body.GetBuffer(message, dataOffset, length, DataOffset, "WRITE request DataOffset/Length");
        return new WriteRequest { FileId = fileId, Data = data.ToArray(), Offset = offset, Flags = flags };
    }
}
