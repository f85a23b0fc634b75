using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Close;

/// <summary>[MS-SMB2] 2.2.16 SMB2 CLOSE Response. The attribute fields are zero unless POSTQUERY_ATTRIB was requested.</summary>
public sealed class CloseResponse
{
    public const ushort StructureSize = 60;

    public ushort Flags { get; init; }

    public long CreationTime { get; init; }

    public long LastAccessTime { get; init; }

    public long LastWriteTime { get; init; }

    public long ChangeTime { get; init; }

    public ulong AllocationSize { get; init; }

    public ulong EndOfFile { get; init; }

    public uint FileAttributes { get; init; }

    public static CloseResponse Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, StructureSize, "CLOSE response");
        ushort flags = reader.ReadUInt16();
        reader.Skip(4);
        return new CloseResponse
        {
            Flags = flags,
            CreationTime = (long)reader.ReadUInt64(),
            LastAccessTime = (long)reader.ReadUInt64(),
            LastWriteTime = (long)reader.ReadUInt64(),
            ChangeTime = (long)reader.ReadUInt64(),
            AllocationSize = reader.ReadUInt64(),
            EndOfFile = reader.ReadUInt64(),
            FileAttributes = reader.ReadUInt32(),
        };
    }

    /// <summary>Body length (everything after the 64-byte header).</summary>
    public static int EncodedLength => StructureSize;

    /// <summary>Writes the body after the header (for responders and tests); returns the bytes written.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16(Flags);
        writer.WriteUInt32(0);
        writer.WriteUInt64((ulong)CreationTime);
        writer.WriteUInt64((ulong)LastAccessTime);
        writer.WriteUInt64((ulong)LastWriteTime);
        writer.WriteUInt64((ulong)ChangeTime);
        writer.WriteUInt64(AllocationSize);
        writer.WriteUInt64(EndOfFile);
        writer.WriteUInt32(FileAttributes);
        return writer.Position;
    }
}
