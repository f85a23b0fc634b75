using System.Buffers.Binary;
using SmbSign.Capture.Link;

namespace SmbSign.Capture.Tcp;

/// <summary>TCP control bits ([RFC 9293] 3.1).</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
}

/// <summary>The fields of a TCP header the reassembler uses ([RFC 9293] 3.1).</summary>
public readonly record struct TcpHeader(ushort SourcePort, ushort DestinationPort, uint Sequence, uint Acknowledgment, TcpFlags Flags, int HeaderLength)
{
    public const int MinimumSize = 20;

    public bool HasFlag(TcpFlags flag) => (Flags & flag) != 0;

    /// <summary>Parses the header at the start of <paramref name="segment"/> (options are skipped by Data Offset).</summary>
    public static DecodeStatus TryRead(ReadOnlySpan<byte> segment, out TcpHeader header)
    {
        header = default;
        if (segment.Length < MinimumSize)
        {
            return DecodeStatus.Truncated;
        }

        int headerLength = (segment[12] >> 4) * 4;
        if (headerLength < MinimumSize)
        {
            return DecodeStatus.Malformed;
        }

        if (segment.Length < headerLength)
        {
            return DecodeStatus.Truncated;
        }

        header = new TcpHeader(
            BinaryPrimitives.ReadUInt16BigEndian(segment),
            BinaryPrimitives.ReadUInt16BigEndian(segment[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(segment[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(segment[8..]),
            (TcpFlags)(segment[13] & 0x3F),
            headerLength);
        return DecodeStatus.Ok;
    }
}
