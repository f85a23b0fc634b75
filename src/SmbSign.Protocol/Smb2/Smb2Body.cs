using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2;

/// <summary>Shared checks for SMB2 message bodies. A body follows the 64-byte header and starts with its StructureSize
/// ([MS-SMB2] 2.2); every offset inside a body counts from the start of the header.</summary>
internal static class Smb2Body
{
    /// <summary>Offset of the first body byte (the StructureSize field).</summary>
    public const int Start = Smb2Header.Size;

    /// <summary>Checks that <paramref name="message"/> holds a header and a body of at least <paramref name="fixedLength"/>
    /// bytes whose StructureSize is <paramref name="structureSize"/>; returns a reader positioned after StructureSize.</summary>
    public static SmbReader Open(ReadOnlySpan<byte> message, ushort structureSize, int fixedLength, string what)
    {
        if (message.Length < Start + fixedLength)
        {
            ThrowHelper.ThrowTruncated(what, Math.Min(message.Length, Start), Start + fixedLength - Math.Min(message.Length, Start), Math.Max(message.Length - Start, 0));
        }

        var reader = new SmbReader(message, what, Start);
        ushort actual = reader.ReadUInt16();
        if (actual != structureSize)
        {
            ThrowHelper.ThrowInvalid($"{what}: StructureSize is {actual}, expected {structureSize}", Start);
        }

        return reader;
    }

    /// <summary>Resolves an (offset, length) pair whose offset counts from the header start. A zero length yields an empty
    /// span whatever the offset; otherwise the range must start at or after <paramref name="minimumOffset"/> and end inside the message.</summary>
    public static ReadOnlySpan<byte> GetBuffer(ReadOnlySpan<byte> message, uint offset, uint length, int minimumOffset, string field)
    {
        if (length == 0)
        {
            return [];
        }

        if (offset < (uint)minimumOffset)
        {
            ThrowHelper.ThrowInvalid($"{field}: offset {offset} points into the fixed part (buffer starts at {minimumOffset})", offset);
        }

        if ((ulong)offset + length > (ulong)message.Length)
        {
            ThrowHelper.ThrowBufferOutOfRange(field, offset, length, message.Length);
        }

        return message.Slice((int)offset, (int)length);
    }

    /// <summary>Decodes a UTF-16LE name; an odd byte count is malformed.</summary>
    public static string DecodeUtf16(ReadOnlySpan<byte> bytes, string field, long offset)
    {
        if ((bytes.Length & 1) != 0)
        {
            ThrowHelper.ThrowInvalid($"{field}: UTF-16 length {bytes.Length} is odd", offset);
        }

        return System.Text.Encoding.Unicode.GetString(bytes);
    }

    /// <summary>Writes StructureSize plus a 2-byte Reserved field: the whole body of LOGOFF, TREE_DISCONNECT and ECHO.</summary>
    public static int WriteEmpty(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(4);
        writer.WriteUInt16(0);
        return writer.Position;
    }

    /// <summary>Parses a 4-byte body (StructureSize 4, Reserved 2).</summary>
    public static void ParseEmpty(ReadOnlySpan<byte> message, string what)
    {
        SmbReader reader = Open(message, 4, 4, what);
        reader.Skip(2);
    }
}
