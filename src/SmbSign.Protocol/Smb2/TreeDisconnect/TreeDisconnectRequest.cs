namespace SmbSign.Protocol.Smb2.TreeDisconnect;

/// <summary>[MS-SMB2] 2.2.11 SMB2 TREE_DISCONNECT Request: StructureSize 4 and a reserved field.</summary>
public sealed class TreeDisconnectRequest : ISmb2Request
{
    public Smb2Command Command => Smb2Command.TreeDisconnect;

    public const ushort StructureSize = 4;

    public static TreeDisconnectRequest Instance { get; } = new();

    public int GetEncodedLength() => 4;

    /// <summary>Writes the 4-byte body into <paramref name="body"/>; returns the bytes written.</summary>
    public int WriteTo(Span<byte> body) => Smb2Body.WriteEmpty(body);

    public static TreeDisconnectRequest Parse(ReadOnlySpan<byte> message)
    {
        Smb2Body.ParseEmpty(message, "TREE_DISCONNECT request");
        return Instance;
    }
}
