using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.5.1 SMB_COM_CLOSE Request (WordCount 3). The response (2.2.4.5.2) is WordCount 0,
/// ByteCount 0 and is checked with <see cref="Smb1EmptyResponse"/>.</summary>
public sealed class CloseRequest : ISmb1Request
{
    public const byte CommandCode = 0x04;
    public const byte WordCount = 3;

    public byte Command => CommandCode;

    public required ushort Fid { get; init; }

    /// <summary>0 or 0xFFFFFFFF: leave the last-write time alone.</summary>
    public uint LastTimeModified { get; init; } = uint.MaxValue;

    public int GetEncodedLength() => 1 + (WordCount * 2) + 2;

    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        writer.WriteUInt16(Fid);
        writer.WriteUInt32(LastTimeModified);
        writer.WriteUInt16(0);
        return writer.Position;
    }

    public static CloseRequest Parse(ReadOnlySpan<byte> message)
    {
        const string What = "CLOSE request";
        Smb1Body body = Smb1Body.Read(message, What, WordCount);
        SmbReader words = body.WordReader(What);
        return new CloseRequest { Fid = words.ReadUInt16(), LastTimeModified = words.ReadUInt32() };
    }
}
