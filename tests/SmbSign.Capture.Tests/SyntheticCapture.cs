using System.Buffers.Binary;
using System.Net;
using SmbSign.Protocol.Smb2;
using SmbSign.Capture.Pcap;

namespace SmbSign.Capture.Tests;

/// <summary>Builds captures packet by packet (Ethernet/IPv4/TCP) for reassembly and framing tests.</summary>
internal sealed class SyntheticCapture
{
    private long _time = 1_700_000_000_000_000_000;

    public List<byte[]> Packets { get; } = [];

    public SyntheticConnection Connect(
        ushort clientPort = 50000,
        ushort serverPort = 445,
        bool handshake = true,
        uint clientIsn = 1000,
        uint serverIsn = 5_000_000,
        string clientAddress = "10.0.0.1",
        string serverAddress = "10.0.0.2")
    {
        var connection = new SyntheticConnection(this, IPAddress.Parse(clientAddress), clientPort, IPAddress.Parse(serverAddress), serverPort, clientIsn, serverIsn);
        if (handshake)
        {
            connection.Handshake();
        }

        return connection;
    }

    public void Add(byte[] frame) => Packets.Add(frame);

    public byte[] ToPcap(bool bigEndian = false, bool nanoseconds = false, LinkType linkType = LinkType.Ethernet, Func<byte[], byte[]>? rewrite = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, linkType, bigEndian: bigEndian, nanoseconds: nanoseconds, leaveOpen: true))
        {
            foreach (byte[] packet in Packets)
            {
                _time += 1_000;
                writer.WritePacket(_time, rewrite is null ? packet : rewrite(packet));
            }
        }

        return stream.ToArray();
    }

    /// <summary>An Ethernet II frame carrying an IPv4/TCP segment (checksums left zero: readers do not check them).</summary>
    public static byte[] EthernetIpv4Tcp(IPAddress source, ushort sourcePort, IPAddress destination, ushort destinationPort, uint sequence, uint acknowledgment, byte flags, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[14 + 20 + 20 + payload.Length];
        frame[0] = 0x02; // destination MAC 02:00:00:00:00:02
        frame[5] = 0x02;
        frame[6] = 0x02; // source MAC 02:00:00:00:00:01
        frame[11] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        Span<byte> ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 20 + payload.Length));
        ip[6] = 0x40; // don't fragment
        ip[8] = 64;
        ip[9] = 6;
        source.GetAddressBytes().CopyTo(ip[12..]);
        destination.GetAddressBytes().CopyTo(ip[16..]);
        Span<byte> tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], acknowledgment);
        tcp[12] = 0x50;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        payload.CopyTo(tcp[20..]);
        return frame;
    }
}

/// <summary>One TCP connection of a <see cref="SyntheticCapture"/>: tracks both sides' next sequence numbers.</summary>
internal sealed class SyntheticConnection
{
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte Psh = 0x08;
    public const byte Ack = 0x10;

    private readonly SyntheticCapture _capture;
    private readonly IPAddress _client;
    private readonly IPAddress _server;
    private readonly ushort _clientPort;
    private readonly ushort _serverPort;

    public SyntheticConnection(SyntheticCapture capture, IPAddress client, ushort clientPort, IPAddress server, ushort serverPort, uint clientIsn, uint serverIsn)
    {
        _capture = capture;
        _client = client;
        _clientPort = clientPort;
        _server = server;
        _serverPort = serverPort;
        ClientIsn = clientIsn;
        ServerIsn = serverIsn;
        ClientNext = clientIsn + 1;
        ServerNext = serverIsn + 1;
    }

    public uint ClientIsn { get; }

    public uint ServerIsn { get; }

    public uint ClientNext { get; private set; }

    public uint ServerNext { get; private set; }

    public void Handshake()
    {
        Raw(fromClient: true, ClientIsn, 0, Syn, []);
        Raw(fromClient: false, ServerIsn, ClientNext, Syn | Ack, []);
        Raw(fromClient: true, ClientNext, ServerNext, Ack, []);
    }

    /// <summary>Sends <paramref name="payload"/> as one in-order segment.</summary>
    public void Send(bool fromClient, ReadOnlySpan<byte> payload)
    {
        uint sequence = fromClient ? ClientNext : ServerNext;
        Raw(fromClient, sequence, fromClient ? ServerNext : ClientNext, Ack | Psh, payload);
        Advance(fromClient, payload.Length);
    }

