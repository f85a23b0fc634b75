using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.54.1 SMB_COM_LOGOFF_ANDX Request (WordCount 2: the AndX block only). The response
/// (2.2.4.54.2) has the same shape.</summary>
public sealed class LogoffAndXRequest : ISmb1Request
{
    public const byte CommandCode = 0x74;
    public const byte WordCount = 2;

    public static LogoffAndXRequest Instance { get; } = new();

    public byte Command => CommandCode;

    public int GetEncodedLength() => 1 + (WordCount * 2) + 2;

    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        Smb1Body.WriteNoAndX(ref writer);
        writer.WriteUInt16(0);
        return writer.Position;
    }

    /// <summary>Checks a LOGOFF_ANDX request or response body.</summary>
    public static void Validate(ReadOnlySpan<byte> message) => Smb1Body.Read(message, "LOGOFF_ANDX", WordCount);
}
