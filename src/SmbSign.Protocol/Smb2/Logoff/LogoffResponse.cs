namespace SmbSign.Protocol.Smb2.Logoff;

/// <summary>[MS-SMB2] 2.2.8 SMB2 LOGOFF Response: StructureSize 4 and a reserved field.</summary>
public sealed class LogoffResponse
{
    public const ushort StructureSize = 4;

    public static LogoffResponse Instance { get; } = new();

    public static LogoffResponse Parse(ReadOnlySpan<byte> message)
    {
        Smb2Body.ParseEmpty(message, "LOGOFF response");
        return Instance;
    }

    /// <summary>Body length (everything after the 64-byte header).</summary>
    public static int EncodedLength => StructureSize;

    /// <summary>Writes the 4-byte body (for responders and tests).</summary>
    public static int WriteTo(Span<byte> body) => Smb2Body.WriteEmpty(body);
}
