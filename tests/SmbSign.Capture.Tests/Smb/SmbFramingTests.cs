using System.Buffers.Binary;
using SmbSign.Protocol.Smb2;
using SmbSign.Capture.Smb;
using SmbSign.Capture.Tcp;
using static SmbSign.Capture.Tests.SmbTestMessages;

namespace SmbSign.Capture.Tests.Smb;

/// <summary>SMB extraction from reassembled streams: compounds, transform headers, SMB1, NBSS control frames, and
/// frames that are not SMB.</summary>
public sealed class SmbFramingTests
{
    [Fact]
    public void Extract_Compound_YieldsEachMemberWithItsPadding()
    {
        byte[] create = Smb2(Smb2Command.Create, messageId: 10, signed: true, bodyLength: 57);
        byte[] read = Smb2(Smb2Command.Read, messageId: 11, signed: true, bodyLength: 49);
        byte[] close = Smb2(Smb2Command.Close, messageId: 12, signed: true, bodyLength: 24);
        byte[] compound = Compound(create, read, close);

        RecordingSink sink = Run(c => c.Send(true, Frame(compound)));

        Assert.Equal([Smb2Command.Create, Smb2Command.Read, Smb2Command.Close], sink.Messages.Select(m => m.Command));
        Assert.Equal([0, 1, 2], sink.Messages.Select(m => m.CompoundIndex));
        Assert.Equal([128, 120, 88], sink.Messages.Select(m => m.Bytes.Length)); // 121 → 128 and 113 → 120 with padding; the last runs to the end
        Assert.Equal([4L, 132L, 252L], sink.Messages.Select(m => m.StreamOffset));
        Assert.Equal(compound[128..248], sink.Messages[1].Bytes);
        Assert.All(sink.Messages, m => Assert.True(m.Signed));
    }

    public static TheoryData<string, uint> BadNextCommands => new()
    {
        { "NextCommand smaller than a header", 32 },
        { "NextCommand past the frame", 4096 },
        { "NextCommand leaves less than a header", 72 + 8 },
    };

