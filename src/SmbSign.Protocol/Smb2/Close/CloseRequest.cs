using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Close;

/// <summary>[MS-SMB2] 2.2.15 SMB2 CLOSE Request.</summary>
public sealed class CloseRequest : ISmb2Request
{
    public Smb2Command Command => Smb2Command.Close;

    public const ushort StructureSize = 24;

    /// <summary>SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB: ask the server to return the file's attributes.</summary>
    public const ushort PostQueryAttributes = 0x0001;

    public required Smb2FileId FileId { get; init; }

    public ushort Flags { get; init; }

    public int GetEncodedLength() => StructureSize;

    /// <summary>Writes the 24-byte body; returns the bytes written.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16(Flags);
        writer.WriteUInt32(0);
        FileId.Write(ref writer);
        return writer.Position;
    }

    public static CloseRequest Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, StructureSize, "CLOSE request");
        ushort flags = reader.ReadUInt16();
        reader.Skip(4);
        return new CloseRequest { Flags = flags, FileId = Smb2FileId.Read(ref reader) };
    }
}
