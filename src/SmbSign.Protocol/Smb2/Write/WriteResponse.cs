using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Write;

/// <summary>[MS-SMB2] 2.2.22 SMB2 WRITE Response.</summary>
public sealed class WriteResponse
{
    public const ushort StructureSize = 17;

    /// <summary>Length of the fixed part (StructureSize 17 counts one buffer byte, which servers may omit).</summary>
    public const int FixedLength = 16;

    /// <summary>Bytes the server says it wrote.</summary>
    public uint Count { get; init; }

    public static WriteResponse Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, "WRITE response");
        reader.Skip(2); // Reserved
        uint count = reader.ReadUInt32();
        return new WriteResponse { Count = count };
    }

    /// <summary>Body length (everything after the 64-byte header), with the one buffer byte.</summary>
    public const int EncodedLength = FixedLength + 1;

    /// <summary>Writes the body after the header (for responders and tests).</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16(0); // Reserved
        writer.WriteUInt32(Count);
        writer.WriteUInt32(0); // Remaining
        writer.WriteUInt16(0); // WriteChannelInfoOffset
        writer.WriteUInt16(0); // WriteChannelInfoLength
        writer.WriteByte(0);
        return writer.Position;
    }
}
