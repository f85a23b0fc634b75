using System.Buffers;

namespace SmbSign.Protocol.Framing;

/// <summary>Direct TCP / NetBIOS session service framing ([MS-SMB2] 2.1): a 4-byte prefix, type 0x00 then a
/// 24-bit big-endian length (direct TCP uses the low 24 bits; NBSS type 0x00 allows 17 bits, 0x85 is keep-alive).</summary>
public static class DirectTcpFraming
{
    public const int PrefixSize = 4;

    /// <summary>The largest frame SmbSign accepts by default (SMB2 max transact sizes are 8 MiB; 16 MiB leaves room).</summary>
    public const int DefaultMaxFrameSize = 16 * 1024 * 1024;

    /// <summary>Looks for one frame at the start of <paramref name="buffer"/>.</summary>
    /// <returns><see cref="OperationStatus.Done"/> with the frame's payload range; <see cref="OperationStatus.NeedMoreData"/>;
    /// or <see cref="OperationStatus.InvalidData"/> for a frame type other than session message/keep-alive or a length above the limit.</returns>
    public static OperationStatus TryReadFrame(ReadOnlySpan<byte> buffer, out int payloadLength, out int consumed, int maxFrameSize = DefaultMaxFrameSize)
    {
        payloadLength = 0;
        consumed = 0;
        if (buffer.Length < PrefixSize)
        {
            return OperationStatus.NeedMoreData;
        }

        byte type = buffer[0];
        int length = (buffer[1] << 16) | (buffer[2] << 8) | buffer[3];
        if (type == 0x85)
        {
            // NBSS keep-alive: no payload, nothing to hand up, but the prefix is consumed.
            consumed = PrefixSize;
            return length == 0 ? OperationStatus.Done : OperationStatus.InvalidData;
        }

        if (type != 0x00 || length > maxFrameSize)
        {
            return OperationStatus.InvalidData;
        }

        if (buffer.Length - PrefixSize < length)
        {
            return OperationStatus.NeedMoreData;
        }

        payloadLength = length;
        consumed = PrefixSize + length;
        return OperationStatus.Done;
    }

    /// <summary>Writes the 4-byte prefix for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public static void WritePrefix(Span<byte> destination, int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, 0xFF_FFFF);
        destination[0] = 0;
        destination[1] = (byte)(payloadLength >> 16);
        destination[2] = (byte)(payloadLength >> 8);
        destination[3] = (byte)payloadLength;
    }
}
