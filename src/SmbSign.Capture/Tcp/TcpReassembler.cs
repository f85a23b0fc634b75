using System.Buffers;
using SmbSign.Capture.Ip;

namespace SmbSign.Capture.Tcp;

/// <summary>Why bytes are missing from a reassembled stream.</summary>
public enum GapReason : byte
{
    /// <summary>The sequence numbers jump and the peer acknowledged the bytes in between: the capture missed them.</summary>
    LostSegments = 0,

    /// <summary>The out-of-order buffer of the stream (or of the whole capture) reached its limit.</summary>
    BufferLimit = 1,

    /// <summary>The snapshot length cut the packet: its tail was not captured.</summary>
    SnapLength = 2,

    /// <summary>The connection or the capture ended with a hole before data that did arrive.</summary>
    EndOfStream = 3,
}

/// <summary>What to do with a new connection's bytes.</summary>
internal enum ConnectionInterest : byte
{
    /// <summary>Reassemble and deliver.</summary>
    Track,

    /// <summary>Count packets and follow FIN/RST only.</summary>
    Ignore,
}

/// <summary>Receives reassembled, in-order bytes of each direction, and the holes between them.</summary>
internal interface ITcpStreamConsumer
{
    ConnectionInterest OnConnectionOpened(TcpConnection connection, in CapturePacket packet);

    void OnData(TcpConnection connection, bool fromA, ReadOnlyMemory<byte> data, in CapturePacket packet);

    void OnGap(TcpConnection connection, bool fromA, long missingBytes, GapReason reason, in CapturePacket packet);

    void OnClosed(TcpConnection connection, in CapturePacket packet);
}

/// <summary>Limits that bound the reassembler's memory whatever the capture holds.</summary>
public sealed record TcpReassemblyOptions
{
    /// <summary>Out-of-order bytes buffered per direction before the hole is declared a gap (default 4 MiB).</summary>
    public int MaxBufferedBytesPerDirection { get; init; } = 4 * 1024 * 1024;

    /// <summary>Out-of-order segments buffered per direction (default 4096).</summary>
    public int MaxBufferedSegmentsPerDirection { get; init; } = 4096;

    /// <summary>Out-of-order bytes buffered across all connections (default 64 MiB).</summary>
    public long MaxBufferedBytesTotal { get; init; } = 64L * 1024 * 1024;
}

/// <summary>Packet counters for one capture.</summary>
public sealed class CaptureStatistics
{
    public long Packets { get; internal set; }

    public long CapturedBytes { get; internal set; }

    /// <summary>Frames whose link type SmbSign does not decode.</summary>
    public long UnsupportedLinkTypePackets { get; internal set; }

    /// <summary>Non-IP frames and IP packets that are not TCP.</summary>
    public long NonTcpPackets { get; internal set; }

    /// <summary>IPv4/IPv6 fragments (reported, not reassembled).</summary>
    public long IpFragments { get; internal set; }

    /// <summary>Frames whose link, IP or TCP header is cut short or contradicts itself.</summary>
    public long MalformedPackets { get; internal set; }

    public long TcpSegments { get; internal set; }

    public int TcpConnections { get; internal set; }

    /// <summary>Segments that carried only bytes already delivered.</summary>
    public long Retransmissions { get; internal set; }

    /// <summary>Segments that partly repeated delivered bytes (the first-seen bytes win).</summary>
    public long Overlaps { get; internal set; }

    /// <summary>Segments that arrived before the bytes preceding them and were buffered.</summary>
    public long OutOfOrderSegments { get; internal set; }

    public long Gaps { get; internal set; }

    public long GapBytes { get; internal set; }

    /// <summary>Most out-of-order bytes held at once across the capture.</summary>
    public long PeakBufferedBytes { get; internal set; }

    public int SmbConnections { get; internal set; }

    public long SmbMessages { get; internal set; }
}