    /// <summary>Sends <paramref name="payload"/> cut into segments of the given sizes (the last takes the rest).</summary>
    public void SendSegments(bool fromClient, ReadOnlySpan<byte> payload, params int[] sizes)
    {
        int offset = 0;
        foreach (int size in sizes)
        {
            int take = Math.Min(size, payload.Length - offset);
            Send(fromClient, payload.Slice(offset, take));
            offset += take;
        }

        if (offset < payload.Length)
        {
            Send(fromClient, payload[offset..]);
        }
    }

    /// <summary>Moves a side's next sequence number without sending (the bytes are "lost" or sent later with <see cref="Raw"/>).</summary>
    public void Advance(bool fromClient, int count)
    {
        if (fromClient)
        {
            ClientNext += (uint)count;
        }
        else
        {
            ServerNext += (uint)count;
        }
    }

    /// <summary>A packet with explicit sequence and acknowledgment numbers.</summary>
    public void Raw(bool fromClient, uint sequence, uint acknowledgment, int flags, ReadOnlySpan<byte> payload) =>
        _capture.Add(fromClient
            ? SyntheticCapture.EthernetIpv4Tcp(_client, _clientPort, _server, _serverPort, sequence, acknowledgment, (byte)flags, payload)
            : SyntheticCapture.EthernetIpv4Tcp(_server, _serverPort, _client, _clientPort, sequence, acknowledgment, (byte)flags, payload));

    /// <summary>An acknowledgment from one side for everything the other sent (plus <paramref name="extra"/>).</summary>
    public void AckAll(bool fromClient, uint extra = 0) =>
        Raw(fromClient, fromClient ? ClientNext : ServerNext, (fromClient ? ServerNext : ClientNext) + extra, Ack, []);

    public void Close()
    {
        Raw(fromClient: true, ClientNext, ServerNext, Fin | Ack, []);
        ClientNext++;
        Raw(fromClient: false, ServerNext, ClientNext, Fin | Ack, []);
        ServerNext++;
        Raw(fromClient: true, ClientNext, ServerNext, Ack, []);
    }
}

/// <summary>Builds SMB messages and transport frames for tests.</summary>
internal static class SmbTestMessages
{
    /// <summary>An SMB2 message: 64-byte header plus <paramref name="bodyLength"/> body bytes (filled with 0xAB).</summary>
    public static byte[] Smb2(Smb2Command command, bool response = false, ulong messageId = 1, ulong sessionId = 0x1122, bool signed = false, int bodyLength = 8, uint nextCommand = 0, uint status = 0)
    {
        byte[] message = new byte[Smb2Header.Size + bodyLength];
        var flags = (response ? Smb2Flags.ServerToRedir : Smb2Flags.None) | (signed ? Smb2Flags.Signed : Smb2Flags.None);
        new Smb2Header(0, status, command, 1, flags, nextCommand, messageId, 0, 7, sessionId).Write(message);
        message.AsSpan(Smb2Header.Size).Fill(0xAB);
        if (signed)
        {
            message.AsSpan(Smb2Header.SignatureOffset, Smb2Header.SignatureSize).Fill(0x5A);
        }

        return message;
    }

    /// <summary>A compound: each message padded to 8 bytes and chained with NextCommand.</summary>
    public static byte[] Compound(params byte[][] messages)
    {
        using var stream = new MemoryStream();
        for (int i = 0; i < messages.Length; i++)
        {
            byte[] message = (byte[])messages[i].Clone();
            int padded = i == messages.Length - 1 ? message.Length : (message.Length + 7) & ~7;
            if (i < messages.Length - 1)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(Smb2Header.NextCommandOffset), (uint)padded);
            }

            stream.Write(message);
            stream.Write(new byte[padded - message.Length]);
        }

        return stream.ToArray();
    }

    /// <summary>The 4-byte Direct TCP prefix plus the payload.</summary>
    public static byte[] Frame(byte[] payload)
    {
        byte[] frame = new byte[4 + payload.Length];
        frame[1] = (byte)(payload.Length >> 16);
        frame[2] = (byte)(payload.Length >> 8);
        frame[3] = (byte)payload.Length;
        payload.CopyTo(frame, 4);
        return frame;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
