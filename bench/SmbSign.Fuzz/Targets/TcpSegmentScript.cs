using System.Buffers.Binary;
using SmbSign.Capture;
using SmbSign.Capture.Analysis;
using SmbSign.Capture.Smb;

namespace SmbSign.Fuzz;

/// <summary>
/// The <c>tcp</c> target's input: a script of TCP segments between one server and up to four clients, which the
/// target wraps in well-formed IPv4/TCP headers (link type RAW) and feeds to <see cref="SmbCapturePipeline"/> packet by
/// packet. The mutator then works on what TCP reassembly and SMB stream extraction decide on (sequence numbers, flags,
/// overlaps, gaps, frame boundaries) instead of on checksums and header lengths that the capture targets already cover.
/// <code>
/// record := flags:1 conn:1 seq:4 ack:4 length:2 payload:length     (big-endian; a short last record is cut to fit)
/// flags  := TCP flags (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20)
/// conn   := bit 0 direction (0 client to server, 1 server to client); bits 1-2 client port 50000 + n;
///           bit 3 server port 4455 (found by SMB auto-detection) instead of 445
/// </code>
/// </summary>
internal static class TcpSegmentScript
{
    public const int RecordHeaderSize = 12;

    private static readonly byte[] s_client = [10, 0, 0, 1];
    private static readonly byte[] s_server = [10, 0, 0, 2];

    public static void Run(byte[] input)
    {
        var builder = new CaptureSummaryBuilder();
        builder.BeginSource("fuzz-tcp");
        var pipeline = new SmbCapturePipeline(builder, new SmbCaptureOptions());
        int offset = 0;
        long frame = 0;
        while (input.Length - offset >= RecordHeaderSize)
        {
            ReadOnlySpan<byte> record = input.AsSpan(offset);
            int length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(record[10..]), record.Length - RecordHeaderSize);
            byte[] packet = BuildPacket(record[0], record[1], BinaryPrimitives.ReadUInt32BigEndian(record[2..]), BinaryPrimitives.ReadUInt32BigEndian(record[6..]), record.Slice(RecordHeaderSize, length));
            frame++;
            pipeline.ProcessPacket(new CapturePacket(frame, frame * 1_000_000, LinkType.Raw, 0, packet.Length, offset, packet));
            offset += RecordHeaderSize + length;
        }

        pipeline.Complete();
        _ = builder.Build();
    }

    /// <summary>A record header for <paramref name="payloadLength"/> bytes (used to turn recorded captures into seeds).</summary>
    public static void WriteRecordHeader(Span<byte> destination, byte flags, byte conn, uint sequence, uint acknowledgment, int payloadLength)
    {
        destination[0] = flags;
        destination[1] = conn;
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[6..], acknowledgment);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], checked((ushort)payloadLength));
    }

    private static byte[] BuildPacket(byte flags, byte conn, uint sequence, uint acknowledgment, ReadOnlySpan<byte> payload)
    {
        bool fromServer = (conn & 1) != 0;
        ushort clientPort = (ushort)(50000 + ((conn >> 1) & 3));
        ushort serverPort = (conn & 8) != 0 ? (ushort)4455 : (ushort)445;
        byte[] packet = new byte[20 + 20 + payload.Length];
        Span<byte> ip = packet;
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)packet.Length);
        ip[8] = 64;
        ip[9] = 6;
        (fromServer ? s_server : s_client).CopyTo(ip[12..]);
        (fromServer ? s_client : s_server).CopyTo(ip[16..]);
        Span<byte> tcp = packet.AsSpan(20);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, fromServer ? serverPort : clientPort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], fromServer ? clientPort : serverPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], acknowledgment);
        tcp[12] = 5 << 4;
        tcp[13] = (byte)(flags & 0x3F);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        payload.CopyTo(tcp[20..]);
        return packet;
    }
}
