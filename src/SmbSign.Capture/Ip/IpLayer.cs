using System.Buffers.Binary;
using SmbSign.Capture.Link;

namespace SmbSign.Capture.Ip;

/// <summary>The parts of an IP header SmbSign needs.</summary>
/// <param name="Source">Sending address.</param>
/// <param name="Destination">Receiving address.</param>
/// <param name="Protocol">Transport protocol number (6 = TCP).</param>
/// <param name="PayloadOffset">Offset of the transport header within the IP packet span.</param>
/// <param name="PayloadLength">Transport bytes the IP header announces (from Total/Payload Length).</param>
/// <param name="CapturedPayloadLength">Transport bytes actually captured (smaller when the snapshot length cut the packet).</param>
public readonly record struct IpPacketInfo(
    IpAddressValue Source,
    IpAddressValue Destination,
    byte Protocol,
    int PayloadOffset,
    int PayloadLength,
    int CapturedPayloadLength);

/// <summary>IPv4 (header options skipped by IHL) and IPv6 (extension header chain walked, bounded). Fragments are
/// recognised and reported, not reassembled.</summary>
public static class IpLayer
{
    public const byte ProtocolTcp = 6;
    private const int MaxExtensionHeaders = 16;

    public static DecodeStatus TryDecode(NetworkProtocol protocol, ReadOnlySpan<byte> packet, out IpPacketInfo info) => protocol switch
    {
        NetworkProtocol.Ipv4 => TryDecodeIpv4(packet, out info),
        NetworkProtocol.Ipv6 => TryDecodeIpv6(packet, out info),
        _ => NotApplicable(out info),
    };

    private static DecodeStatus NotApplicable(out IpPacketInfo info)
    {
        info = default;
        return DecodeStatus.NotApplicable;
    }

    /// <summary>[RFC 791] 3.1.</summary>
    public static DecodeStatus TryDecodeIpv4(ReadOnlySpan<byte> packet, out IpPacketInfo info)
    {
        info = default;
        if (packet.Length < 20)
        {
            return DecodeStatus.Truncated;
        }

        if (packet[0] >> 4 != 4)
        {
            return DecodeStatus.Malformed;
        }

        int headerLength = (packet[0] & 0x0F) * 4;
        if (headerLength < 20)
        {
            return DecodeStatus.Malformed;
        }

        if (packet.Length < headerLength)
        {
            return DecodeStatus.Truncated;
        }

        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (totalLength == 0)
        {
            // TCP segmentation offload captured before the NIC split the packet: the length is left 0.
            totalLength = packet.Length;
        }
        else if (totalLength < headerLength)
        {
            return DecodeStatus.Malformed;
        }

        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        bool moreFragments = (fragment & 0x2000) != 0;
        int fragmentOffset = fragment & 0x1FFF;
        var source = IpAddressValue.FromBytes(packet.Slice(12, 4));
        var destination = IpAddressValue.FromBytes(packet.Slice(16, 4));
        int payloadLength = totalLength - headerLength;

        // Ethernet pads short frames: the IP length, not the captured length, ends the packet.
        int captured = Math.Min(payloadLength, packet.Length - headerLength);
        info = new IpPacketInfo(source, destination, packet[9], headerLength, payloadLength, captured);
        return moreFragments || fragmentOffset != 0 ? DecodeStatus.Fragment : DecodeStatus.Ok;
    }

    /// <summary>[RFC 8200] 3 and 4.</summary>
    public static DecodeStatus TryDecodeIpv6(ReadOnlySpan<byte> packet, out IpPacketInfo info)
    {
        info = default;
        if (packet.Length < 40)
        {
            return DecodeStatus.Truncated;
        }

        if (packet[0] >> 4 != 6)
        {
            return DecodeStatus.Malformed;
        }

        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        if (payloadLength == 0)
        {
            // A jumbogram (RFC 2675) or an offloaded segment: take what was captured.
            payloadLength = packet.Length - 40;
        }

        byte next = packet[6];
        var source = IpAddressValue.FromBytes(packet.Slice(8, 16));
        var destination = IpAddressValue.FromBytes(packet.Slice(24, 16));
        int offset = 40;
        int end = 40 + payloadLength;
        bool fragment = false;
        for (int count = 0; ; count++)
        {
            if (count > MaxExtensionHeaders)
            {
                return DecodeStatus.Malformed;
            }

            int length;
            switch (next)
            {
                case 0:   // Hop-by-Hop Options
                case 43:  // Routing
                case 60:  // Destination Options
                case 135: // Mobility
                case 139: // HIP
                case 140: // Shim6
                    if (packet.Length < offset + 8)
                    {
                        return DecodeStatus.Truncated;
                    }

                    length = (packet[offset + 1] + 1) * 8;
                    break;
                case 44: // Fragment: next(1), reserved(1), offset+flags(2), identification(4).
                    if (packet.Length < offset + 8)
                    {
                        return DecodeStatus.Truncated;
                    }

                    ushort offsetAndFlags = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
                    fragment |= (offsetAndFlags & 0xFFF9) != 0; // an "atomic fragment" (offset 0, M clear) is whole
                    length = 8;
                    break;
                case 51: // Authentication Header: its length is in 4-octet units, minus 2.
                    if (packet.Length < offset + 8)
                    {
                        return DecodeStatus.Truncated;
                    }

                    length = (packet[offset + 1] + 2) * 4;
                    break;
                default:
                    if (offset > end)
                    {
                        return DecodeStatus.Malformed;
                    }

                    int announced = end - offset;
                    int captured = Math.Min(announced, packet.Length - offset);
                    info = new IpPacketInfo(source, destination, next, offset, announced, Math.Max(captured, 0));
                    return fragment ? DecodeStatus.Fragment : DecodeStatus.Ok;
            }

            if (fragment)
            {
                // The rest belongs to a fragmented datagram; report it without looking further.
                info = new IpPacketInfo(source, destination, packet[offset], offset + length, 0, 0);
                return DecodeStatus.Fragment;
            }

            next = packet[offset];
            offset += length;
        }
    }
}
