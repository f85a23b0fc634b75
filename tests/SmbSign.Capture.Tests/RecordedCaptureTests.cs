using System.Globalization;
using SmbSign.Protocol;
using SmbSign.Testing;
using SmbSign.Capture.Analysis;
using SmbSign.Capture.Pcap;
using SmbSign.Capture.Smb;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Tests;

/// <summary>Fast tests on the committed real captures (TestData/captures, recorded by RecordedSessionTests): the
/// same session through every container format, byte order, link layer and IP form must give the message list that
/// tshark gave for the original (stored next to it), frame by frame.</summary>
public sealed class RecordedCaptureTests
{
    private const string Smb311 = "smb311-gmac-signed.pcapng";
    private const string Smb210 = "smb210-unsigned.pcapng";
    private const string Smb1 = "smb1-nt1-signed.pcapng";

    public static TheoryData<string, Func<byte[], byte[]>, LinkType> LinkLayers => new()
    {
        { "Ethernet (unchanged)", f => f, LinkType.Ethernet },
        { "Linux cooked SLL", FrameRewriter.LinuxSll, LinkType.LinuxSll },
        { "Linux cooked SLL2", FrameRewriter.LinuxSll2, LinkType.LinuxSll2 },
        { "BSD NULL, little-endian family", f => FrameRewriter.Null(f, bigEndian: false), LinkType.Null },
        { "BSD NULL, big-endian family", f => FrameRewriter.Null(f, bigEndian: true), LinkType.Null },
        { "OpenBSD LOOP", f => FrameRewriter.Null(f, bigEndian: true), LinkType.Loop },
        { "raw IP (101)", FrameRewriter.RawIp, LinkType.Raw },
        { "raw IPv4 (228)", FrameRewriter.RawIp, LinkType.Ipv4 },
        { "raw IP (DLT 12)", FrameRewriter.RawIp, LinkType.RawBsd12 },
        { "802.1Q VLAN", f => FrameRewriter.Vlan(f, 0x8100), LinkType.Ethernet },
        { "802.1ad QinQ", f => FrameRewriter.Vlan(f, 0x88A8, 0x8100), LinkType.Ethernet },
        { "old QinQ 0x9100 with three tags", f => FrameRewriter.Vlan(f, 0x9100, 0x8100, 0x8100), LinkType.Ethernet },
        { "IPv4 with header options", FrameRewriter.Ipv4WithOptions, LinkType.Ethernet },
        { "IPv6", f => FrameRewriter.Ipv6(f, extensionHeaders: false), LinkType.Ethernet },
        { "IPv6 with extension headers", f => FrameRewriter.Ipv6(f, extensionHeaders: true), LinkType.Ethernet },
        { "raw IPv6 (229) with extension headers", f => FrameRewriter.Ipv6(f, extensionHeaders: true, raw: true), LinkType.Ipv6 },
        { "IPv6 over SLL2", f => FrameRewriter.LinuxSll2(FrameRewriter.Ipv6(f, extensionHeaders: false)), LinkType.LinuxSll2 },
    };

    [Fact]
    public void Analyse_Smb311Capture_MatchesTsharkFrameByFrame()
    {
        (RecordingSink sink, CaptureSummary summary, CaptureRunResult run) = CaptureTestKit.Analyse(CaptureTestKit.TestDataPath(Smb311));

        Assert.Equal(TsharkLines(Smb311), CaptureTestKit.Smb2Lines(sink.Messages));
        Assert.Equal(CaptureFileFormat.Pcapng, run.Format);
        ConnectionSummary connection = Assert.Single(summary.Connections);
        Assert.Equal(Dialect.Smb311, connection.Dialect);
        Assert.Equal("127.0.0.1", connection.Connection.Client.Address.ToString());
        Assert.Equal(39047, connection.Connection.Server.Port);
        Assert.True(connection.ClientRequiresSigning);
        Assert.True(connection.ServerRequiresSigning);
        Assert.Equal((ushort)0x0002, (ushort)(connection.ClientSecurityMode!.Value & 0x0002));
        SessionSummary session = Assert.Single(connection.Sessions);
        Assert.Equal(0, session.UnsignedWhileRequired);
        Assert.Equal(connection.Messages, sink.Messages.Count);
        Assert.Empty(sink.Events);
        Assert.All(sink.Messages, m => Assert.Equal((m.Bytes[16] & 1) == 1 ? SmbDirection.ServerToClient : SmbDirection.ClientToServer, m.Direction));
    }

