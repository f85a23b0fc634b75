using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Read;

/// <summary>[MS-SMB2] 2.2.20 SMB2 READ Response.</summary>
public sealed class ReadResponse
{
    public const ushort StructureSize = 17;

    /// <summary>Length of the fixed part before the data.</summary>
    public const int FixedLength = 16;

    public ReadOnlyMemory<byte> Data { get; init; }

    public uint DataRemaining { get; init; }

    public static ReadResponse Parse(ReadOnlySpan<byte> message)
    {
        const string What = "READ response";
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, What);
        byte dataOffset = reader.ReadByte();
        reader.Skip(1);
        uint dataLength = reader.ReadUInt32();
        uint remaining = reader.ReadUInt32();
        ReadOnlySpan<byte> data = Smb2Body.GetBuffer(message, dataOffset, dataLength, Smb2Header.Size + FixedLength, "READ response DataOffset/DataLength");
        return new ReadResponse { Data = data.ToArray(), DataRemaining = remaining };
    }

    /// <summary>Body length (everything after the 64-byte header).</summary>
    public int GetEncodedLength() => FixedLength + Math.Max(Data.Length, 1);

    /// <summary>Writes the body after the header (for responders and tests); the data follows the fixed part at offset 80.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteByte((byte)(Smb2Header.Size + FixedLength));
        writer.WriteByte(0);
        writer.WriteUInt32((uint)Data.Length);
        writer.WriteUInt32(DataRemaining);
        writer.WriteUInt32(0);
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
}
