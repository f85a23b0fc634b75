using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Create;

/// <summary>[MS-SMB2] 2.2.13 SMB2 CREATE Request, minimal: no create contexts. The name is relative to the share
/// (empty = the share root) and is sent in UTF-16LE.</summary>
public sealed class CreateRequest : ISmb2Request
{
    public Smb2Command Command => Smb2Command.Create;

    public const ushort StructureSize = 57;

    /// <summary>Length of the fixed part before the name buffer (StructureSize 57 counts one buffer byte).</summary>
    public const int FixedLength = 56;

    public string Name { get; init; } = string.Empty;

    /// <summary>[MS-SMB2] 2.2.13 RequestedOplockLevel: 0x00 NONE.</summary>
    public byte RequestedOplockLevel { get; init; }

    /// <summary>[MS-SMB2] 2.2.13 ImpersonationLevel: 2 = Impersonation.</summary>
    public uint ImpersonationLevel { get; init; } = 2;

    public AccessMask DesiredAccess { get; init; } = AccessMask.GenericRead;

    public uint FileAttributes { get; init; }

    public ShareAccess ShareAccess { get; init; } = ShareAccess.Read | ShareAccess.Write | ShareAccess.Delete;

    public CreateDisposition CreateDisposition { get; init; } = CreateDisposition.Open;

    public CreateOptions CreateOptions { get; init; }

    private int NameLength => System.Text.Encoding.Unicode.GetByteCount(Name);

    /// <summary>Body length; the buffer holds at least one byte even for an empty name ([MS-SMB2] 2.2.13 Buffer).</summary>
    public int GetEncodedLength() => FixedLength + Math.Max(NameLength, 1);

    /// <summary>Writes the body (everything after the 64-byte header) into <paramref name="body"/>; returns the bytes written.</summary>
    public int WriteTo(Span<byte> body)
    {
        int nameLength = NameLength;
        if (nameLength > ushort.MaxValue)
        {
            throw new ArgumentException("Name is longer than 65535 bytes in UTF-16.", nameof(body));
        }

        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteByte(0); // SecurityFlags
        writer.WriteByte(RequestedOplockLevel);
        writer.WriteUInt32(ImpersonationLevel);
        writer.WriteUInt64(0); // SmbCreateFlags
        writer.WriteUInt64(0); // Reserved
        writer.WriteUInt32((uint)DesiredAccess);
        writer.WriteUInt32(FileAttributes);
        writer.WriteUInt32((uint)ShareAccess);
        writer.WriteUInt32((uint)CreateDisposition);
        writer.WriteUInt32((uint)CreateOptions);
        writer.WriteUInt16((ushort)(Smb2Header.Size + FixedLength));
        writer.WriteUInt16((ushort)nameLength);
        writer.WriteUInt32(0); // CreateContextsOffset
        writer.WriteUInt32(0); // CreateContextsLength
        if (nameLength == 0)
        {
            writer.WriteByte(0);
        }
        else
        {
            System.Text.Encoding.Unicode.GetBytes(Name, writer.Reserve(nameLength));
        }

        return writer.Position;
    }

    /// <summary>Parses a request (header included); create contexts are checked for range but not decoded.</summary>
    public static CreateRequest Parse(ReadOnlySpan<byte> message)
    {
        const string What = "CREATE request";
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, What);
        reader.Skip(1);
        byte oplock = reader.ReadByte();
        uint impersonation = reader.ReadUInt32();
        reader.Skip(16);
        var access = (AccessMask)reader.ReadUInt32();
        uint attributes = reader.ReadUInt32();
        var share = (ShareAccess)reader.ReadUInt32();
        var disposition = (CreateDisposition)reader.ReadUInt32();
        var options = (CreateOptions)reader.ReadUInt32();
        ushort nameOffset = reader.ReadUInt16();
        ushort nameLength = reader.ReadUInt16();
        uint contextsOffset = reader.ReadUInt32();
        uint contextsLength = reader.ReadUInt32();
        int bufferStart = Smb2Header.Size + FixedLength;
        ReadOnlySpan<byte> name = Smb2Body.GetBuffer(message, nameOffset, nameLength, bufferStart, "CREATE request NameOffset/NameLength");
        _ = Smb2Body.GetBuffer(message, contextsOffset, contextsLength, bufferStart, "CREATE request CreateContextsOffset/CreateContextsLength");
        return new CreateRequest
        {
            RequestedOplockLevel = oplock,
            ImpersonationLevel = impersonation,
            DesiredAccess = access,
            FileAttributes = attributes,
            ShareAccess = share,
            CreateDisposition = disposition,
            CreateOptions = options,
            Name = Smb2Body.DecodeUtf16(name, "CREATE request Name", nameOffset),
        };
    }
}

/// <summary>[MS-SMB2] 2.2.13.1 access mask bits SmbSign uses.</summary>
[Flags]
public enum AccessMask : uint
{
    None = 0,
    /// <summary>FILE_READ_DATA, or FILE_LIST_DIRECTORY on a directory.</summary>
    FileReadData = 0x0000_0001,
    FileWriteData = 0x0000_0002,
    FileAppendData = 0x0000_0004,
    FileReadEa = 0x0000_0008,
    /// <summary>FILE_EXECUTE, or FILE_TRAVERSE on a directory.</summary>
    FileExecute = 0x0000_0020,
    FileReadAttributes = 0x0000_0080,
    Delete = 0x0001_0000,
    ReadControl = 0x0002_0000,
    Synchronize = 0x0010_0000,
    MaximumAllowed = 0x0200_0000,
    GenericAll = 0x1000_0000,
    GenericExecute = 0x2000_0000,
    GenericWrite = 0x4000_0000,
    GenericRead = 0x8000_0000,
}

/// <summary>[MS-SMB2] 2.2.13 ShareAccess.</summary>
[Flags]
public enum ShareAccess : uint
{
    None = 0,
    Read = 0x1,
    Write = 0x2,
    Delete = 0x4,
}

/// <summary>[MS-SMB2] 2.2.13 CreateDisposition.</summary>
public enum CreateDisposition : uint
{
    Supersede = 0,
    Open = 1,
    Create = 2,
    OpenIf = 3,
    Overwrite = 4,
    OverwriteIf = 5,
}

/// <summary>[MS-SMB2] 2.2.13 CreateOptions bits SmbSign uses.</summary>
[Flags]
public enum CreateOptions : uint
{
    None = 0,
    DirectoryFile = 0x0000_0001,
    WriteThrough = 0x0000_0002,
    SequentialOnly = 0x0000_0004,
    NonDirectoryFile = 0x0000_0040,

    /// <summary>FILE_DELETE_ON_CLOSE: delete the file when the last handle closes.</summary>
    DeleteOnClose = 0x0000_1000,
}
