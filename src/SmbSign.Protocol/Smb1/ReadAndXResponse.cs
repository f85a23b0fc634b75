using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.42.2 / [MS-SMB] 2.2.4.2.2 SMB_COM_READ_ANDX Response (WordCount 12). DataOffset counts from
/// the header start; DataLengthHigh extends the length for large reads.</summary>
public sealed class ReadAndXResponse : ISmb1Response
{
    public const byte WordCount = 12;

    /// <summary>Where <see cref="WriteTo"/> puts the data: after the words, ByteCount and one pad byte (header offset 60).</summary>
    public const int WrittenDataOffset = Smb1Body.Start + 1 + (WordCount * 2) + 2 + 1;

    public ushort Available { get; init; }

    public ReadOnlyMemory<byte> Data { get; init; }

    public int GetEncodedLength() => 1 + (WordCount * 2) + 2 + 1 + Data.Length;

    /// <summary>Writes the response body with one pad byte before the data (so it starts at an even offset, 60).</summary>
    public int WriteTo(Span<byte> body)
    {
        ushort byteCount = Smb1Body.CheckByteCount(1 + Data.Length, "READ_ANDX response");
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        Smb1Body.WriteNoAndX(ref writer);
        writer.WriteUInt16(Available);
        writer.WriteUInt16(0); // DataCompactionMode
        writer.WriteUInt16(0); // Reserved1
        writer.WriteUInt16((ushort)Data.Length);
        writer.WriteUInt16(WrittenDataOffset);
        writer.WriteUInt16(0); // DataLengthHigh: ByteCount already limits the data to 64 KiB
        writer.WriteZeros(8); // Reserved2
        writer.WriteUInt16(byteCount);
        writer.WriteByte(0); // Pad
        writer.WriteBytes(Data.Span);
        return writer.Position;
    }

    public static ReadAndXResponse Parse(ReadOnlySpan<byte> message)
    {
        const string What = "READ_ANDX response";
        Smb1Body body = Smb1Body.Read(message, What, WordCount);
        SmbReader words = body.WordReader(What);
        words.Skip(4);
        ushort available = words.ReadUInt16();
        words.Skip(4); // DataCompactionMode, Reserved1
        ushort lengthLow = words.ReadUInt16();
        ushort dataOffset = words.ReadUInt16();
        ushort lengthHigh = words.ReadUInt16();
        uint length = ((uint)lengthHigh << 16) | lengthLow;
        if (length == 0)
        {
            return new ReadAndXResponse { Available = available, Data = ReadOnlyMemory<byte>.Empty };
        }

        if (dataOffset < body.BytesOffset)
        {
            ThrowHelper.ThrowInvalid($"READ_ANDX response: DataOffset {dataOffset} points before the data block at {body.BytesOffset}", dataOffset);
        }

        if ((ulong)dataOffset + length > (ulong)(body.BytesOffset + body.Bytes.Length))
        {
            ThrowHelper.ThrowBufferOutOfRange("READ_ANDX response DataOffset/DataLength", dataOffset, length, body.BytesOffset + body.Bytes.Length);
        }

        return new ReadAndXResponse { Available = available, Data = message.Slice(dataOffset, (int)length).ToArray() };
    }
}
