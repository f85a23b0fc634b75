using System.Buffers.Binary;

namespace SmbSign.Capture.Tests;

/// <summary>Re-encapsulates the Ethernet/IPv4 frames of a real capture in other link layers and IP forms, so one
/// recorded session proves every decoder (the payload bytes stay identical, so the analysis must too).</summary>
internal static class FrameRewriter
{
    public static (ushort EtherType, byte[] Ip) SplitEthernet(byte[] frame) =>
        (BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)), frame[14..]);

    public static byte[] LinuxSll(byte[] frame)
    {
        (ushort etherType, byte[] ip) = SplitEthernet(frame);
        byte[] header = new byte[16];
        BinaryPrimitives.WriteUInt16BigEndian(header, 0);           // packet type: to us
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), 772); // ARPHRD_LOOPBACK
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 6);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), etherType);
        return [.. header, .. ip];
    }

    public static byte[] LinuxSll2(byte[] frame)
    {
        (ushort etherType, byte[] ip) = SplitEthernet(frame);
        byte[] header = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(header, etherType);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 1);   // interface index
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), 772);
        header[11] = 6;
        return [.. header, .. ip];
    }

    public static byte[] Null(byte[] frame, bool bigEndian)
    {
        (_, byte[] ip) = SplitEthernet(frame);
        byte[] header = new byte[4];
        uint family = ip[0] >> 4 == 6 ? 30u : 2u;
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header, family);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header, family);
        }

        return [.. header, .. ip];
    }

    public static byte[] RawIp(byte[] frame) => SplitEthernet(frame).Ip;

    public static byte[] Vlan(byte[] frame, params ushort[] tagTypes)
    {
        var result = new List<byte>(frame[..12]);
        foreach (ushort tagType in tagTypes)
        {
            result.Add((byte)(tagType >> 8));
            result.Add((byte)tagType);
            result.Add(0x00); // PCP/DEI/VID
            result.Add(0x2A); // VLAN 42
        }

        result.AddRange(frame[12..]);
        return [.. result];
    }

    /// <summary>Adds 4 bytes of NOP options to the IPv4 header (IHL 6).</summary>
    public static byte[] Ipv4WithOptions(byte[] frame)
    {
        (ushort etherType, byte[] ip) = SplitEthernet(frame);
        if (etherType != 0x0800)
        {
            return frame;
        }

        int headerLength = (ip[0] & 0x0F) * 4;
        byte[] rewritten = [.. ip[..headerLength], 0x01, 0x01, 0x01, 0x00, .. ip[headerLength..]];
        rewritten[0] = (byte)(0x40 | ((headerLength + 4) / 4));
        BinaryPrimitives.WriteUInt16BigEndian(rewritten.AsSpan(2), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(ip.AsSpan(2)) + 4));
        return [.. frame[..14], .. rewritten];
    }

    /// <summary>Turns an IPv4 frame into IPv6 (::ffff:0:a.b.c.d-style addresses kept distinct), optionally with
    /// Hop-by-Hop and Destination Options extension headers before TCP.</summary>
    public static byte[] Ipv6(byte[] frame, bool extensionHeaders, bool raw = false)
    {
        (ushort etherType, byte[] ip) = SplitEthernet(frame);
        if (etherType != 0x0800)
        {
            return frame;
        }

        int headerLength = (ip[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip.AsSpan(2));
        byte[] tcp = ip[headerLength..totalLength];
        byte[] extensions = extensionHeaders
            ? [60, 0, 1, 4, 0, 0, 0, 0, /* hop-by-hop: next = Destination Options, PadN */ 6, 0, 1, 4, 0, 0, 0, 0 /* destination options: next = TCP */]
            : [];
        byte[] header = new byte[40];
        header[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)(extensions.Length + tcp.Length));
        header[6] = extensionHeaders ? (byte)0 : (byte)6;
        header[7] = 64;
        header[8] = 0x20;
        header[9] = 0x01;
        header[10] = 0x0D;
        header[11] = 0xB8;
        ip.AsSpan(12, 4).CopyTo(header.AsSpan(20));
        header[24] = 0x20;
        header[25] = 0x01;
        header[26] = 0x0D;
        header[27] = 0xB8;
        ip.AsSpan(16, 4).CopyTo(header.AsSpan(36));
        byte[] packet = [.. header, .. extensions, .. tcp];
        if (raw)
        {
            return packet;
        }

        byte[] ethernet = frame[..14];
        BinaryPrimitives.WriteUInt16BigEndian(ethernet.AsSpan(12), 0x86DD);
        return [.. ethernet, .. packet];
    }

    /// <summary>Cuts each frame to <paramref name="snapLength"/> bytes (as a capture with a small snaplen would).</summary>
    public static byte[] Snap(byte[] frame, int snapLength) => frame.Length > snapLength ? frame[..snapLength] : frame;
}
