using System.Buffers.Binary;
using System.Globalization;
using SmbSign.Capture;
using SmbSign.Capture.Pcap;

namespace SmbSign.Benchmarks;

/// <summary>Builds large captures for benchmarks by repeating real recorded sessions: each repetition gets its own
/// client address (10.x.y.z), the server port becomes 445, both directions' TCP sequence and acknowledgment numbers
/// are shifted by per-repetition offsets (so every copy is a distinct, well-formed connection), timestamps advance,
/// and IPv4 header checksums are recomputed. Optionally re-segments payloads to an Ethernet-like MSS.
/// <c>smbsign-bench generate-capture --out FILE --size 1G [--mss 1448] TEMPLATE.pcapng…</c></summary>
public static class CaptureGenerator
{
    public static int Run(string[] args)
    {
        string? output = null;
        long size = 1L << 30;
        int mss = 0;
        var templates = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out":
                    output = args[++i];
                    break;
                case "--size":
                    size = ParseSize(args[++i]);
                    break;
                case "--mss":
                    mss = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    templates.Add(args[i]);
                    break;
            }
        }

        if (output is null || templates.Count == 0)
        {
            Console.Error.WriteLine("usage: generate-capture --out FILE [--size 1G] [--mss N] TEMPLATE.pcap[ng]…");
            return 2;
        }

        using var file = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 4 * 1024 * 1024);
        (long packets, long bytes, int repetitions) = Generate(templates.Select(LoadTemplate).ToList(), file, size, mss);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {output}: {bytes} bytes, {packets} packets, {repetitions} session copies (mss {(mss == 0 ? "as recorded" : mss.ToString(CultureInfo.InvariantCulture))})"));
        return 0;
    }

    public static long ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant();
        long multiplier = t[^1] switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            _ => 1,
        };
        string digits = multiplier == 1 ? t : t[..^1];
        return long.Parse(digits, CultureInfo.InvariantCulture) * multiplier;
    }

    /// <summary>One template packet: Ethernet/IPv4/TCP, with which side sent it.</summary>
    public sealed record TemplatePacket(long Timestamp, byte[] Frame, int IpOffset, int TcpOffset, int PayloadOffset, bool FromClient);

    public static List<TemplatePacket> LoadTemplate(string path)
    {
        using FileStream stream = File.OpenRead(path);
        using CaptureFileReader reader = CaptureFileReader.Open(stream);
        var packets = new List<TemplatePacket>();
        (uint Address, ushort Port)? client = null;
        while (reader.TryReadPacket(out CapturePacket packet))
        {
            byte[] frame = packet.Data.ToArray();
            if (packet.LinkType != LinkType.Ethernet || frame.Length < 54 || BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) != 0x0800 || frame[23] != 6)
            {
                continue;
            }

            int ip = 14;
            int tcp = ip + ((frame[ip] & 0x0F) * 4);
            int payload = tcp + ((frame[tcp + 12] >> 4) * 4);
            int ipEnd = ip + BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(ip + 2));
            frame = frame[..Math.Min(frame.Length, ipEnd)];
            uint source = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(ip + 12));
            ushort sourcePort = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(tcp));
            byte flags = frame[tcp + 13];
            if (client is null && (flags & 0x12) == 0x02)
            {
                client = (source, sourcePort);
            }

            if (client is null)
            {
                continue; // only whole connections (from their SYN) are repeated
            }

            packets.Add(new TemplatePacket(packet.TimestampNanoseconds, frame, ip, tcp, payload, client.Value == (source, sourcePort)));
        }

        return packets;
    }

    /// <summary>Writes copies of the templates (round robin) until <paramref name="targetBytes"/> are written.</summary>
    public static (long Packets, long Bytes, int Repetitions) Generate(IReadOnlyList<List<TemplatePacket>> templates, Stream destination, long targetBytes, int mss)
    {
        using var writer = new PcapFileWriter(destination, LinkType.Ethernet, leaveOpen: true);
        long written = 24;
        long packets = 0;
        long clock = 1_700_000_000_000_000_000;
        byte[] scratch = new byte[70_000];
        int repetition = 0;
        while (written < targetBytes)
        {
            List<TemplatePacket> template = templates[repetition % templates.Count];
            if (template.Count == 0)
            {
                repetition++;
                continue;
            }

            uint clientAddress = 0x0A00_0000u | (uint)(repetition & 0x00FF_FFFF);
            uint clientShift = unchecked((uint)repetition * 2_654_435_761u);
            uint serverShift = unchecked((uint)repetition * 40_503u * 65_537u + 12_345u);
            long start = template[0].Timestamp;
            foreach (TemplatePacket packet in template)
            {
                long timestamp = clock + (packet.Timestamp - start);
                int payloadLength = packet.Frame.Length - packet.PayloadOffset;
                int segment = mss > 0 && payloadLength > mss ? mss : Math.Max(payloadLength, 1);
                for (int offset = 0; offset < Math.Max(payloadLength, 1); offset += segment)
                {
                    int take = Math.Min(segment, payloadLength - offset);
                    int length = packet.PayloadOffset + Math.Max(take, 0);
                    Span<byte> frame = scratch.AsSpan(0, length);
                    packet.Frame.AsSpan(0, packet.PayloadOffset).CopyTo(frame);
                    if (take > 0)
                    {
                        packet.Frame.AsSpan(packet.PayloadOffset + offset, take).CopyTo(frame[packet.PayloadOffset..]);
                    }

                    Rewrite(frame, packet, clientAddress, clientShift, serverShift, (uint)offset, last: offset + take >= payloadLength);
                    writer.WritePacket(timestamp, frame);
                    written += 16 + length;
                    packets++;
                }
            }

            clock += template[^1].Timestamp - start + 1_000_000;
            repetition++;
        }

        return (packets, written, repetition);
    }

    private static void Rewrite(Span<byte> frame, TemplatePacket packet, uint clientAddress, uint clientShift, uint serverShift, uint payloadOffset, bool last)
    {
        int ip = packet.IpOffset;
        int tcp = packet.TcpOffset;
        BinaryPrimitives.WriteUInt16BigEndian(frame[(ip + 2)..], (ushort)(frame.Length - ip));
        BinaryPrimitives.WriteUInt32BigEndian(frame[(ip + (packet.FromClient ? 12 : 16))..], clientAddress);
        BinaryPrimitives.WriteUInt16BigEndian(frame[(tcp + (packet.FromClient ? 2 : 0))..], 445);
        uint sequence = BinaryPrimitives.ReadUInt32BigEndian(frame[(tcp + 4)..]);
        uint acknowledgment = BinaryPrimitives.ReadUInt32BigEndian(frame[(tcp + 8)..]);
        BinaryPrimitives.WriteUInt32BigEndian(frame[(tcp + 4)..], sequence + (packet.FromClient ? clientShift : serverShift) + payloadOffset);
        if ((frame[tcp + 13] & 0x10) != 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(frame[(tcp + 8)..], acknowledgment + (packet.FromClient ? serverShift : clientShift));
        }

        if (!last)
        {
            frame[tcp + 13] &= unchecked((byte)~0x09); // PSH and FIN only on the last piece
        }

        // IPv4 header checksum (RFC 791).
        frame[ip + 10] = 0;
        frame[ip + 11] = 0;
        int headerLength = (frame[ip] & 0x0F) * 4;
        uint sum = 0;
        for (int i = 0; i < headerLength; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(frame[(ip + i)..]);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame[(ip + 10)..], (ushort)~sum);
    }
}