/// <summary>Reassembles each direction of each TCP connection into an ordered byte stream: out-of-order segments are
/// buffered (bounded), retransmissions and overlaps keep the first-seen bytes (Wireshark's default), sequence numbers
/// wrap, and holes become reported gaps (when the peer acknowledged the missing bytes, when a buffer limit is hit, or
/// at the end). Connections are keyed by their 4-tuple; SYN, FIN and RST open and close them.</summary>
internal sealed class TcpReassembler
{
    private readonly Dictionary<TcpConnectionKey, TcpConnection> _connections = [];
    private readonly ITcpStreamConsumer _consumer;
    private readonly TcpReassemblyOptions _options;
    private readonly CaptureStatistics _statistics;
    private TcpConnection? _last;
    private TcpConnectionKey _lastKey;
    private long _bufferedTotal;
    private int _nextStreamIndex;

    public TcpReassembler(ITcpStreamConsumer consumer, TcpReassemblyOptions options, CaptureStatistics statistics)
    {
        _consumer = consumer;
        _options = options;
        _statistics = statistics;
    }

    /// <summary>Connections still open.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Handles one TCP segment; <paramref name="segment"/> starts at the TCP header and holds the captured bytes.</summary>
    public void Process(in CapturePacket packet, in IpPacketInfo ip, ReadOnlyMemory<byte> segment, in TcpHeader tcp)
    {
        _statistics.TcpSegments++;
        var source = new CaptureEndpoint(ip.Source, tcp.SourcePort);
        var destination = new CaptureEndpoint(ip.Destination, tcp.DestinationPort);
        bool sourceIsA = source.CompareTo(destination) <= 0;
        TcpConnectionKey key = sourceIsA ? new TcpConnectionKey(source, destination) : new TcpConnectionKey(destination, source);
        int announced = ip.PayloadLength - tcp.HeaderLength;
        int captured = Math.Max(0, ip.CapturedPayloadLength - tcp.HeaderLength);
        if (announced < 0)
        {
            _statistics.MalformedPackets++;
            return;
        }

        captured = Math.Min(captured, announced);
        bool syn = tcp.HasFlag(TcpFlags.Syn);
        TcpConnection? connection = _last is not null && _lastKey.Equals(key) ? _last : null;
        if (connection is null && !_connections.TryGetValue(key, out connection))
        {
            connection = null;
        }

        if (connection is not null && syn && !tcp.HasFlag(TcpFlags.Ack))
        {
            TcpDirectionState state = connection.Direction(sourceIsA);
            if ((state.SynSeen && state.Isn != tcp.Sequence) || (!state.SynSeen && state.HasNext))
            {
                // A new handshake on a 4-tuple in use: the port was reused. Close the old connection first.
                Close(connection, packet);
                connection = null;
            }
        }

        if (connection is null)
        {
            if (!syn && announced == 0)
            {
                // A stray ACK, FIN or RST of a connection that ended (or started) outside the capture: nothing to follow.
                return;
            }

            connection = Open(key, packet);
        }

        _last = connection;
        _lastKey = key;
        connection.Info.LastFrame = packet.FrameNumber;
        if (syn)
        {
            connection.Info.SawHandshake = true;
            connection.Info.SetClient(tcp.HasFlag(TcpFlags.Ack) ? !sourceIsA : sourceIsA, ClientSideEvidence.Syn);
        }

        if (connection.IsNew)
        {
            // Asked once, after the first packet's SYN evidence is recorded.
            connection.IsNew = false;
            connection.Interest = _consumer.OnConnectionOpened(connection, packet);
        }

        TcpDirectionState direction = connection.Direction(sourceIsA);
        TcpDirectionState peer = connection.Direction(!sourceIsA);
        uint sequence = tcp.Sequence;
        if (syn)
        {
            if (!direction.SynSeen)
            {
                direction.SynSeen = true;
                direction.Isn = sequence;
                if (!direction.HasNext)
                {
                    direction.HasNext = true;
                    direction.Next = sequence + 1;
                }
            }

            sequence++;
        }

        if (connection.Interest == ConnectionInterest.Track)
        {
            if (tcp.HasFlag(TcpFlags.Ack))
            {
                NoteAcknowledgment(connection, !sourceIsA, peer, tcp.Acknowledgment, packet);
            }

            if (announced > 0)
            {
                ReadOnlyMemory<byte> payload = segment.Slice(tcp.HeaderLength, captured);
                HandleData(connection, sourceIsA, direction, sequence, payload, announced, packet);
            }
        }

        if (tcp.HasFlag(TcpFlags.Fin) && !direction.FinSeen)
        {
            direction.FinSeen = true;
            direction.FinSequence = sequence + (uint)announced;
        }

        if (tcp.HasFlag(TcpFlags.Rst))
        {
            Close(connection, packet);
            return;
        }

        if (connection.Interest != ConnectionInterest.Track)
        {
            if (connection.AtoB.FinSeen && connection.BtoA.FinSeen)
            {
                Close(connection, packet);
            }

            return;
        }

        if (IsFinished(connection.AtoB) && IsFinished(connection.BtoA))
        {
            Close(connection, packet);
        }
    }