    [Fact]
    public void Analyse_Smb1Capture_MatchesTsharkFrameByFrame()
    {
        (RecordingSink sink, CaptureSummary summary, _) = CaptureTestKit.Analyse(CaptureTestKit.TestDataPath(Smb1));

        List<string> expected = File.ReadAllLines(CaptureTestKit.TestDataPath("smb1-nt1-signed.tshark.txt"))
            .Where(l => l.Length > 0)
            .Select(l => l.Split('\t'))
            .Select(f => $"{f[0]}: {Convert.ToInt32(f[1], 16)} sig={f[2] == "1"}")
            .ToList();
        Assert.Equal(expected, sink.Messages.Select(m => $"{m.Frame}: {m.Smb1Command} sig={(m.Smb1Flags2 & 0x0004) != 0}").ToList());
        ConnectionSummary connection = Assert.Single(summary.Connections);
        Assert.Equal(Dialect.Smb1, connection.Dialect);
        Assert.Equal(ClientSideEvidence.Syn, connection.Connection.ClientSideEvidence);
        Assert.Contains(summary.Findings, f => f.Code == "smb1");
    }

    [Fact]
    public void Analyse_UnsignedCapture_ReportsNotSignedFinding()
    {
        (RecordingSink sink, CaptureSummary summary, _) = CaptureTestKit.Analyse(CaptureTestKit.TestDataPath(Smb210));

        Assert.Equal(TsharkLines(Smb210), CaptureTestKit.Smb2Lines(sink.Messages));
        ConnectionSummary connection = Assert.Single(summary.Connections);
        Assert.Equal(Dialect.Smb210, connection.Dialect);
        Assert.Equal(false, connection.SigningRequired);
        CaptureFinding finding = Assert.Single(summary.Findings, f => f.Code == "not-signed");
        Assert.Contains("neither side required it", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LinkLayers))]
    public void Analyse_SessionInOtherLinkLayer_SameMessages(string description, Func<byte[], byte[]> rewrite, LinkType linkType)
    {
        byte[] pcap = Rewrite(Smb311, rewrite, linkType);

        (RecordingSink sink, CaptureSummary summary, CaptureRunResult run) = CaptureTestKit.Analyse(pcap);

        Assert.Equal(TsharkLines(Smb311), CaptureTestKit.Smb2Lines(sink.Messages));
        Assert.Equal(0, run.Statistics.MalformedPackets);
        Assert.Equal(Dialect.Smb311, Assert.Single(summary.Connections).Dialect);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Analyse_SessionAsPcapOfEitherByteOrderAndResolution_SameMessages(bool bigEndian, bool nanoseconds)
    {
        byte[] pcap = Rewrite(Smb311, f => f, LinkType.Ethernet, bigEndian, nanoseconds);

        (RecordingSink sink, _, CaptureRunResult run) = CaptureTestKit.Analyse(pcap);

        Assert.Equal(TsharkLines(Smb311), CaptureTestKit.Smb2Lines(sink.Messages));
        Assert.Equal(nanoseconds ? CaptureFileFormat.PcapNanoseconds : CaptureFileFormat.Pcap, run.Format);
    }

    [Theory]
    [InlineData("pcap")]
    [InlineData("nsecpcap")]
    [InlineData("pcapng")]
    public async Task Analyse_SessionConvertedByEditcap_SameMessagesAndTimestamps(string format)
    {
        string editcap = ToolLocator.Require("editcap", "tshark");
        string output = Path.Combine(Path.GetTempPath(), $"smbsign-editcap-{Guid.NewGuid():N}.{format}");
        try
        {
            (int code, string log) = await ProcessRunner.RunAsync(editcap, ["-F", format, CaptureTestKit.TestDataPath(Smb311), output], null, TimeSpan.FromSeconds(60));
            Assert.True(code == 0, log);

            (RecordingSink converted, _, _) = CaptureTestKit.Analyse(output);
            (RecordingSink original, _, _) = CaptureTestKit.Analyse(CaptureTestKit.TestDataPath(Smb311));

            Assert.Equal(TsharkLines(Smb311), CaptureTestKit.Smb2Lines(converted.Messages));
            Assert.Equal(original.Messages.Select(m => m.Bytes.Length), converted.Messages.Select(m => m.Bytes.Length));
            Assert.Equal(ReadTimestamps(CaptureTestKit.TestDataPath(Smb311), microseconds: format == "pcap"), ReadTimestamps(output, microseconds: format == "pcap"));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Analyse_SessionAsPcapngWithSkippableBlocksAndSections_SameMessages(bool bigEndian)
    {
        var packets = CaptureTestKit.ReadPackets(CaptureTestKit.TestDataPath(Smb311));
        var writer = new PcapngTestWriter().SectionHeader(bigEndian).Interface(LinkType.LinuxSll2).Interface(LinkType.Ethernet, tsresol: 9);
        for (int i = 0; i < packets.Count; i++)
        {
            if (i == packets.Count / 2)
            {
                // Start a second section of the other byte order halfway through.
                writer.SectionHeader(!bigEndian).Block(4, new byte[16]).Interface(LinkType.Ethernet, tsresol: 0x80 | 30);
            }

            writer.Block(5, new byte[24]);
            bool secondSection = i >= packets.Count / 2;
            ulong timestamp = secondSection
                ? (ulong)((UInt128)packets[i].Timestamp * (1UL << 30) / 1_000_000_000UL)
                : (ulong)packets[i].Timestamp;
            writer.Enhanced(secondSection ? 0u : 1u, timestamp, packets[i].Data);
        }

        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(writer.ToArray());

        Assert.Equal(TsharkLines(Smb311), CaptureTestKit.Smb2Lines(sink.Messages));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(65536)]
    public void Analyse_FromNonSeekableStreamInSmallReads_SameMessages(int chunk)
    {
        byte[] file = File.ReadAllBytes(CaptureTestKit.TestDataPath(Smb311));

        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(new ChunkedStream(file, chunk));

        Assert.Equal(TsharkLines(Smb311), CaptureTestKit.Smb2Lines(sink.Messages));
    }

    [Fact]
    public void Analyse_WithoutAutoDetectOrPort_FindsNoSmb()
    {
        (RecordingSink sink, CaptureSummary summary, _) = CaptureTestKit.Analyse(
            CaptureTestKit.TestDataPath(Smb311), new SmbCaptureOptions { AutoDetect = false });

        Assert.Empty(sink.Messages);
        Assert.Contains(summary.Findings, f => f.Code == "no-smb");
    }

    [Fact]
    public void Analyse_WithConfiguredPortAndNoAutoDetect_FindsSession()
    {
        (RecordingSink sink, CaptureSummary summary, _) = CaptureTestKit.Analyse(
            CaptureTestKit.TestDataPath(Smb311), new SmbCaptureOptions { AutoDetect = false, ExtraServerPorts = [39047] });

        Assert.Equal(TsharkLines(Smb311), CaptureTestKit.Smb2Lines(sink.Messages));
        Assert.Equal(SmbDetection.ConfiguredPort, Assert.Single(summary.Connections).Connection.Detection);
    }

    [Fact]
    public void Analyse_TruncatedFile_ReportsTruncationAndKeepsEarlierMessages()
    {
        byte[] file = File.ReadAllBytes(CaptureTestKit.TestDataPath(Smb311));
        byte[] cut = file[..(file.Length * 2 / 3)];

        (RecordingSink sink, CaptureSummary summary, CaptureRunResult run) = CaptureTestKit.Analyse(cut);

        Assert.NotNull(run.Truncation);
        List<string> expected = TsharkLines(Smb311);
        List<string> seen = CaptureTestKit.Smb2Lines(sink.Messages);
        Assert.InRange(seen.Count, expected.Count / 3, expected.Count - 1);
        Assert.Equal(expected[..seen.Count], seen);
        Assert.Contains(summary.Findings, f => f.Code == "truncated" && f.Message.Contains("byte offset", StringComparison.Ordinal));
    }

    [Fact]
    public void Analyse_CaptureStartingMidStream_ResynchronisesAndDecidesClientFromFlags()
    {
        var packets = CaptureTestKit.ReadPackets(CaptureTestKit.TestDataPath(Smb311));
        using var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, LinkType.Ethernet, leaveOpen: true))
        {
            // Drop the handshake, NEGOTIATE and SESSION_SETUP (the first 13 frames).
            foreach (var packet in packets.Skip(13))
            {
                writer.WritePacket(packet.Timestamp, packet.Data);
            }
        }

        (RecordingSink sink, CaptureSummary summary, _) = CaptureTestKit.Analyse(stream.ToArray());

        List<string> expected = TsharkLines(Smb311)
            .Select(l => l.Split(':'))
            .Where(p => long.Parse(p[0], CultureInfo.InvariantCulture) > 13)
            .Select(p => $"{long.Parse(p[0], CultureInfo.InvariantCulture) - 13}:{p[1]}")
            .ToList();
        Assert.Equal(expected, CaptureTestKit.Smb2Lines(sink.Messages));
        ConnectionSummary connection = Assert.Single(summary.Connections);
        Assert.Equal(SmbDetection.Magic, connection.Connection.Detection);
        Assert.Equal(ClientSideEvidence.MessageFlags, connection.Connection.ClientSideEvidence);
        Assert.Equal(39047, connection.Connection.Server.Port);
        Assert.Null(connection.Dialect);
        Assert.Null(Assert.Single(connection.Sessions).UnsignedWhileRequired);
    }

    [Fact]
    public void Analyse_SmallSnapLength_ReportsGapsWithoutCrashing()
    {
        byte[] pcap = Rewrite(Smb311, f => FrameRewriter.Snap(f, 200), LinkType.Ethernet);

        (RecordingSink sink, CaptureSummary summary, CaptureRunResult run) = CaptureTestKit.Analyse(pcap);

        Assert.True(run.Statistics.Gaps > 0);
        Assert.Contains(sink.Events, e => e.Kind == CaptureStreamEventKind.Gap && e.GapReason == GapReason.SnapLength);
        Assert.True(summary.Gaps > 0);
        Assert.Contains(summary.Findings, f => f.Code == "gaps");

        // Messages that fit in 200-byte frames are still found (the NEGOTIATE request is larger, most small ones are not).
        Assert.NotEmpty(sink.Messages);
        List<string> expected = TsharkLines(Smb311);
        Assert.All(CaptureTestKit.Smb2Lines(sink.Messages), line => Assert.Contains(line, expected));
    }

    [Fact]
    public void Read_PullReader_YieldsTheSameMessagesAsThePushPipeline()
    {
        (RecordingSink pushed, _, _) = CaptureTestKit.Analyse(CaptureTestKit.TestDataPath(Smb311));
        var pulled = new List<(long Frame, byte[] Bytes)>();
        int closed = 0;

        using (FileStream stream = File.OpenRead(CaptureTestKit.TestDataPath(Smb311)))
        using (SmbCaptureReader reader = SmbCaptureReader.Open(stream))
        {
            while (reader.TryRead(out CaptureItem item))
            {
                if (item.Kind == CaptureItemKind.Message)
                {
                    pulled.Add((item.Message.FrameNumber, item.Message.Bytes.ToArray()));
                }
                else if (item.Kind == CaptureItemKind.ConnectionClosed)
                {
                    closed++;
                }
            }
        }

        Assert.Equal(pushed.Messages.Select(m => m.Frame), pulled.Select(p => p.Frame));
        Assert.Equal(pushed.Messages.Select(m => Convert.ToHexString(m.Bytes)), pulled.Select(p => Convert.ToHexString(p.Bytes)));
        Assert.Equal(1, closed);
    }

    private static List<string> TsharkLines(string capture) =>
        File.ReadAllLines(CaptureTestKit.TestDataPath(Path.ChangeExtension(capture, ".tshark.txt")))
            .Where(l => l.Length > 0)
            .Select(l => l.Split('\t'))
            .Select(f => $"{f[0]}: {f[1]} / {f[2]}")
            .ToList();

    private static byte[] Rewrite(string capture, Func<byte[], byte[]> rewrite, LinkType linkType, bool bigEndian = false, bool nanoseconds = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, linkType, bigEndian: bigEndian, nanoseconds: nanoseconds, leaveOpen: true))
        {
            foreach (var packet in CaptureTestKit.ReadPackets(CaptureTestKit.TestDataPath(capture)))
            {
                writer.WritePacket(packet.Timestamp, rewrite(packet.Data));
            }
        }

        return stream.ToArray();
    }

    private static List<long> ReadTimestamps(string path, bool microseconds) =>
        CaptureTestKit.ReadPackets(path).Select(p => microseconds ? p.Timestamp / 1000 : p.Timestamp).ToList();
}
