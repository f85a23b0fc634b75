namespace SmbSign.Protocol.Smb1;

/// <summary>The AndX block that starts the parameter words of every *_ANDX command ([MS-CIFS] 2.2.3.4): the next
/// command in the chain (0xFF: none) and its offset from the header start.</summary>
public readonly record struct Smb1AndX(byte Command, ushort Offset)
{
    /// <summary>AndXCommand value that ends a chain.</summary>
    public const byte None = 0xFF;

    public bool HasNext => Command != None;

    /// <summary>
    /// Reads the AndX block of the command whose WordCount byte is at <paramref name="blockOffset"/> (32 for the first
    /// command) and, when it chains another command, checks that the next block lies after this command's data block and
    /// that its WordCount, words and ByteCount fit inside the message. Throws <see cref="SmbProtocolException"/> with the
    /// offending offset otherwise: a chain that points backwards, into itself or past the end is how a peer would make a
    /// parser loop or read out of bounds.
    /// </summary>
    public static Smb1AndX Read(ReadOnlySpan<byte> message, int blockOffset, string what)
    {
        (int wordCount, int end) = BlockBounds(message, blockOffset, what);
        if (wordCount < 2)
        {
            ThrowHelper.ThrowInvalid($"{what}: WordCount {wordCount} at offset {blockOffset} is too small for an AndX block (2 words)", blockOffset);
        }

        byte command = message[blockOffset + 1];
        ushort offset = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(message[(blockOffset + 3)..]);
        if (command == None)
        {
            return new Smb1AndX(None, offset);
        }

        if (offset < end)
        {
            ThrowHelper.ThrowInvalid($"{what}: AndXOffset {offset} points before the end ({end}) of the block at {blockOffset}", blockOffset + 3);
        }

        BlockBounds(message, offset, $"{what} (chained command 0x{command:X2} at AndXOffset {offset})");
        return new Smb1AndX(command, offset);
    }

    /// <summary>WordCount of the block at <paramref name="blockOffset"/> and the offset just past its data block.</summary>
    private static (int WordCount, int End) BlockBounds(ReadOnlySpan<byte> message, int blockOffset, string what)
    {
        if (blockOffset < Smb1Body.Start || blockOffset >= message.Length)
        {
            ThrowHelper.ThrowInvalid($"{what}: block offset {blockOffset} lies outside the {message.Length}-byte message", blockOffset);
        }

        int wordCount = message[blockOffset];
        int byteCountOffset = blockOffset + 1 + (wordCount * 2);
        if (byteCountOffset + 2 > message.Length)
        {
            ThrowHelper.ThrowTruncated(what, blockOffset, byteCountOffset + 2 - blockOffset, message.Length - blockOffset);
        }

        int byteCount = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(message[byteCountOffset..]);
        int end = byteCountOffset + 2 + byteCount;
        if (end > message.Length)
        {
            ThrowHelper.ThrowBufferOutOfRange($"{what} ByteCount", (ulong)(byteCountOffset + 2), (ulong)byteCount, message.Length);
        }

        return (wordCount, end);
    }
}
