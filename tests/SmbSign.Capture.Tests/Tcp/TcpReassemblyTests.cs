using SmbSign.Protocol.Smb2;
using SmbSign.Testing;
using SmbSign.Capture.Smb;
using SmbSign.Capture.Tcp;
using static SmbSign.Capture.Tests.SmbTestMessages;

namespace SmbSign.Capture.Tests.Tcp;

/// <summary>Per-direction TCP reassembly: segmentation, order, retransmission, overlap, wraparound, gaps, limits, and
/// connection lifetime, on synthetic Ethernet/IPv4 captures.</summary>
public sealed class TcpReassemblyTests
{
    // Two ECHO requests (68 and 76 bytes) with an NBSS keep-alive between them.
    private const string TwoFramesAndKeepAlive =
        "00000044FE534D4240000000000000000D000000000000000000000005000000000000000000000000000000770000000000000000000000000000000000000000000000ABABABAB" +
        "85000000" +
        "0000004CFE534D4240000000000000000D000000000000000000000006000000000000000000000000000000770000000000000000000000000000000000000000000000ABABABABABABABABABABABAB";

    [Theory]
    [WireData(TwoFramesAndKeepAlive)]
    public void Reassemble_AnySegmentation_YieldsBothMessagesWhole(string description, byte[] wire, int[] segments)
    {
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect();
        connection.SendSegments(fromClient: true, wire, segments);

        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(capture.ToPcap());

        Assert.Equal(2, sink.Messages.Count);
        Assert.Equal(wire[4..72], sink.Messages[0].Bytes);
        Assert.Equal(wire[80..], sink.Messages[1].Bytes);
        Assert.Equal(4, sink.Messages[0].StreamOffset);
        Assert.Equal(80, sink.Messages[1].StreamOffset);
        Assert.Equal(3 + segments.Length, sink.Messages[1].Frame); // handshake is 3 frames; the last segment completes it
        Assert.Empty(sink.Events);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Fact]
    public void Reassemble_SegmentsInReverseOrder_BuffersAndDelivers()
    {
        byte[] frame = Frame(Smb2(Smb2Command.Read, response: true, bodyLength: 3000));
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect();
        uint start = connection.ServerNext;
        connection.Raw(false, start + 2000, connection.ClientNext, SyntheticConnection.Ack, frame.AsSpan(2000));
        connection.Raw(false, start + 1000, connection.ClientNext, SyntheticConnection.Ack, frame.AsSpan(1000, 1000));
        connection.Raw(false, start, connection.ClientNext, SyntheticConnection.Ack, frame.AsSpan(0, 1000));

        (RecordingSink sink, _, var run) = CaptureTestKit.Analyse(capture.ToPcap());

        SeenMessage message = Assert.Single(sink.Messages);
        Assert.Equal(frame[4..], message.Bytes);
        Assert.Equal(6, message.Frame);
        Assert.Equal(4, message.FrameFirstOrSelf());
        Assert.Equal(2, run.Statistics.OutOfOrderSegments);
        Assert.Equal(0, run.Statistics.Gaps);
    }

    [Fact]
    public void Reassemble_Retransmissions_DeliverOnce()
    {
        byte[] frame = Frame(Smb2(Smb2Command.Write, bodyLength: 500));
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect();
        uint start = connection.ClientNext;
        connection.Send(true, frame.AsSpan(0, 300));
        connection.Raw(true, start, connection.ServerNext, SyntheticConnection.Ack, frame.AsSpan(0, 300));      // full retransmission
        connection.Raw(true, start + 299, connection.ServerNext, SyntheticConnection.Ack, frame.AsSpan(299, 1)); // keep-alive probe style
        connection.Send(true, frame.AsSpan(300));
        connection.Raw(true, start, connection.ServerNext, SyntheticConnection.Ack, frame);                     // whole frame again

        (RecordingSink sink, _, var run) = CaptureTestKit.Analyse(capture.ToPcap());

        Assert.Equal(frame[4..], Assert.Single(sink.Messages).Bytes);
        Assert.Equal(3, run.Statistics.Retransmissions);
    }

