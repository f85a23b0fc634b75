using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Read;

/// <summary>[MS-SMB2] 2.2.19 SMB2 READ Request (no RDMA channel info).</summary>
public sealed class ReadRequest : ISmb2Request
{
    public Smb2Command Command => Smb2Command.Read;

    public const ushort StructureSize = 49;

    /// <summary>Length of the fixed part; StructureSize 49 counts one buffer byte, which is always sent.</summary>
    public const int FixedLength = 48;

    /// <summary>Where the client would like the data to start in the response (0x50 = right after the 16-byte body).</summary>
    public byte Padding { get; init; } = 0x50;

    public byte Flags { get; init; }

    public required uint Length { get; init; }

    public ulong Offset { get; init; }

    public required Smb2FileId FileId { get; init; }

    public uint MinimumCount { get; init; }

    public int GetEncodedLength() => StructureSize;

    /// <summary>Writes the 49-byte body; returns the bytes written.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteByte(Padding);
        writer.WriteByte(Flags);
        writer.WriteUInt32(Length);
        writer.WriteUInt64(Offset);
        FileId.Write(ref writer);
        writer.WriteUInt32(MinimumCount);
        writer.WriteUInt32(0); // Channel: SMB2_CHANNEL_NONE
        writer.WriteUInt32(0); // RemainingBytes
        writer.WriteUInt16(0); // ReadChannelInfoOffset
        writer.WriteUInt16(0); // ReadChannelInfoLength
        writer.WriteByte(0); // Buffer
        return writer.Position;
    }

    public static ReadRequest Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, "READ request");
        byte padding = reader.ReadByte();
        byte flags = reader.ReadByte();
        uint length = reader.ReadUInt32();
        ulong offset = reader.ReadUInt64();
        Smb2FileId fileId = Smb2FileId.Read(ref reader);
        uint minimum = reader.ReadUInt32();
        return new ReadRequest { Padding = padding, Flags = flags, Length = length, Offset = offset, FileId = fileId, MinimumCount = minimum };
    }
}