    /// <summary>Ends the capture: buffered bytes are delivered behind gaps, then every open connection closes (in order of appearance).</summary>
    public void Complete(in CapturePacket lastPacket)
    {
        var open = new List<TcpConnection>(_connections.Values);
        open.Sort((x, y) => x.Info.StreamIndex.CompareTo(y.Info.StreamIndex));
        foreach (TcpConnection connection in open)
        {
            Close(connection, lastPacket);
        }
    }

    /// <summary>Stops reassembling a connection (it is not SMB); its buffers are released at once.</summary>
    public void Ignore(TcpConnection connection)
    {
        connection.Interest = ConnectionInterest.Ignore;
        ReleaseBuffers(connection.AtoB);
        ReleaseBuffers(connection.BtoA);
    }

    private TcpConnection Open(TcpConnectionKey key, in CapturePacket packet)
    {
        var info = new TcpConnectionInfo(_nextStreamIndex++, key.A, key.B, packet.FrameNumber);
        var connection = new TcpConnection(key, info);
        _connections.Add(key, connection);
        _statistics.TcpConnections++;
        return connection;
    }

    private static bool IsFinished(TcpDirectionState state) =>
        state.FinSeen && state.HasNext && (int)(state.Next - state.FinSequence) >= 0;

    private void Close(TcpConnection connection, in CapturePacket packet)
    {
        if (connection.Closed)
        {
            return;
        }

        if (connection.Interest == ConnectionInterest.Track)
        {
            FlushBuffered(connection, true, connection.AtoB, packet);
            FlushBuffered(connection, false, connection.BtoA, packet);
        }

        connection.Closed = true;
        _connections.Remove(connection.Key);
        if (ReferenceEquals(_last, connection))
        {
            _last = null;
        }

        if (!connection.IsNew)
        {
            _consumer.OnClosed(connection, packet);
        }

        ReleaseBuffers(connection.AtoB);
        ReleaseBuffers(connection.BtoA);
    }

    private void FlushBuffered(TcpConnection connection, bool fromA, TcpDirectionState state, in CapturePacket packet)
    {
        while (state.OutOfOrder is { Count: > 0 } && connection.Interest == ConnectionInterest.Track)
        {
            BufferedSegment first = state.OutOfOrder[0];
            int missing = (int)(first.Sequence - state.Next);
            if (missing > 0)
            {
                Gap(connection, fromA, state, missing, GapReason.EndOfStream, packet);
            }

            Drain(connection, fromA, state, packet);
        }
    }

    private void NoteAcknowledgment(TcpConnection connection, bool peerIsA, TcpDirectionState peer, uint acknowledgment, in CapturePacket packet)
    {
        if (!peer.HasNext)
        {
            return;
        }

        if (!peer.PeerAckValid || (int)(acknowledgment - peer.PeerAck) > 0)
        {
            peer.PeerAck = acknowledgment;
            peer.PeerAckValid = true;
        }

        // The receiver acknowledged bytes the capture never delivered, and later bytes are waiting: the hole is lost.
        if (peer.OutOfOrder is { Count: > 0 } && (int)(acknowledgment - peer.Next) > 0)
        {
            BufferedSegment first = peer.OutOfOrder[0];
            int missing = (int)(first.Sequence - peer.Next);
            if (missing > 0 && (int)(acknowledgment - first.Sequence) >= 0)
            {
                Gap(connection, peerIsA, peer, missing, GapReason.LostSegments, packet);
                Drain(connection, peerIsA, peer, packet);
            }
        }
    }