    [Fact]
    public void Reassemble_OverlapsWithDifferentBytes_FirstSeenBytesWin()
    {
        byte[] frame = Frame(Smb2(Smb2Command.Write, bodyLength: 200));
        byte[] forged = (byte[])frame.Clone();
        forged.AsSpan(100, 100).Fill(0xEE);
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect();
        uint start = connection.ClientNext;
        connection.Raw(true, start + 150, connection.ServerNext, SyntheticConnection.Ack, frame.AsSpan(150));            // buffered first
        connection.Raw(true, start + 90, connection.ServerNext, SyntheticConnection.Ack, forged.AsSpan(90, 120));        // overlaps it: only [90,150) is new
        connection.Raw(true, start, connection.ServerNext, SyntheticConnection.Ack, frame.AsSpan(0, 95));                // overlaps the forged bytes: [90,95) seen first there
        connection.Raw(true, start + 60, connection.ServerNext, SyntheticConnection.Ack, forged.AsSpan(60, 200));        // overlaps delivered bytes

        (RecordingSink sink, _, var run) = CaptureTestKit.Analyse(capture.ToPcap());

        byte[] expected = (byte[])frame.Clone();
        forged.AsSpan(90, 60).CopyTo(expected.AsSpan(90)); // bytes first seen in the forged segment
        Assert.Equal(expected[4..], Assert.Single(sink.Messages).Bytes);
        Assert.True(run.Statistics.Overlaps + run.Statistics.Retransmissions >= 1);
    }

    [Theory]
    [InlineData(0xFFFF_FF00u)]
    [InlineData(0xFFFF_FFFFu)]
    [InlineData(0x7FFF_FFF0u)]
    public void Reassemble_SequenceNumbersWrapAround_StaysInOrder(uint isn)
    {
        byte[] first = Frame(Smb2(Smb2Command.Read, response: true, bodyLength: 700));
        byte[] second = Frame(Smb2(Smb2Command.Read, response: true, messageId: 2, bodyLength: 300));
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect(serverIsn: isn);
        uint start = connection.ServerNext;
        connection.Raw(false, start + 400, connection.ClientNext, SyntheticConnection.Ack, first.AsSpan(400)); // out of order across the wrap
        connection.Raw(false, start, connection.ClientNext, SyntheticConnection.Ack, first.AsSpan(0, 400));
        connection.Advance(false, first.Length);
        connection.Send(false, second);

        (RecordingSink sink, _, var run) = CaptureTestKit.Analyse(capture.ToPcap());

        Assert.Equal([first[4..], second[4..]], sink.Messages.Select(m => m.Bytes));
        Assert.Equal(0, run.Statistics.Gaps);
    }

    [Fact]
    public void Reassemble_LostSegmentAcknowledgedByPeer_ReportsGapAndResynchronises()
    {
        byte[] one = Frame(Smb2(Smb2Command.Echo, messageId: 1));
        byte[] two = Frame(Smb2(Smb2Command.Echo, messageId: 2, bodyLength: 100));
        byte[] three = Frame(Smb2(Smb2Command.Echo, messageId: 3));
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect();
        connection.Send(true, one);
        connection.Advance(true, two.Length); // not captured
        connection.AckAll(fromClient: false);
        connection.Send(true, three);

        (RecordingSink sink, _, var run) = CaptureTestKit.Analyse(capture.ToPcap());

        Assert.Equal([1UL, 3UL], sink.Messages.Select(m => BitConverter.ToUInt64(m.Bytes, 24)));
        CaptureStreamEvent gap = Assert.Single(sink.Events, e => e.Kind == CaptureStreamEventKind.Gap);
        Assert.Equal(two.Length, gap.ByteCount);
        Assert.Equal(one.Length, gap.StreamOffset);
        Assert.Equal(GapReason.LostSegments, gap.GapReason);
        Assert.Equal(SmbDirection.ClientToServer, gap.Direction);
        Assert.Equal(6, gap.FrameNumber); // reported when the bytes after the hole arrive
        Assert.Equal(1, run.Statistics.Gaps);
        Assert.Equal(two.Length, run.Statistics.GapBytes);
        Assert.Equal(one.Length + two.Length + 4, sink.Messages[1].StreamOffset);
    }

    [Fact]
    public void Reassemble_GapInsideLargeFrame_LosesOnlyThatFrameAndKeepsFraming()
    {
        byte[] big = Frame(Smb2(Smb2Command.Read, response: true, messageId: 1, bodyLength: 5000));
        byte[] next = Frame(Smb2(Smb2Command.Read, response: true, messageId: 2, bodyLength: 10));
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect();
        connection.Send(false, big.AsSpan(0, 1000));
        connection.Advance(false, 1000);               // lost
        connection.AckAll(fromClient: true);
        connection.Send(false, [.. big.AsSpan(2000), .. next]);

        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(capture.ToPcap());

        Assert.Equal(next[4..], Assert.Single(sink.Messages).Bytes);
        Assert.Contains(sink.Events, e => e.Kind == CaptureStreamEventKind.FrameLost && e.ByteCount == big.Length && e.StreamOffset == 0);
        Assert.DoesNotContain(sink.Events, e => e.Kind is CaptureStreamEventKind.Resynchronised or CaptureStreamEventKind.InvalidFrame);
    }

