using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.TreeConnect;

/// <summary>[MS-SMB2] 2.2.9 SMB2 TREE_CONNECT Request: the UNC path <c>\\server\share</c> in UTF-16LE.
/// The 3.1.1 extension (EXTENSION_PRESENT) is not produced.</summary>
public sealed class TreeConnectRequest : ISmb2Request
{
    public Smb2Command Command => Smb2Command.TreeConnect;

    public const ushort StructureSize = 9;

    /// <summary>Length of the fixed part before the path buffer.</summary>
    public const int FixedLength = 8;

    /// <summary>The full share path, e.g. <c>\\127.0.0.1\IPC$</c>.</summary>
    public required string Path { get; init; }

    /// <summary>[MS-SMB2] 2.2.9 Flags (3.1.1): 0x1 CLUSTER_RECONNECT, 0x2 REDIRECT_TO_OWNER, 0x4 EXTENSION_PRESENT.</summary>
    public ushort Flags { get; init; }

    public int GetEncodedLength() => FixedLength + System.Text.Encoding.Unicode.GetByteCount(Path);

    /// <summary>Writes the body (everything after the 64-byte header) into <paramref name="body"/>; returns the bytes written.</summary>
    public int WriteTo(Span<byte> body)
    {
        int pathLength = System.Text.Encoding.Unicode.GetByteCount(Path);
        if (pathLength > ushort.MaxValue)
        {
            throw new ArgumentException("Path is longer than 65535 bytes in UTF-16.", nameof(body));
        }

        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16(Flags);
        writer.WriteUInt16((ushort)(Smb2Header.Size + FixedLength));
        writer.WriteUInt16((ushort)pathLength);
        System.Text.Encoding.Unicode.GetBytes(Path, writer.Reserve(pathLength));
        return writer.Position;
    }

    /// <summary>Parses a request (header included) — used by capture analysis and the tamper proxy tests.</summary>
    public static TreeConnectRequest Parse(ReadOnlySpan<byte> message)
    {
        const string What = "TREE_CONNECT request";
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, What);
        ushort flags = reader.ReadUInt16();
        ushort pathOffset = reader.ReadUInt16();
        ushort pathLength = reader.ReadUInt16();
        ReadOnlySpan<byte> path = Smb2Body.GetBuffer(message, pathOffset, pathLength, Smb2Header.Size + FixedLength, "TREE_CONNECT request PathOffset/PathLength");
        return new TreeConnectRequest { Flags = flags, Path = Smb2Body.DecodeUtf16(path, "TREE_CONNECT request Path", pathOffset) };
    }
}
