using SmbSign.Protocol.Smb2;
using SmbSign.Testing;
using SmbSign.Capture.Analysis;
using SmbSign.Capture.Pcap;
using SmbSign.Capture.Smb;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Tests;

/// <summary>One message as the tests compare it (bytes are copied: the callback's memory does not outlive it).</summary>
internal sealed record SeenMessage(
    long Frame,
    SmbMessageKind Kind,
    Smb2Command Command,
    bool Signed,
    SmbDirection Direction,
    ulong SessionId,
    byte Smb1Command,
    ushort Smb1Flags2,
    int CompoundIndex,
    long StreamOffset,
    int ConnectionIndex,
    byte[] Bytes);

/// <summary>Collects everything the pipeline pushes.</summary>
internal sealed class RecordingSink : ISmbCaptureSink
{
    public List<SeenMessage> Messages { get; } = [];

    public List<CaptureStreamEvent> Events { get; } = [];

    public List<TcpConnectionInfo> Closed { get; } = [];

    public void OnMessage(in CapturedSmbMessage message) => Messages.Add(new SeenMessage(
        message.FrameNumber,
        message.Kind,
        message.Smb2Header.Command,
        message.IsSigned,
        message.Direction,
        message.SessionId,
        message.Smb1Header.Command,
        message.Smb1Header.Flags2,
        message.CompoundIndex,
        message.StreamOffset,
        message.Connection.StreamIndex,
        message.Bytes.ToArray()));

    public void OnStreamEvent(in CaptureStreamEvent streamEvent) => Events.Add(streamEvent);

    public void OnConnectionClosed(TcpConnectionInfo connection) => Closed.Add(connection);
}

/// <summary>Fans one message stream out to several sinks.</summary>
internal sealed class TeeSink(params ISmbCaptureSink[] sinks) : ISmbCaptureSink
{
    public void OnMessage(in CapturedSmbMessage message)
    {
        foreach (ISmbCaptureSink sink in sinks)
        {
            sink.OnMessage(message);
        }
    }

    public void OnStreamEvent(in CaptureStreamEvent streamEvent)
    {
        foreach (ISmbCaptureSink sink in sinks)
        {
            sink.OnStreamEvent(streamEvent);
        }
    }

    public void OnConnectionClosed(TcpConnectionInfo connection)
    {
        foreach (ISmbCaptureSink sink in sinks)
        {
            sink.OnConnectionClosed(connection);
        }
    }
}

/// <summary>Runs the pipeline over files and byte arrays.</summary>
internal static class CaptureTestKit
{
    public static string TestDataPath(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "captures", name);

    public static (RecordingSink Sink, CaptureSummary Summary, CaptureRunResult Run) Analyse(string path, SmbCaptureOptions? options = null)
    {
        using FileStream stream = File.OpenRead(path);
        return Analyse(stream, options);
    }

    public static (RecordingSink Sink, CaptureSummary Summary, CaptureRunResult Run) Analyse(byte[] capture, SmbCaptureOptions? options = null)
    {
        using var stream = new MemoryStream(capture, writable: false);
        return Analyse(stream, options);
    }

    public static (RecordingSink Sink, CaptureSummary Summary, CaptureRunResult Run) Analyse(Stream stream, SmbCaptureOptions? options = null, CaptureCredentials? credentials = null)
    {
        var sink = new RecordingSink();
        var builder = new CaptureSummaryBuilder(credentials);
        builder.BeginSource("test");
        CaptureRunResult run = SmbCapturePipeline.Run(stream, new TeeSink(sink, builder), options);
        builder.EndSource(run);
        return (sink, builder.Build(), run);
    }

    /// <summary>Our SMB2 messages grouped as tshark prints them: one line per frame with its commands and SIGNED flags.</summary>
    public static List<string> Smb2Lines(IEnumerable<SeenMessage> messages) => messages
        .Where(m => m.Kind == SmbMessageKind.Smb2)
        .GroupBy(m => m.Frame)
        .OrderBy(g => g.Key)
        .Select(g => $"{g.Key}: {string.Join(',', g.Select(m => (int)m.Command))} / {string.Join(',', g.Select(m => m.Signed ? 1 : 0))}")
        .ToList();

    public static List<string> Smb2Lines(IEnumerable<TsharkSmb2Frame> frames) => frames
        .Select(f => $"{f.FrameNumber}: {string.Join(',', f.Commands)} / {string.Join(',', f.Signed.Select(s => s ? 1 : 0))}")
        .ToList();