    [Theory]
    [MemberData(nameof(BadNextCommands))]
    public void Extract_CompoundWithBadNextCommand_ReportsMalformedAndStopsAtFrameEnd(string description, uint next)
    {
        byte[] first = Smb2(Smb2Command.Create, bodyLength: 8, nextCommand: next);
        byte[] payload = [.. first, .. Smb2(Smb2Command.Close, bodyLength: 8)[..40]];

        RecordingSink sink = Run(c => c.Send(true, Frame(payload)));

        SeenMessage message = Assert.Single(sink.Messages);
        Assert.Equal(payload.Length, message.Bytes.Length);
        CaptureStreamEvent malformed = Assert.Single(sink.Events);
        Assert.Equal(CaptureStreamEventKind.MalformedMessage, malformed.Kind);
        Assert.Contains($"NextCommand {next}", malformed.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Fact]
    public void Extract_CompoundMemberWithBadStructureSize_ReportsMalformed()
    {
        byte[] second = Smb2(Smb2Command.Close, bodyLength: 8);
        second[4] = 0x41;
        byte[] payload = Compound(Smb2(Smb2Command.Create, bodyLength: 8), second);

        RecordingSink sink = Run(c => c.Send(true, Frame(payload)));

        Assert.Single(sink.Messages);
        CaptureStreamEvent malformed = Assert.Single(sink.Events);
        Assert.Contains("compound member 1: SMB2 header StructureSize is 65", malformed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_TransformAndCompressionHeaders_CountedAsTheirKind()
    {
        byte[] transform = new byte[52 + 100];
        transform[0] = 0xFD;
        "SMB"u8.CopyTo(transform.AsSpan(1));
        BinaryPrimitives.WriteUInt64LittleEndian(transform.AsSpan(44), 0xABCDEF);
        byte[] compressed = new byte[16 + 50];
        compressed[0] = 0xFC;
        "SMB"u8.CopyTo(compressed.AsSpan(1));

        RecordingSink sink = Run(c =>
        {
            c.Send(true, Frame(transform));
            c.Send(false, Frame(compressed));
        });

        Assert.Equal([SmbMessageKind.Smb2Encrypted, SmbMessageKind.Smb2Compressed], sink.Messages.Select(m => m.Kind));
        Assert.Equal(0xABCDEFUL, sink.Messages[0].SessionId);
        Assert.All(sink.Messages, m => Assert.False(m.Signed));
    }

    [Fact]
    public void Extract_Smb1Messages_ParsesHeaderAndTreatsPlaceholderSignatureAsUnsigned()
    {
        byte[] request = Smb1(0x73, reply: false, flags2: 0xC807, signature: "BSRSPYL "u8.ToArray());
        byte[] response = Smb1(0x73, reply: true, flags2: 0xC807, signature: [1, 2, 3, 4, 5, 6, 7, 8]);
        byte[] unsignedResponse = Smb1(0x2E, reply: true, flags2: 0xC801, signature: new byte[8]);

        RecordingSink sink = Run(c =>
        {
            c.Send(true, Frame(request));
            c.Send(false, Frame(response));
            c.Send(false, Frame(unsignedResponse));
        });

        Assert.Equal([(byte)0x73, (byte)0x73, (byte)0x2E], sink.Messages.Select(m => m.Smb1Command));
        Assert.Equal([false, true, false], sink.Messages.Select(m => m.Signed));
        Assert.Equal(0x64UL, sink.Messages[0].SessionId);
        Assert.All(sink.Messages, m => Assert.Equal(SmbMessageKind.Smb1, m.Kind));
    }

    [Fact]
    public void Extract_NetbiosSessionServiceOnPort139_SkipsSessionRequestAndResponse()
    {
        byte[] sessionRequest = [0x81, 0x00, 0x00, 0x44, .. new byte[68]];
        byte[] positiveResponse = [0x82, 0x00, 0x00, 0x00];

        RecordingSink sink = Run(
            c =>
            {
                c.Send(true, sessionRequest);
                c.Send(false, positiveResponse);
                c.Send(true, Frame(Smb2(Smb2Command.Negotiate)));
                c.Send(false, [.. Frame(Smb2(Smb2Command.Negotiate, response: true)), 0x85, 0, 0, 0]);
            },
            serverPort: 139);

        Assert.Equal([SmbDirection.ClientToServer, SmbDirection.ServerToClient], sink.Messages.Select(m => m.Direction));
        Assert.Empty(sink.Events);
    }

    public static TheoryData<string, byte[]> NotSmbFrames => new()
    {
        { "unknown NBSS type", [0x42, 0x00, 0x00, 0x10, .. new byte[16]] },
        { "protocol id is not SMB", [0x00, 0x00, 0x00, 0x44, 0xFE, 0x53, 0x4D, 0x43, .. new byte[64]] },
        { "length above the 1 MiB maximum set for the test", [0x00, 0x20, 0x00, 0x00, 0xFE, 0x53, 0x4D, 0x42, .. new byte[64]] },
        { "SMB2 frame shorter than a header", [0x00, 0x00, 0x00, 0x10, 0xFE, 0x53, 0x4D, 0x42, .. new byte[12]] },
        { "keep-alive with a length", [0x85, 0x00, 0x00, 0x04, 1, 2, 3, 4] },
    };

    [Theory]
    [MemberData(nameof(NotSmbFrames))]
    public void Extract_FrameThatIsNotSmb_ReportsInvalidAndResynchronisesAtNextFrame(string description, byte[] garbage)
    {
        byte[] good = Frame(Smb2(Smb2Command.Echo, messageId: 7));

        RecordingSink sink = Run(
            c =>
            {
                c.Send(true, Frame(Smb2(Smb2Command.Echo, messageId: 6)));
                c.Send(true, [.. garbage, .. good]);
            },
            options: new SmbCaptureOptions { MaxFrameSize = 1024 * 1024 });

        Assert.Equal([6UL, 7UL], sink.Messages.Select(m => BitConverter.ToUInt64(m.Bytes, 24)));
        Assert.Equal(CaptureStreamEventKind.InvalidFrame, sink.Events[0].Kind);
        CaptureStreamEvent resync = Assert.Single(sink.Events, e => e.Kind == CaptureStreamEventKind.Resynchronised);
        Assert.Equal(garbage.Length, resync.ByteCount);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Fact]
    public void Extract_StreamEndsInsideFrame_ReportsIncompleteFrame()
    {
        byte[] frame = Frame(Smb2(Smb2Command.Read, response: true, bodyLength: 1000));

        RecordingSink sink = Run(c => c.Send(false, frame.AsSpan(0, 600)));

        Assert.Empty(sink.Messages);
        CaptureStreamEvent incomplete = Assert.Single(sink.Events);
        Assert.Equal(CaptureStreamEventKind.IncompleteFrameAtEnd, incomplete.Kind);
        Assert.Equal(600, incomplete.ByteCount);
        Assert.Contains($"600 of {frame.Length}", incomplete.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_CandidateSplitAcrossSegmentsWhileResynchronising_IsFound()
    {
        byte[] good = Frame(Smb2(Smb2Command.Echo, messageId: 9));
        byte[] junk = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99];

        // Mid-stream on 445: the first bytes are not a frame; the next frame's prefix and protocol id straddle segments.
        RecordingSink sink = Run(
            c =>
            {
                c.Send(true, [.. junk, .. good.AsSpan(0, 3)]);
                c.Send(true, good.AsSpan(3, 3));
                c.Send(true, good.AsSpan(6));
            },
            handshake: false);

        Assert.Equal(9UL, BitConverter.ToUInt64(Assert.Single(sink.Messages).Bytes, 24));
        Assert.Equal(junk.Length, Assert.Single(sink.Events).ByteCount);
    }

    private static byte[] Smb1(byte command, bool reply, ushort flags2, byte[] signature)
    {
        byte[] message = new byte[32 + 3];
        message[0] = 0xFF;
        "SMB"u8.CopyTo(message.AsSpan(1));
        message[4] = command;
        message[9] = reply ? (byte)0x98 : (byte)0x18;
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(10), flags2);
        signature.CopyTo(message.AsSpan(14));
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(28), 0x64);
        return message;
    }

    private static RecordingSink Run(Action<SyntheticConnection> script, ushort serverPort = 445, bool handshake = true, SmbCaptureOptions? options = null)
    {
        var capture = new SyntheticCapture();
        script(capture.Connect(serverPort: serverPort, handshake: handshake));
        return CaptureTestKit.Analyse(capture.ToPcap(), options).Sink;
    }
}
