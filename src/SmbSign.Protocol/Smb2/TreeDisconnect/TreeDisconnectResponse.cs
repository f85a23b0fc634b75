namespace SmbSign.Protocol.Smb2.TreeDisconnect;

/// <summary>[MS-SMB2] 2.2.12 SMB2 TREE_DISCONNECT Response: StructureSize 4 and a reserved field.</summary>
public sealed class TreeDisconnectResponse
{
    public const ushort StructureSize = 4;

    public static TreeDisconnectResponse Instance { get; } = new();

    public static TreeDisconnectResponse Parse(ReadOnlySpan<byte> message)
    {
        Smb2Body.ParseEmpty(message, "TREE_DISCONNECT response");
        return Instance;
    }

    /// <summary>Body length (everything after the 64-byte header).</summary>
    public static int EncodedLength => StructureSize;

    /// <summary>Writes the 4-byte body (for responders and tests).</summary>
    public static int WriteTo(Span<byte> body) => Smb2Body.WriteEmpty(body);
}
