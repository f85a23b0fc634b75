using System.Buffers.Binary;
using SmbSign.Protocol.Framing;
using SmbSign.Protocol.Smb2;
using SmbSign.Capture.Ip;
using SmbSign.Capture.Link;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Smb;

/// <summary>Options for turning a capture into SMB messages.</summary>
public sealed record SmbCaptureOptions
{
    /// <summary>TCP ports that carry SMB besides 445 (direct TCP) and 139 (NetBIOS session service).</summary>
    public IReadOnlyCollection<int> ExtraServerPorts { get; init; } = [];

    /// <summary>Look for SMB on every other port (the first frames of a connection must carry an SMB protocol id after
    /// a 4-byte transport prefix). Default true.</summary>
    public bool AutoDetect { get; init; } = true;

    /// <summary>Bytes examined per connection before auto-detection gives up on it (default 256 KiB).</summary>
    public int AutoDetectBudget { get; init; } = 256 * 1024;

    /// <summary>Largest transport frame accepted (default 16 MiB, as SmbSign's own client).</summary>
    public int MaxFrameSize { get; init; } = DirectTcpFraming.DefaultMaxFrameSize;

    public TcpReassemblyOptions Reassembly { get; init; } = new();

    public CaptureReaderOptions Reader { get; init; } = new();
}

/// <summary>The result of reading one capture stream to its end.</summary>
/// <param name="Format">The container format.</param>
/// <param name="Packets">Packets read.</param>
/// <param name="Bytes">Bytes read from the stream.</param>
/// <param name="Statistics">Packet, TCP and SMB counters.</param>
/// <param name="Truncation">Set when the file ended inside a record (the packets before it were processed).</param>
public sealed record CaptureRunResult(CaptureFileFormat Format, long Packets, long Bytes, CaptureStatistics Statistics, CaptureTruncation? Truncation)
{
    /// <summary>Packet records too long to hold an SMB message, skipped unread (null when none were).</summary>
    public CaptureSkippedRecords? SkippedRecords { get; init; }
}

/// <summary>Per-connection SMB state: one extractor per direction and the auto-detection budget.</summary>
internal sealed class SmbConnectionState
{
    public SmbConnectionState(TcpConnection connection)
    {
        Connection = connection;
    }

    public TcpConnection Connection { get; }

    public SmbStreamExtractor AtoB { get; set; } = null!;

    public SmbStreamExtractor BtoA { get; set; } = null!;

    public long Probed { get; set; }

    public bool Detected { get; set; }

    public SmbStreamExtractor Extractor(bool fromA) => fromA ? AtoB : BtoA;
}

/// <summary>The capture pipeline: packets → link → IP → TCP reassembly per direction → SMB transport frames → SMB
/// messages (each member of a compound separately), pushed in stream order to an <see cref="ISmbCaptureSink"/>.
/// Single-threaded and allocation-free per packet in the steady state: spans over the reader's pooled buffer, pooled
/// buffers only for frames that span segments and for out-of-order segments.</summary>
public sealed class SmbCapturePipeline : ITcpStreamConsumer
{
    private readonly ISmbCaptureSink _sink;
    private readonly SmbCaptureOptions _options;
    private readonly TcpReassembler _reassembler;
    private readonly bool[] _serverPorts = new bool[65536];
    private CapturePacket _lastPacket;

    public SmbCapturePipeline(ISmbCaptureSink sink, SmbCaptureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _sink = sink;
        _options = options ?? new SmbCaptureOptions();
        _serverPorts[445] = true;
        _serverPorts[139] = true;
        foreach (int port in _options.ExtraServerPorts)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
            _serverPorts[port] = true;
        }