    private void HandleData(TcpConnection connection, bool fromA, TcpDirectionState state, uint sequence, ReadOnlyMemory<byte> payload, int announced, in CapturePacket packet)
    {
        if (!state.HasNext)
        {
            // First bytes of a direction whose SYN the capture does not hold: start here.
            state.HasNext = true;
            state.Next = sequence;
        }

        int offset = (int)(sequence - state.Next);
        if (offset > 0)
        {
            if (state.PeerAckValid && (int)(state.PeerAck - sequence) >= 0)
            {
                // The peer already acknowledged up to (at least) this segment: the bytes before it will never come.
                Gap(connection, fromA, state, offset, GapReason.LostSegments, packet);
                Drain(connection, fromA, state, packet);
                offset = (int)(sequence - state.Next);
            }

            if (offset > 0)
            {
                Buffer(connection, fromA, state, sequence, payload, packet);
                return;
            }
        }

        if (offset < 0)
        {
            // A segment exactly 2^31 bytes behind gives offset int.MinValue, whose negation overflows (and would slice
            // at a negative start); it is as old as a sequence number can say, so it counts as a retransmission.
            int repeated = offset == int.MinValue ? int.MaxValue : -offset;
            if (repeated >= announced)
            {
                _statistics.Retransmissions++;
                return;
            }

            _statistics.Overlaps++;
            payload = repeated >= payload.Length ? ReadOnlyMemory<byte>.Empty : payload[repeated..];
            announced -= repeated;
        }

        if (state.OutOfOrder is { Count: > 0 } && (int)(state.OutOfOrder[0].Sequence - state.Next) < payload.Length)
        {
            // Buffered bytes were seen before these: merge so that the first-seen bytes win, then deliver in order.
            Buffer(connection, fromA, state, state.Next, payload, packet);
            Drain(connection, fromA, state, packet);
            return;
        }

        Deliver(connection, fromA, state, payload, packet);
        if (announced > payload.Length)
        {
            Gap(connection, fromA, state, announced - payload.Length, GapReason.SnapLength, packet);
        }

        Drain(connection, fromA, state, packet);
    }

    private void Deliver(TcpConnection connection, bool fromA, TcpDirectionState state, ReadOnlyMemory<byte> data, in CapturePacket packet)
    {
        if (data.IsEmpty)
        {
            return;
        }

        state.Next += (uint)data.Length;
        if (connection.Interest == ConnectionInterest.Track)
        {
            _consumer.OnData(connection, fromA, data, packet);
        }
    }

    private void Gap(TcpConnection connection, bool fromA, TcpDirectionState state, int missing, GapReason reason, in CapturePacket packet)
    {
        state.Next += (uint)missing;
        _statistics.Gaps++;
        _statistics.GapBytes += missing;
        if (connection.Interest == ConnectionInterest.Track)
        {
            _consumer.OnGap(connection, fromA, missing, reason, packet);
        }
    }

    /// <summary>Delivers buffered segments that now continue the stream.</summary>
    private void Drain(TcpConnection connection, bool fromA, TcpDirectionState state, in CapturePacket packet)
    {
        List<BufferedSegment>? buffered = state.OutOfOrder;
        while (buffered is { Count: > 0 } && connection.Interest == ConnectionInterest.Track)
        {
            BufferedSegment first = buffered[0];
            int offset = (int)(first.Sequence - state.Next);
            if (offset > 0)
            {
                return;
            }

            buffered.RemoveAt(0);
            state.BufferedBytes -= first.Length;
            _bufferedTotal -= first.Length;
            int repeated = -offset;
            if (repeated < first.Length)
            {
                Deliver(connection, fromA, state, new ReadOnlyMemory<byte>(first.Data, repeated, first.Length - repeated), packet);
            }

            ArrayPool<byte>.Shared.Return(first.Data);
        }
    }

