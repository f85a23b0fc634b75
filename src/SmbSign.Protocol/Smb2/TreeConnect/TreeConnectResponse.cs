using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.TreeConnect;

/// <summary>[MS-SMB2] 2.2.10 SMB2 TREE_CONNECT Response.</summary>
public sealed class TreeConnectResponse
{
    public const ushort StructureSize = 16;

    public ShareType ShareType { get; init; }

    public ShareFlags ShareFlags { get; init; }

    public ShareCapabilities Capabilities { get; init; }

    /// <summary>The access mask the user has on the share.</summary>
    public uint MaximalAccess { get; init; }

    /// <summary>SMB2_SHAREFLAG_ENCRYPT_DATA: the server requires encryption on this share (3.x).</summary>
    public bool EncryptData => (ShareFlags & ShareFlags.EncryptData) != 0;

    public static TreeConnectResponse Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, 16, "TREE_CONNECT response");
        var shareType = (ShareType)reader.ReadByte();
        reader.Skip(1);
        var flags = (ShareFlags)reader.ReadUInt32();
        var capabilities = (ShareCapabilities)reader.ReadUInt32();
        uint maximalAccess = reader.ReadUInt32();
        return new TreeConnectResponse { ShareType = shareType, ShareFlags = flags, Capabilities = capabilities, MaximalAccess = maximalAccess };
    }

    /// <summary>Body length (everything after the 64-byte header).</summary>
    public static int EncodedLength => StructureSize;

    /// <summary>Writes the body after the header (for responders and tests); returns the bytes written.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteByte((byte)ShareType);
        writer.WriteByte(0);
        writer.WriteUInt32((uint)ShareFlags);
        writer.WriteUInt32((uint)Capabilities);
        writer.WriteUInt32(MaximalAccess);
        return writer.Position;
    }
}

/// <summary>[MS-SMB2] 2.2.10 ShareType.</summary>
public enum ShareType : byte
{
    Disk = 0x01,
    Pipe = 0x02,
    Print = 0x03,
}

/// <summary>[MS-SMB2] 2.2.10 ShareFlags (caching bits 0x00–0x30 are a 2-bit field, kept raw).</summary>
[Flags]
public enum ShareFlags : uint
{
    None = 0,
    CachingMask = 0x0000_0030,
    Dfs = 0x0000_0001,
    DfsRoot = 0x0000_0002,
    RestrictExclusiveOpens = 0x0000_0100,
    ForceSharedDelete = 0x0000_0200,
    AllowNamespaceCaching = 0x0000_0400,
    AccessBasedDirectoryEnum = 0x0000_0800,
    ForceLevelIIOplock = 0x0000_1000,
    EnableHashV1 = 0x0000_2000,
    EnableHashV2 = 0x0000_4000,
    EncryptData = 0x0000_8000,
    IdentityRemoting = 0x0004_0000,
    Compression = 0x0010_0000,
    IsolatedTransport = 0x0020_0000,
}

/// <summary>[MS-SMB2] 2.2.10 Capabilities.</summary>
[Flags]
public enum ShareCapabilities : uint
{
    None = 0,
    Dfs = 0x0000_0008,
    ContinuousAvailability = 0x0000_0010,
    ScaleOut = 0x0000_0020,
    Cluster = 0x0000_0040,
    Asymmetric = 0x0000_0080,
    RedirectToOwner = 0x0000_0100,
}
