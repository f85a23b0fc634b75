namespace SmbSign.Protocol.Smb2.Logoff;

/// <summary>[MS-SMB2] 2.2.7 SMB2 LOGOFF Request: StructureSize 4 and a reserved field.</summary>
public sealed class LogoffRequest : ISmb2Request
{
    public Smb2Command Command => Smb2Command.Logoff;

    public const ushort StructureSize = 4;

    public static LogoffRequest Instance { get; } = new();

    public int GetEncodedLength() => 4;

    /// <summary>Writes the 4-byte body into <paramref name="body"/>; returns the bytes written.</summary>
    public int WriteTo(Span<byte> body) => Smb2Body.WriteEmpty(body);

    public static LogoffRequest Parse(ReadOnlySpan<byte> message)
    {
        Smb2Body.ParseEmpty(message, "LOGOFF request");
        return Instance;
    }
}