    /// <summary>Buffers a segment ahead of the stream; only bytes no earlier segment covered are kept (first seen wins).</summary>
    private void Buffer(TcpConnection connection, bool fromA, TcpDirectionState state, uint sequence, ReadOnlyMemory<byte> payload, in CapturePacket packet)
    {
        _statistics.OutOfOrderSegments++;
        List<BufferedSegment> buffered = state.OutOfOrder ??= [];
        int start = (int)(sequence - state.Next);
        int end = start + payload.Length;
        int cursor = start;
        int index = 0;
        while (index < buffered.Count && cursor < end)
        {
            BufferedSegment existing = buffered[index];
            int existingStart = (int)(existing.Sequence - state.Next);
            int existingEnd = existingStart + existing.Length;
            if (existingEnd <= cursor)
            {
                index++;
                continue;
            }

            if (existingStart > cursor)
            {
                int pieceEnd = Math.Min(existingStart, end);
                Insert(state, buffered, index, state.Next + (uint)cursor, payload.Span.Slice(cursor - start, pieceEnd - cursor));
                index++;
            }

            cursor = Math.Max(cursor, existingEnd);
            index++;
        }

        if (cursor < end)
        {
            Insert(state, buffered, index, state.Next + (uint)cursor, payload.Span.Slice(cursor - start, end - cursor));
        }

        _statistics.PeakBufferedBytes = Math.Max(_statistics.PeakBufferedBytes, _bufferedTotal);
        while (buffered.Count > 0
            && (state.BufferedBytes > _options.MaxBufferedBytesPerDirection
                || buffered.Count > _options.MaxBufferedSegmentsPerDirection
                || _bufferedTotal > _options.MaxBufferedBytesTotal))
        {
            // Over a limit: give up on the hole before the first buffered segment.
            int missing = (int)(buffered[0].Sequence - state.Next);
            Gap(connection, fromA, state, missing, GapReason.BufferLimit, packet);
            Drain(connection, fromA, state, packet);
        }
    }

    private void Insert(TcpDirectionState state, List<BufferedSegment> buffered, int index, uint sequence, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        byte[] copy = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(copy);
        buffered.Insert(index, new BufferedSegment(sequence, copy, bytes.Length));
        state.BufferedBytes += bytes.Length;
        _bufferedTotal += bytes.Length;
    }

    private void ReleaseBuffers(TcpDirectionState state)
    {
        if (state.OutOfOrder is null)
        {
            return;
        }

        foreach (BufferedSegment segment in state.OutOfOrder)
        {
            ArrayPool<byte>.Shared.Return(segment.Data);
            _bufferedTotal -= segment.Length;
        }

        state.OutOfOrder = null;
        state.BufferedBytes = 0;
    }
}

/// <summary>A connection's 4-tuple in canonical order (A is the lower endpoint).</summary>
internal readonly record struct TcpConnectionKey(CaptureEndpoint A, CaptureEndpoint B);

internal readonly record struct BufferedSegment(uint Sequence, byte[] Data, int Length);

/// <summary>Reassembly state of one direction.</summary>
internal sealed class TcpDirectionState
{
    public bool HasNext;
    public uint Next;
    public bool SynSeen;
    public uint Isn;
    public bool FinSeen;
    public uint FinSequence;
    public bool PeerAckValid;
    public uint PeerAck;
    public List<BufferedSegment>? OutOfOrder;
    public int BufferedBytes;
}

/// <summary>One tracked connection: its key, public info, both directions, and the consumer's state.</summary>
internal sealed class TcpConnection
{
    public TcpConnection(TcpConnectionKey key, TcpConnectionInfo info)
    {
        Key = key;
        Info = info;
    }

    public TcpConnectionKey Key { get; }

    public TcpConnectionInfo Info { get; }

    public TcpDirectionState AtoB { get; } = new();

    public TcpDirectionState BtoA { get; } = new();

    public ConnectionInterest Interest { get; set; }

    public bool IsNew { get; set; } = true;

    public bool Closed { get; set; }

    /// <summary>Per-connection state of the consumer (the SMB layer).</summary>
    public object? ConsumerState { get; set; }

    public TcpDirectionState Direction(bool fromA) => fromA ? AtoB : BtoA;
}
