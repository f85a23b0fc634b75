namespace SmbSign.Protocol.Smb2.Echo;

/// <summary>[MS-SMB2] 2.2.29 SMB2 ECHO Response: StructureSize 4 and a reserved field.</summary>
public sealed class EchoResponse
{
    public const ushort StructureSize = 4;

    public static EchoResponse Instance { get; } = new();

    public static EchoResponse Parse(ReadOnlySpan<byte> message)
    {
        Smb2Body.ParseEmpty(message, "ECHO response");
        return Instance;
    }

    /// <summary>Body length (everything after the 64-byte header).</summary>
    public static int EncodedLength => StructureSize;

    /// <summary>Writes the 4-byte body (for responders and tests).</summary>
    public static int WriteTo(Span<byte> body) => Smb2Body.WriteEmpty(body);
}