    [Fact]
    public void Reassemble_GapAcrossFrameBoundary_SkipsToNextPlausibleFrame()
    {
        byte[] one = Frame(Smb2(Smb2Command.Read, response: true, messageId: 1, bodyLength: 300));
        byte[] two = Frame(Smb2(Smb2Command.Read, response: true, messageId: 2, bodyLength: 300));
        byte[] three = Frame(Smb2(Smb2Command.Read, response: true, messageId: 3, bodyLength: 30));
        byte[] stream = [.. one, .. two, .. three];
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect();
        connection.Send(false, stream.AsSpan(0, 200));
        connection.Advance(false, 250);                 // lost: the end of frame one and the start of frame two
        connection.AckAll(fromClient: true);
        connection.Send(false, stream.AsSpan(450));

        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(capture.ToPcap());

        SeenMessage message = Assert.Single(sink.Messages);
        Assert.Equal(3UL, BitConverter.ToUInt64(message.Bytes, 24));
        CaptureStreamEvent resync = Assert.Single(sink.Events, e => e.Kind == CaptureStreamEventKind.Resynchronised);
        Assert.Equal(one.Length + two.Length - 450, resync.ByteCount);
        Assert.Equal(one.Length + two.Length, resync.StreamOffset);
        Assert.Contains(sink.Events, e => e.Kind == CaptureStreamEventKind.FrameLost);
    }

    [Fact]
    public void Reassemble_HoleNeverFilledOrAcknowledged_ReportsGapAtEndAndDeliversTheRest()
    {
        byte[] one = Frame(Smb2(Smb2Command.Echo, messageId: 1));
        byte[] two = Frame(Smb2(Smb2Command.Echo, messageId: 2));
        byte[] three = Frame(Smb2(Smb2Command.Echo, messageId: 3));
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect();
        connection.Send(true, one);
        connection.Advance(true, two.Length);
        connection.Send(true, three);

        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(capture.ToPcap());

        Assert.Equal([1UL, 3UL], sink.Messages.Select(m => BitConverter.ToUInt64(m.Bytes, 24)));
        CaptureStreamEvent gap = Assert.Single(sink.Events, e => e.Kind == CaptureStreamEventKind.Gap);
        Assert.Equal(GapReason.EndOfStream, gap.GapReason);
        Assert.Equal(two.Length, gap.ByteCount);
    }

    [Fact]
    public void Reassemble_OutOfOrderBufferLimit_GivesUpOnTheHole()
    {
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect();
        connection.Send(true, Frame(Smb2(Smb2Command.Echo, messageId: 1)));
        connection.Advance(true, 100);
        for (ulong id = 2; id < 40; id++)
        {
            connection.Send(true, Frame(Smb2(Smb2Command.Echo, messageId: id)));
        }

        var options = new SmbCaptureOptions { Reassembly = new TcpReassemblyOptions { MaxBufferedBytesPerDirection = 1000 } };
        (RecordingSink sink, _, var run) = CaptureTestKit.Analyse(capture.ToPcap(), options);

        CaptureStreamEvent gap = Assert.Single(sink.Events, e => e.Kind == CaptureStreamEventKind.Gap);
        Assert.Equal(GapReason.BufferLimit, gap.GapReason);
        Assert.Equal(100, gap.ByteCount);
        Assert.Equal(39, sink.Messages.Count);
        Assert.InRange(run.Statistics.PeakBufferedBytes, 1, 1100);
    }

    [Fact]
    public void Reassemble_FinBothWaysThenPortReuse_TwoConnectionsClosedInOrder()
    {
        var capture = new SyntheticCapture();
        SyntheticConnection first = capture.Connect(clientIsn: 100);
        first.Send(true, Frame(Smb2(Smb2Command.Echo, messageId: 1)));
        first.Close();
        SyntheticConnection second = capture.Connect(clientIsn: 900_000);
        second.Send(true, Frame(Smb2(Smb2Command.Echo, messageId: 2)));
        second.Raw(true, second.ClientNext, second.ServerNext, SyntheticConnection.Rst, []);

        (RecordingSink sink, _, var run) = CaptureTestKit.Analyse(capture.ToPcap());

        Assert.Equal([0, 1], sink.Messages.Select(m => m.ConnectionIndex));
        Assert.Equal([0, 1], sink.Closed.Select(c => c.StreamIndex));
        Assert.Equal(2, run.Statistics.TcpConnections);
        Assert.All(sink.Closed, c => Assert.Equal(ClientSideEvidence.Syn, c.ClientSideEvidence));
    }

