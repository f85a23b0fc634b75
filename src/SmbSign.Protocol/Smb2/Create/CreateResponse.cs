using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Create;

/// <summary>[MS-SMB2] 2.2.14 SMB2 CREATE Response. Create contexts are range-checked and kept raw.</summary>
public sealed class CreateResponse
{
    public const ushort StructureSize = 89;

    /// <summary>Length of the fixed part before the buffer.</summary>
    public const int FixedLength = 88;

    public byte OplockLevel { get; init; }

    public byte Flags { get; init; }

    /// <summary>[MS-SMB2] 2.2.14 CreateAction: 0 SUPERSEDED, 1 OPENED, 2 CREATED, 3 OVERWRITTEN.</summary>
    public uint CreateAction { get; init; }

    public long CreationTime { get; init; }

    public long LastAccessTime { get; init; }

    public long LastWriteTime { get; init; }

    public long ChangeTime { get; init; }

    public ulong AllocationSize { get; init; }

    public ulong EndOfFile { get; init; }

    public uint FileAttributes { get; init; }

    public Smb2FileId FileId { get; init; }

    public ReadOnlyMemory<byte> CreateContexts { get; init; }

    /// <summary>FILE_ATTRIBUTE_DIRECTORY (0x10).</summary>
    public bool IsDirectory => (FileAttributes & 0x10) != 0;

    public static CreateResponse Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, "CREATE response");
        byte oplock = reader.ReadByte();
        byte flags = reader.ReadByte();
        uint action = reader.ReadUInt32();
        long creation = (long)reader.ReadUInt64();
        long access = (long)reader.ReadUInt64();
        long write = (long)reader.ReadUInt64();
        long change = (long)reader.ReadUInt64();
        ulong allocation = reader.ReadUInt64();
        ulong endOfFile = reader.ReadUInt64();
        uint attributes = reader.ReadUInt32();
        reader.Skip(4);
        Smb2FileId fileId = Smb2FileId.Read(ref reader);
        uint contextsOffset = reader.ReadUInt32();
        uint contextsLength = reader.ReadUInt32();
        ReadOnlySpan<byte> contexts = Smb2Body.GetBuffer(message, contextsOffset, contextsLength, Smb2Header.Size + FixedLength, "CREATE response CreateContextsOffset/CreateContextsLength");
        return new CreateResponse
        {
            OplockLevel = oplock,
            Flags = flags,
            CreateAction = action,
            CreationTime = creation,
            LastAccessTime = access,
            LastWriteTime = write,
            ChangeTime = change,
            AllocationSize = allocation,
            EndOfFile = endOfFile,
            FileAttributes = attributes,
            FileId = fileId,
            CreateContexts = contexts.ToArray(),
        };
    }

    /// <summary>Body length (everything after the 64-byte header).</summary>
    public int GetEncodedLength() => FixedLength + Math.Max(CreateContexts.Length, 1);

    /// <summary>Writes the body after the header (for responders and tests); returns the bytes written. Without create
    /// contexts the one-byte buffer StructureSize 89 counts is written as zero.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteByte(OplockLevel);
        writer.WriteByte(Flags);
        writer.WriteUInt32(CreateAction);
        writer.WriteUInt64((ulong)CreationTime);
        writer.WriteUInt64((ulong)LastAccessTime);
        writer.WriteUInt64((ulong)LastWriteTime);
        writer.WriteUInt64((ulong)ChangeTime);
        writer.WriteUInt64(AllocationSize);
        writer.WriteUInt64(EndOfFile);
        writer.WriteUInt32(FileAttributes);
        writer.WriteUInt32(0);
        FileId.Write(ref writer);
        writer.WriteUInt32(CreateContexts.IsEmpty ? 0u : (uint)(Smb2Header.Size + FixedLength));
        writer.WriteUInt32((uint)CreateContexts.Length);
        if (CreateContexts.IsEmpty)
        {
            writer.WriteByte(0);
        }
        else
        {
            writer.WriteBytes(CreateContexts.Span);
        }

        return writer.Position;
    }
}