    /// <summary>Compares our SMB2 messages with tshark's, frame by frame. Every frame tshark shows must match ours exactly.
    /// tshark 4.0 sometimes skips PDUs that follow a retransmitted segment (seen after multi-megabyte WRITEs on
    /// loopback); a message only we report is accepted only when it is a request whose response (same MessageId)
    /// tshark does show.</summary>
    public static void AssertMatchesTshark(IReadOnlyList<SeenMessage> ours, IReadOnlyList<TsharkSmb2Frame> tshark)
    {
        List<string> theirs = Smb2Lines(tshark);
        List<string> mine = Smb2Lines(ours);
        if (theirs.SequenceEqual(mine))
        {
            return;
        }

        var tsharkFrames = tshark.Select(f => f.FrameNumber).ToHashSet();
        Assert.All(theirs, line => Assert.Contains(line, mine));
        IEnumerable<SeenMessage> extras = ours.Where(m => m.Kind == SmbMessageKind.Smb2 && !tsharkFrames.Contains(m.Frame));
        Assert.All(extras, extra =>
        {
            ulong messageId = BitConverter.ToUInt64(extra.Bytes, 24);
            Assert.Equal(SmbDirection.ClientToServer, extra.Direction);
            Assert.Contains(ours, m => m.Direction == SmbDirection.ServerToClient && BitConverter.ToUInt64(m.Bytes, 24) == messageId
                && m.Command == extra.Command && tsharkFrames.Contains(m.Frame));
        });
    }

    /// <summary>The report of a capture file with signature verification.</summary>
    public static (RecordingSink Sink, CaptureSummary Summary) Verify(string path, CaptureCredentials credentials)
    {
        using FileStream stream = File.OpenRead(path);
        (RecordingSink sink, CaptureSummary summary, _) = Analyse(stream, null, credentials);
        return (sink, summary);
    }

    /// <summary>The report of an in-memory capture with signature verification.</summary>
    public static (RecordingSink Sink, CaptureSummary Summary) Verify(byte[] capture, CaptureCredentials credentials)
    {
        using var stream = new MemoryStream(capture, writable: false);
        (RecordingSink sink, CaptureSummary summary, _) = Analyse(stream, null, credentials);
        return (sink, summary);
    }

    /// <summary>The Samba fixture's user with the right (or another) password.</summary>
    public static CaptureCredentials FixturePassword(string? password = null) =>
        CaptureCredentials.FromPassword("smbsigntest", null, password ?? SambaServer.Password);

    /// <summary>A copy of the capture (as pcap) with one byte flipped inside <paramref name="message"/>, which must lie
    /// wholly in one packet: the byte <paramref name="fromEnd"/> bytes before the message's end (payload, not header).</summary>
    public static byte[] FlipByteInMessage(string path, SeenMessage message, int fromEnd = 1)
    {
        List<(long Timestamp, LinkType LinkType, byte[] Data)> packets = ReadPackets(path);
        byte[] data = packets[(int)message.Frame - 1].Data;
        int at = data.AsSpan().IndexOf(message.Bytes);
        Assert.True(at >= 0, $"frame {message.Frame} does not hold the whole message");
        Assert.True(message.Bytes.Length - fromEnd >= 64, "the flipped byte must lie after the SMB2 header");
        data[at + message.Bytes.Length - fromEnd] ^= 0x01;
        using var output = new MemoryStream();
        using (var writer = new PcapFileWriter(output, packets[0].LinkType, leaveOpen: true))
        {
            foreach ((long timestamp, _, byte[] bytes) in packets)
            {
                writer.WritePacket(timestamp, bytes);
            }
        }

        return output.ToArray();
    }

    /// <summary>Reads every packet of a capture into memory (tests only; small files).</summary>
    public static List<(long Timestamp, LinkType LinkType, byte[] Data)> ReadPackets(string path)
    {
        using FileStream stream = File.OpenRead(path);
        using CaptureFileReader reader = CaptureFileReader.Open(stream);
        var packets = new List<(long, LinkType, byte[])>();
        while (reader.TryReadPacket(out CapturePacket packet))
        {
            packets.Add((packet.TimestampNanoseconds, packet.LinkType, packet.Data.ToArray()));
        }

        return packets;
    }
}