    [Fact]
    public void Reassemble_StrayAcknowledgmentsOfUnknownConnection_CreateNothing()
    {
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect(handshake: false);
        connection.AckAll(true);
        connection.Raw(false, 5, 6, SyntheticConnection.Fin | SyntheticConnection.Ack, []);

        (_, _, var run) = CaptureTestKit.Analyse(capture.ToPcap());

        Assert.Equal(0, run.Statistics.TcpConnections);
        Assert.Equal(2, run.Statistics.TcpSegments);
    }

    [Fact]
    public void Reassemble_ConnectionSeenMidStreamOnPort445_SkipsToFirstFrameAndUsesPortForDirection()
    {
        byte[] one = Frame(Smb2(Smb2Command.Read, response: true, messageId: 1, bodyLength: 200));
        byte[] two = Frame(Smb2(Smb2Command.Read, response: true, messageId: 2, bodyLength: 20));
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect(clientPort: 50001, serverPort: 445, handshake: false);
        connection.Send(false, [.. one.AsSpan(150), .. two]);

        (RecordingSink sink, CaptureSummaryLike summary) = Analyse(capture);

        SeenMessage message = Assert.Single(sink.Messages);
        Assert.Equal(two[4..], message.Bytes);
        Assert.Equal(SmbDirection.ServerToClient, message.Direction);
        CaptureStreamEvent resync = Assert.Single(sink.Events);
        Assert.Equal(CaptureStreamEventKind.Resynchronised, resync.Kind);
        Assert.Equal(one.Length - 150, resync.ByteCount);
        Assert.Equal(ClientSideEvidence.ServerPort, summary.Evidence);
        Assert.Equal(SmbDetection.WellKnownPort, summary.Detection);
    }

    [Fact]
    public void Reassemble_NonSmbTrafficOnOtherPort_IsIgnoredAfterProbing()
    {
        byte[] http = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 20000)));
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect(serverPort: 80);
        connection.SendSegments(true, http, Enumerable.Repeat(1448, http.Length / 1448).ToArray());

        (RecordingSink sink, _, var run) = CaptureTestKit.Analyse(capture.ToPcap());

        Assert.Empty(sink.Messages);
        Assert.Empty(sink.Events);
        Assert.Empty(sink.Closed);
        Assert.Equal(1, run.Statistics.TcpConnections);
        Assert.Equal(0, run.Statistics.SmbConnections);
    }

    [Fact]
    public void Reassemble_SmbOnUnusualPortStartingMidFrame_DetectedByMagic()
    {
        byte[] one = Frame(Smb2(Smb2Command.Echo, messageId: 1, bodyLength: 100));
        byte[] two = Frame(Smb2(Smb2Command.Echo, messageId: 2));
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect(clientPort: 40000, serverPort: 8445, handshake: false);
        connection.Send(true, [.. one.AsSpan(30), .. two]);

        (RecordingSink sink, CaptureSummaryLike summary) = Analyse(capture);

        Assert.Equal(2UL, BitConverter.ToUInt64(Assert.Single(sink.Messages).Bytes, 24));
        Assert.Equal(SmbDetection.Magic, summary.Detection);
        Assert.Equal(ClientSideEvidence.MessageFlags, summary.Evidence);
        Assert.Equal(8445, summary.ServerPort);
    }

    private sealed record CaptureSummaryLike(SmbDetection Detection, ClientSideEvidence Evidence, int ServerPort);

    private static (RecordingSink Sink, CaptureSummaryLike Summary) Analyse(SyntheticCapture capture)
    {
        (RecordingSink sink, var summary, _) = CaptureTestKit.Analyse(capture.ToPcap());
        TcpConnectionInfo info = Assert.Single(summary.Connections).Connection;
        return (sink, new CaptureSummaryLike(info.Detection, info.ClientSideEvidence, info.Server.Port));
    }
}

internal static class SeenMessageExtensions
{
    /// <summary>The frame of the message's first segment is not in <see cref="SeenMessage"/>; the first out-of-order test
    /// checks it through the stream offset instead (4 = right after the prefix).</summary>
    public static long FrameFirstOrSelf(this SeenMessage message) => message.StreamOffset;
}
