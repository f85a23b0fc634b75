using System.Buffers.Binary;

namespace SmbSign.Capture.Link;

/// <summary>The network protocol a link-layer frame carries.</summary>
public enum NetworkProtocol : byte
{
    Other = 0,
    Ipv4 = 4,
    Ipv6 = 6,
}

/// <summary>Outcome of decoding one layer of a packet.</summary>
public enum DecodeStatus : byte
{
    Ok = 0,

    /// <summary>The packet carries something SmbSign does not look at (ARP, UDP, ICMP, LLC…).</summary>
    NotApplicable,

    /// <summary>The captured bytes end inside a header (snapshot length or a broken packet).</summary>
    Truncated,

    /// <summary>A header field contradicts the packet (bad version, header length below minimum…).</summary>
    Malformed,

    /// <summary>An IP fragment: reported, not reassembled.</summary>
    Fragment,

    /// <summary>The capture's link type is not one SmbSign decodes.</summary>
    UnsupportedLinkType,
}

/// <summary>Strips link-layer headers: Ethernet II (with any number of 802.1Q / 802.1ad QinQ tags, bounded), Linux
/// cooked SLL and SLL2, BSD NULL (either byte order) and LOOP, and raw IP.</summary>
public static class LinkLayer
{
    public const int MaxVlanTags = 8;
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeIpv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const ushort EtherTypeQinQOld = 0x9100;

    /// <summary>Finds where the IP header starts.</summary>
    public static DecodeStatus TryGetNetworkPayload(LinkType linkType, ReadOnlySpan<byte> frame, out int offset, out NetworkProtocol protocol)
    {
        offset = 0;
        protocol = NetworkProtocol.Other;
        switch (linkType)
        {
            case LinkType.Ethernet:
                return Ethernet(frame, out offset, out protocol);
            case LinkType.LinuxSll:
                // Packet type(2), ARPHRD(2), address length(2), address(8), protocol(2).
                if (frame.Length < 16)
                {
                    return DecodeStatus.Truncated;
                }

                offset = 16;
                protocol = FromEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]));
                return protocol == NetworkProtocol.Other ? DecodeStatus.NotApplicable : DecodeStatus.Ok;
            case LinkType.LinuxSll2:
                // Protocol(2), reserved(2), interface index(4), ARPHRD(2), packet type(1), address length(1), address(8).
                if (frame.Length < 20)
                {
                    return DecodeStatus.Truncated;
                }

                offset = 20;
                protocol = FromEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame));
                return protocol == NetworkProtocol.Other ? DecodeStatus.NotApplicable : DecodeStatus.Ok;
            case LinkType.Null:
            case LinkType.Loop:
                if (frame.Length < 4)
                {
                    return DecodeStatus.Truncated;
                }

                offset = 4;
                uint family = linkType == LinkType.Loop
                    ? BinaryPrimitives.ReadUInt32BigEndian(frame)
                    : BinaryPrimitives.ReadUInt32LittleEndian(frame);
                if ((family & 0xFFFF0000) != 0)
                {
                    // NULL is in the writer's byte order: a value in the upper half means the other order.
                    family = BinaryPrimitives.ReverseEndianness(family);
                }

                protocol = family switch
                {
                    2 => NetworkProtocol.Ipv4,
                    10 or 23 or 24 or 28 or 30 => NetworkProtocol.Ipv6, // Linux, Windows, NetBSD/OpenBSD, FreeBSD, macOS
                    _ => NetworkProtocol.Other,
                };
                return protocol == NetworkProtocol.Other ? DecodeStatus.NotApplicable : DecodeStatus.Ok;
            case LinkType.Raw:
            case LinkType.RawBsd12:
            case LinkType.RawBsd14:
                if (frame.Length < 1)
                {
                    return DecodeStatus.Truncated;
                }

                protocol = (frame[0] >> 4) switch
                {
                    4 => NetworkProtocol.Ipv4,
                    6 => NetworkProtocol.Ipv6,
                    _ => NetworkProtocol.Other,
                };
                return protocol == NetworkProtocol.Other ? DecodeStatus.Malformed : DecodeStatus.Ok;
            case LinkType.Ipv4:
                protocol = NetworkProtocol.Ipv4;
                return DecodeStatus.Ok;
            case LinkType.Ipv6:
                protocol = NetworkProtocol.Ipv6;
                return DecodeStatus.Ok;
            default:
                return DecodeStatus.UnsupportedLinkType;
        }
    }

    private static DecodeStatus Ethernet(ReadOnlySpan<byte> frame, out int offset, out NetworkProtocol protocol)
    {
        protocol = NetworkProtocol.Other;
        offset = 14;
        if (frame.Length < 14)
        {
            return DecodeStatus.Truncated;
        }

        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        for (int tags = 0; etherType is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQOld; tags++)
        {
            // Tag control information(2), then the next EtherType(2).
            if (tags == MaxVlanTags)
            {
                return DecodeStatus.Malformed;
            }

            if (frame.Length < offset + 4)
            {
                return DecodeStatus.Truncated;
            }

            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += 4;
        }

        protocol = FromEtherType(etherType);
        return protocol == NetworkProtocol.Other ? DecodeStatus.NotApplicable : DecodeStatus.Ok;
    }

    private static NetworkProtocol FromEtherType(ushort etherType) => etherType switch
    {
        EtherTypeIpv4 => NetworkProtocol.Ipv4,
        EtherTypeIpv6 => NetworkProtocol.Ipv6,
        _ => NetworkProtocol.Other,
    };
}
