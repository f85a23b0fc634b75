using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>The parameter and data blocks that follow the 32-byte SMB1 header ([MS-CIFS] 2.2.3.2, 2.2.3.3):
/// WordCount(1), Words(2×WordCount), ByteCount(2), Bytes. Offsets inside SMB1 messages count from the header start.</summary>
internal readonly ref struct Smb1Body
{
    /// <summary>The SMB1 header is 32 bytes; the body starts right after it.</summary>
    public const int Start = 32;

    /// <summary>Flags2 offset in the SMB1 header and its SMB_FLAGS2_UNICODE bit.</summary>
    private const int Flags2Offset = 10;
    private const ushort Flags2Unicode = 0x8000;

    private Smb1Body(ReadOnlySpan<byte> message, byte wordCount, ReadOnlySpan<byte> words, ReadOnlySpan<byte> bytes, int bytesOffset)
    {
        Message = message;
        WordCount = wordCount;
        Words = words;
        Bytes = bytes;
        BytesOffset = bytesOffset;
    }

    public ReadOnlySpan<byte> Message { get; }

    public byte WordCount { get; }

    public ReadOnlySpan<byte> Words { get; }

    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Offset of <see cref="Bytes"/> from the header start.</summary>
    public int BytesOffset { get; }

    /// <summary>True when the header's Flags2 has SMB_FLAGS2_UNICODE (strings are UTF-16LE, 2-byte aligned).</summary>
    public bool IsUnicode => (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(Message[Flags2Offset..]) & Flags2Unicode) != 0;

    /// <summary>Reads the blocks and checks that WordCount is one of <paramref name="allowedWordCounts"/> and that
    /// ByteCount stays inside the message.</summary>
    public static Smb1Body Read(ReadOnlySpan<byte> message, string what, params ReadOnlySpan<byte> allowedWordCounts)
    {
        if (message.Length < Start + 3)
        {
            ThrowHelper.ThrowTruncated(what, Math.Min(message.Length, Start), Start + 3 - Math.Min(message.Length, Start), Math.Max(message.Length - Start, 0));
        }

        var reader = new SmbReader(message, what, Start);
        byte wordCount = reader.ReadByte();
        if (!allowedWordCounts.Contains(wordCount))
        {
            ThrowHelper.ThrowInvalid($"{what}: WordCount is {wordCount}, expected {string.Join(" or ", allowedWordCounts.ToArray())}", Start);
        }

        ReadOnlySpan<byte> words = reader.ReadBytes(wordCount * 2);
        ushort byteCount = reader.ReadUInt16();
        int bytesOffset = reader.Position;
        ReadOnlySpan<byte> bytes = reader.ReadBytes(byteCount);
        return new Smb1Body(message, wordCount, words, bytes, bytesOffset);
    }

    /// <summary>A reader over the parameter words, positions relative to the header start for error messages.</summary>
    public SmbReader WordReader(string what) => new(Message[..(Start + 1 + Words.Length)], what, Start + 1);

    /// <summary>Reads a NUL-terminated string from <see cref="Bytes"/> at <paramref name="position"/> (relative to
    /// <see cref="Bytes"/>), aligning Unicode strings to an even header offset. Returns the string and the position after
    /// the terminator; a missing terminator takes the rest of the block, nothing left yields an empty string.</summary>
    public (string Value, int Next) ReadString(int position, bool unicode)
    {
        ReadOnlySpan<byte> bytes = Bytes;
        if (unicode && ((BytesOffset + position) & 1) != 0 && position < bytes.Length)
        {
            position++;
        }

        if (position >= bytes.Length)
        {
            return (string.Empty, bytes.Length);
        }

        ReadOnlySpan<byte> rest = bytes[position..];
        if (unicode)
        {
            int end = 0;
            while (end + 1 < rest.Length && (rest[end] != 0 || rest[end + 1] != 0))
            {
                end += 2;
            }

            int length = Math.Min(end, rest.Length & ~1);
            string value = System.Text.Encoding.Unicode.GetString(rest[..length]);
            return (value, Math.Min(position + end + 2, bytes.Length));
        }

        int nul = rest.IndexOf((byte)0);
        int ascii = nul < 0 ? rest.Length : nul;
        return (System.Text.Encoding.ASCII.GetString(rest[..ascii]), Math.Min(position + ascii + 1, bytes.Length));
    }

    /// <summary>Writes the AndX block that ends a chain: AndXCommand 0xFF, reserved, offset 0.</summary>
    public static void WriteNoAndX(ref SmbWriter writer)
    {
        writer.WriteByte(0xFF);
        writer.WriteByte(0);
        writer.WriteUInt16(0);
    }

    /// <summary>Checks that a data block of <paramref name="byteCount"/> bytes fits the 16-bit ByteCount field.</summary>
    public static ushort CheckByteCount(int byteCount, string what)
    {
        if (byteCount > ushort.MaxValue)
        {
            throw new ArgumentException($"{what}: the data block ({byteCount} bytes) does not fit the 16-bit ByteCount.", nameof(byteCount));
        }

        return (ushort)byteCount;
    }

    /// <summary>Bytes a NUL-terminated UTF-16LE string takes.</summary>
    public static int UnicodeLength(string value) => System.Text.Encoding.Unicode.GetByteCount(value) + 2;

    /// <summary>Writes a NUL-terminated UTF-16LE string.</summary>
    public static void WriteUnicode(ref SmbWriter writer, string value)
    {
        System.Text.Encoding.Unicode.GetBytes(value, writer.Reserve(System.Text.Encoding.Unicode.GetByteCount(value)));
        writer.WriteUInt16(0);
    }
}

/// <summary>An SMB1 response body (WordCount onwards) that a server writes right after the 32-byte header; strings are
/// written in Unicode, so the header must carry SMB_FLAGS2_UNICODE.</summary>
public interface ISmb1Response
{
    int GetEncodedLength();

    /// <summary>Writes the body into <paramref name="body"/>, which starts at header offset 32; returns the bytes written.</summary>
    int WriteTo(Span<byte> body);
}

/// <summary>An SMB1 request body (WordCount onwards) that is written right after the 32-byte header.</summary>
public interface ISmb1Request
{
    /// <summary>The header's Command byte ([MS-CIFS] 2.2.2.1).</summary>
    byte Command { get; }

    int GetEncodedLength();

    /// <summary>Writes the body into <paramref name="body"/>, which starts at header offset 32; returns the bytes written.</summary>
    int WriteTo(Span<byte> body);
}
