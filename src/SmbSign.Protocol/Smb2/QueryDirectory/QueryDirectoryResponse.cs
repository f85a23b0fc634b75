using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.QueryDirectory;

/// <summary>[MS-SMB2] 2.2.34 SMB2 QUERY_DIRECTORY Response: the raw output buffer; decode it with
/// <see cref="DirectoryEntry.ParseList"/> and the class that was requested.</summary>
public sealed class QueryDirectoryResponse
{
    public const ushort StructureSize = 9;

    /// <summary>Length of the fixed part before the buffer.</summary>
    public const int FixedLength = 8;

    public ReadOnlyMemory<byte> OutputBuffer { get; init; }

    /// <summary>Offset of the output buffer from the header start (kept so entry errors can name a message offset).</summary>
    public int OutputBufferOffset { get; init; }

    public static QueryDirectoryResponse Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, "QUERY_DIRECTORY response");
        ushort offset = reader.ReadUInt16();
        uint length = reader.ReadUInt32();
        ReadOnlySpan<byte> buffer = Smb2Body.GetBuffer(message, offset, length, Smb2Header.Size + FixedLength, "QUERY_DIRECTORY response OutputBufferOffset/OutputBufferLength");
        return new QueryDirectoryResponse { OutputBuffer = buffer.ToArray(), OutputBufferOffset = offset };
    }

    /// <summary>Decodes the entries of <see cref="OutputBuffer"/> as <paramref name="informationClass"/>.</summary>
    public IReadOnlyList<DirectoryEntry> GetEntries(FileInformationClass informationClass) =>
        DirectoryEntry.ParseList(OutputBuffer.Span, informationClass);

    /// <summary>Body length (everything after the 64-byte header).</summary>
    public int GetEncodedLength() => FixedLength + Math.Max(OutputBuffer.Length, 1);

    /// <summary>Writes the body after the header (for responders and tests); the buffer follows the fixed part at offset 72.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16((ushort)(Smb2Header.Size + FixedLength));
        writer.WriteUInt32((uint)OutputBuffer.Length);
        if (OutputBuffer.IsEmpty)
        {
            writer.WriteByte(0);
        }
        else
        {
            writer.WriteBytes(OutputBuffer.Span);
        }

        return writer.Position;
    }
}
