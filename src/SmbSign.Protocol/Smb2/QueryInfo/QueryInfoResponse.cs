using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.QueryInfo;

/// <summary>[MS-SMB2] 2.2.38 SMB2 QUERY_INFO Response: the raw output buffer (an [MS-FSCC] structure).</summary>
public sealed class QueryInfoResponse
{
    public const ushort StructureSize = 9;

    /// <summary>Length of the fixed part before the buffer.</summary>
    public const int FixedLength = 8;

    public ReadOnlyMemory<byte> OutputBuffer { get; init; }

    public static QueryInfoResponse Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, "QUERY_INFO response");
        ushort offset = reader.ReadUInt16();
        uint length = reader.ReadUInt32();
        ReadOnlySpan<byte> buffer = Smb2Body.GetBuffer(message, offset, length, Smb2Header.Size + FixedLength, "QUERY_INFO response OutputBufferOffset/OutputBufferLength");
        return new QueryInfoResponse { OutputBuffer = buffer.ToArray() };
    }

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