        _reassembler = new TcpReassembler(this, _options.Reassembly, Statistics);
    }

    public CaptureStatistics Statistics { get; } = new();

    /// <summary>Reads a whole capture from <paramref name="stream"/> (a file or stdin) and pushes its SMB messages to
    /// <paramref name="sink"/>. <paramref name="progress"/> receives the bytes read so far, about every 4 MiB.</summary>
    /// <exception cref="CaptureFormatException">The file is not a capture or is malformed (the message names the byte offset).</exception>
    public static CaptureRunResult Run(Stream stream, ISmbCaptureSink sink, SmbCaptureOptions? options = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new SmbCaptureOptions();
        var pipeline = new SmbCapturePipeline(sink, options);
        using CaptureFileReader reader = CaptureFileReader.Open(stream, options.Reader);
        long nextReport = 0;
        while (reader.TryReadPacket(out CapturePacket packet))
        {
            pipeline.ProcessPacket(packet);
            if (reader.BytesRead >= nextReport)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(reader.BytesRead);
                nextReport = reader.BytesRead + (4 * 1024 * 1024);
            }
        }

        pipeline.Complete();
        progress?.Report(reader.BytesRead);
        return new CaptureRunResult(reader.Format, reader.PacketsRead, reader.BytesRead, pipeline.Statistics, reader.Truncation)
        {
            SkippedRecords = reader.SkippedRecords,
        };
    }

    /// <summary>Decodes one packet and feeds its TCP payload to reassembly (which may emit messages).</summary>
    public void ProcessPacket(in CapturePacket packet)
    {
        CaptureStatistics statistics = Statistics;
        statistics.Packets++;
        statistics.CapturedBytes += packet.Data.Length;
        _lastPacket = new CapturePacket(packet.FrameNumber, packet.TimestampNanoseconds, packet.LinkType, packet.InterfaceId, packet.OriginalLength, packet.FileOffset, ReadOnlyMemory<byte>.Empty);
        ReadOnlySpan<byte> frame = packet.Data.Span;
        DecodeStatus status = LinkLayer.TryGetNetworkPayload(packet.LinkType, frame, out int networkOffset, out NetworkProtocol protocol);
        if (status != DecodeStatus.Ok)
        {
            Count(status);
            return;
        }

        status = IpLayer.TryDecode(protocol, frame[networkOffset..], out IpPacketInfo ip);
        if (status != DecodeStatus.Ok)
        {
            Count(status);
            return;
        }

        if (ip.Protocol != IpLayer.ProtocolTcp)
        {
            statistics.NonTcpPackets++;
            return;
        }

        int tcpOffset = networkOffset + ip.PayloadOffset;
        ReadOnlyMemory<byte> segment = packet.Data.Slice(tcpOffset, ip.CapturedPayloadLength);
        status = TcpHeader.TryRead(segment.Span, out TcpHeader tcp);
        if (status != DecodeStatus.Ok)
        {
            Count(status);
            return;
        }

        _reassembler.Process(packet, ip, segment, tcp);
    }

    /// <summary>Ends the capture: flushes buffered segments (reporting the holes) and closes every connection.</summary>
    public void Complete() => _reassembler.Complete(_lastPacket);

    private void Count(DecodeStatus status)
    {
        switch (status)
        {
            case DecodeStatus.NotApplicable:
                Statistics.NonTcpPackets++;
                break;
            case DecodeStatus.Fragment:
                Statistics.IpFragments++;
                break;
            case DecodeStatus.UnsupportedLinkType:
                Statistics.UnsupportedLinkTypePackets++;
                break;
            default:
                Statistics.MalformedPackets++;
                break;
        }
    }

    ConnectionInterest ITcpStreamConsumer.OnConnectionOpened(TcpConnection connection, in CapturePacket packet)
    {
        TcpConnectionInfo info = connection.Info;
        bool aIsServer = _serverPorts[connection.Key.A.Port];
        bool bIsServer = _serverPorts[connection.Key.B.Port];
        var state = new SmbConnectionState(connection);
        state.AtoB = new SmbStreamExtractor(this, state, fromA: true, _options.MaxFrameSize);
        state.BtoA = new SmbStreamExtractor(this, state, fromA: false, _options.MaxFrameSize);
        if (aIsServer || bIsServer)
        {
            int port = aIsServer ? connection.Key.A.Port : connection.Key.B.Port;
            info.Detection = port is 445 or 139 ? SmbDetection.WellKnownPort : SmbDetection.ConfiguredPort;
            if (aIsServer != bIsServer)
            {
                info.SetClient(clientIsA: bIsServer, ClientSideEvidence.ServerPort);
            }

            state.Detected = true;
            Statistics.SmbConnections++;
            if (!info.SawHandshake)
            {
                state.AtoB.StartResync(ResyncCause.MidStream);
                state.BtoA.StartResync(ResyncCause.MidStream);
            }
        }
        else if (_options.AutoDetect)
        {
            state.AtoB.StartResync(ResyncCause.Probe);
            state.BtoA.StartResync(ResyncCause.Probe);
        }
        else
        {
            return ConnectionInterest.Ignore;
        }

        connection.ConsumerState = state;
        return ConnectionInterest.Track;
    }

    void ITcpStreamConsumer.OnData(TcpConnection connection, bool fromA, ReadOnlyMemory<byte> data, in CapturePacket packet)
    {
        var state = (SmbConnectionState)connection.ConsumerState!;
        state.Extractor(fromA).Write(data, packet);
    }

    void ITcpStreamConsumer.OnGap(TcpConnection connection, bool fromA, long missingBytes, GapReason reason, in CapturePacket packet)
    {
        var state = (SmbConnectionState)connection.ConsumerState!;
        SmbStreamExtractor extractor = state.Extractor(fromA);
        if (state.Detected)
        {
            string detail = reason switch
            {
                GapReason.LostSegments => $"{missingBytes} byte(s) not captured (the peer acknowledged them)",
                GapReason.BufferLimit => $"{missingBytes} byte(s) missing; gave up waiting for them (out-of-order buffer limit)",
                GapReason.SnapLength => $"{missingBytes} byte(s) cut by the capture's snapshot length",
                _ => $"{missingBytes} byte(s) missing before the end of the stream",
            };
            _sink.OnStreamEvent(new CaptureStreamEvent(
                CaptureStreamEventKind.Gap, connection.Info, connection.Info.DirectionOf(fromA), packet.FrameNumber,
                extractor.Position, missingBytes, reason, detail));
        }

        extractor.Gap(missingBytes, packet);
    }

    void ITcpStreamConsumer.OnClosed(TcpConnection connection, in CapturePacket packet)
    {
        if (connection.ConsumerState is not SmbConnectionState state)
        {
            return;
        }

        state.AtoB.End(packet);
        state.BtoA.End(packet);
        if (state.Detected)
        {
            _sink.OnConnectionClosed(connection.Info);
        }
    }

    internal void OnProbed(SmbStreamExtractor extractor, int bytes)
    {
        SmbConnectionState state = extractor.Connection;
        state.Probed += bytes;
        if (!state.Detected && state.Probed > _options.AutoDetectBudget)
        {
            state.AtoB.Disable();
            state.BtoA.Disable();
            _reassembler.Ignore(state.Connection);
        }
    }

    internal void OnSynchronised(SmbStreamExtractor extractor, ResyncCause cause, long skipped, long frameStart, in CapturePacket packet)
    {
        SmbConnectionState state = extractor.Connection;
        TcpConnectionInfo info = state.Connection.Info;
        if (cause == ResyncCause.Probe)
        {
            if (!state.Detected)
            {
                state.Detected = true;
                info.Detection = SmbDetection.Magic;
                Statistics.SmbConnections++;
                state.Extractor(!extractor.FromA).StopProbing();
            }

            if (info.SawHandshake && skipped == 0)
            {
                return;
            }
        }

        if (skipped == 0 && cause is ResyncCause.MidStream or ResyncCause.Probe)
        {
            return;
        }

        string detail = cause switch
        {
            ResyncCause.Gap => $"framing found again {skipped} byte(s) after a gap",
            ResyncCause.InvalidFrame => $"framing found again after skipping {skipped} byte(s) that were not SMB frames",
            _ => $"the capture starts inside the connection: skipped {skipped} byte(s) to the first SMB frame",
        };
        _sink.OnStreamEvent(new CaptureStreamEvent(
            CaptureStreamEventKind.Resynchronised, info, info.DirectionOf(extractor.FromA), packet.FrameNumber, frameStart, skipped, null, detail));
    }

    internal void OnInvalidFrame(SmbStreamExtractor extractor, long offset, ReadOnlySpan<byte> head, in CapturePacket packet)
    {
        TcpConnectionInfo info = extractor.Connection.Connection.Info;
        _sink.OnStreamEvent(new CaptureStreamEvent(
            CaptureStreamEventKind.InvalidFrame, info, info.DirectionOf(extractor.FromA), packet.FrameNumber, offset, 0, null,
            $"not an SMB transport frame: {Convert.ToHexString(head)}"));
    }

    internal void OnFrameLost(SmbStreamExtractor extractor, long frameStart, int frameTotal, long firstPacket, in CapturePacket packet)
    {
        TcpConnectionInfo info = extractor.Connection.Connection.Info;
        _sink.OnStreamEvent(new CaptureStreamEvent(
            CaptureStreamEventKind.FrameLost, info, info.DirectionOf(extractor.FromA), packet.FrameNumber, frameStart, frameTotal, null,
            $"the {frameTotal}-byte frame starting in frame {firstPacket} lost bytes to a gap; its message(s) are not reported"));
    }

    internal void OnIncompleteAtEnd(SmbStreamExtractor extractor, long frameStart, int held, int frameTotal, in CapturePacket packet)
    {
        if (!extractor.Connection.Detected)
        {
            return;
        }

        TcpConnectionInfo info = extractor.Connection.Connection.Info;
        string expected = frameTotal > 0 ? $" of {frameTotal}" : string.Empty;
        _sink.OnStreamEvent(new CaptureStreamEvent(
            CaptureStreamEventKind.IncompleteFrameAtEnd, info, info.DirectionOf(extractor.FromA), packet.FrameNumber, frameStart, held, null,
            $"the stream ends inside a frame: {held}{expected} byte(s) present"));
    }

    internal void OnUnsynchronisedAtEnd(SmbStreamExtractor extractor, long skipped, in CapturePacket packet)
    {
        if (!extractor.Connection.Detected)
        {
            return;
        }

        TcpConnectionInfo info = extractor.Connection.Connection.Info;
        _sink.OnStreamEvent(new CaptureStreamEvent(
            CaptureStreamEventKind.Unsynchronised, info, info.DirectionOf(extractor.FromA), packet.FrameNumber, extractor.Position, skipped, null,
            $"the stream ends without another SMB frame: {skipped} byte(s) not framed"));
    }

    /// <summary>Splits one transport frame's payload into messages and pushes them.</summary>
    internal void OnFrame(SmbStreamExtractor extractor, ReadOnlyMemory<byte> payload, long frameStart, long firstPacket, in CapturePacket packet)
    {
        SmbConnectionState state = extractor.Connection;
        TcpConnectionInfo info = state.Connection.Info;
        ReadOnlySpan<byte> span = payload.Span;
        bool fromA = extractor.FromA;
        if (info.ClientSideEvidence < ClientSideEvidence.MessageFlags)
        {
            DecideClient(info, fromA, span);
        }

        SmbDirection direction = info.DirectionOf(fromA);
        long messageStart = frameStart + DirectTcpFraming.PrefixSize;
        switch (span[0])
        {
            case 0xFE:
                EmitCompound(info, direction, payload, messageStart, firstPacket, packet);
                break;
            case 0xFD:
                // [MS-SMB2] 2.2.41: Signature(16) @4, Nonce(16) @20, OriginalMessageSize(4) @36, Reserved(2), Flags(2), SessionId(8) @44.
                Emit(new CapturedSmbMessage(
                    packet.FrameNumber, firstPacket, packet.TimestampNanoseconds, info, direction, SmbMessageKind.Smb2Encrypted,
                    payload, messageStart, 0, true, default, default, BinaryPrimitives.ReadUInt64LittleEndian(span[44..])));
                break;
            case 0xFC:
                Emit(new CapturedSmbMessage(
                    packet.FrameNumber, firstPacket, packet.TimestampNanoseconds, info, direction, SmbMessageKind.Smb2Compressed,
                    payload, messageStart, 0, true, default, default, 0));
                break;
            default:
                Smb1HeaderFields.TryRead(span, out Smb1HeaderFields smb1);
                Emit(new CapturedSmbMessage(
                    packet.FrameNumber, firstPacket, packet.TimestampNanoseconds, info, direction, SmbMessageKind.Smb1,
                    payload, messageStart, 0, true, default, smb1, smb1.UserId));
                break;
        }
    }

    private static void DecideClient(TcpConnectionInfo info, bool fromA, ReadOnlySpan<byte> span)
    {
        bool? senderIsServer = span[0] switch
        {
            0xFE => (BinaryPrimitives.ReadUInt32LittleEndian(span[Smb2Header.FlagsOffset..]) & (uint)Smb2Flags.ServerToRedir) != 0,
            0xFF => (span[9] & Smb1HeaderFields.FlagsReply) != 0,
            _ => null,
        };
        if (senderIsServer is { } isServer)
        {
            info.SetClient(clientIsA: fromA != isServer, ClientSideEvidence.MessageFlags);
        }
        else
        {
            info.SetClient(clientIsA: fromA, ClientSideEvidence.FirstSender);
        }
    }

    private void EmitCompound(TcpConnectionInfo info, SmbDirection direction, ReadOnlyMemory<byte> payload, long messageStart, long firstPacket, in CapturePacket packet)
    {
        ReadOnlySpan<byte> span = payload.Span;
        int offset = 0;
        for (int index = 0; ; index++)
        {
            ReadOnlySpan<byte> rest = span[offset..];
            if (!Smb2Header.TryRead(rest, out Smb2Header header, out string? error))
            {
                _sink.OnStreamEvent(new CaptureStreamEvent(
                    CaptureStreamEventKind.MalformedMessage, info, direction, packet.FrameNumber, messageStart + offset, rest.Length, null,
                    index == 0 ? error! : $"compound member {index}: {error}"));
                return;
            }

            uint next = header.NextCommand;
            bool last = next == 0;
            int length = rest.Length;
            if (!last)
            {
                if (next < Smb2Header.Size || next > (uint)rest.Length - Smb2Header.Size)
                {
                    _sink.OnStreamEvent(new CaptureStreamEvent(
                        CaptureStreamEventKind.MalformedMessage, info, direction, packet.FrameNumber, messageStart + offset, rest.Length, null,
                        $"compound member {index}: NextCommand {next} does not point at another header inside the {rest.Length} remaining byte(s); taken as the last member"));
                    last = true;
                }
                else
                {
                    length = (int)next;
                }
            }

            Emit(new CapturedSmbMessage(
                packet.FrameNumber, firstPacket, packet.TimestampNanoseconds, info, direction, SmbMessageKind.Smb2,
                payload.Slice(offset, length), messageStart + offset, index, last, header, default, header.SessionId));
            if (last)
            {
                return;
            }

            offset += length;
        }
    }

    private void Emit(in CapturedSmbMessage message)
    {
        Statistics.SmbMessages++;
        _sink.OnMessage(message);
    }
}
