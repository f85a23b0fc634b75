namespace SmbSign.Protocol.Smb2.Echo;

/// <summary>[MS-SMB2] 2.2.28 SMB2 ECHO Request: StructureSize 4 and a reserved field.</summary>
public sealed class EchoRequest : ISmb2Request
{
    public Smb2Command Command => Smb2Command.Echo;

    public const ushort StructureSize = 4;

    public static EchoRequest Instance { get; } = new();

    public int GetEncodedLength() => 4;

    /// <summary>Writes the 4-byte body into <paramref name="body"/>; returns the bytes written.</summary>
    public int WriteTo(Span<byte> body) => Smb2Body.WriteEmpty(body);

    public static EchoRequest Parse(ReadOnlySpan<byte> message)
    {
        Smb2Body.ParseEmpty(message, "ECHO request");
        return Instance;
    }
}
