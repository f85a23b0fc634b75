using SmbSign.Capture.Analysis;
using SmbSign.Capture.Pcap;
using SmbSign.Capture.Smb;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Tests;

/// <summary>What the summary builder and its session tracker keep between messages and hand out at the end: the report
/// is a snapshot, user names are shared across sessions, and SMB1 sequence numbers stop at a lost frame.</summary>
public sealed class CaptureSummaryBuilderTests
{
    [Fact]
    public void Build_IsASnapshot_LaterFilesDoNotChangeAnEarlierReport()
    {
        using CaptureCredentials credentials = CaptureTestKit.FixturePassword();
        var builder = new CaptureSummaryBuilder(credentials);
        AnalyseFile(builder, "smb311-gmac-signed.pcapng");
        CaptureSummary first = builder.Build();
        SessionSummary firstSession = Assert.Single(Assert.Single(first.Connections).Sessions);
        long verified = firstSession.Verified!.Value;
        int findings = first.Findings.Count;

        AnalyseFile(builder, "smb311-gmac-signed.pcapng");
        CaptureSummary second = builder.Build();

        Assert.Single(first.Sources);
        Assert.Single(first.Connections);
        Assert.Equal(findings, first.Findings.Count);
        Assert.Equal(verified, firstSession.Verified);
        Assert.Equal(2, second.Sources.Count);
        Assert.Equal(2, second.Connections.Count);
        Assert.All(second.Connections, c => Assert.Equal(verified, Assert.Single(c.Sessions).Verified));
    }

    [Fact]
    public void Build_TwiceWithNothingBetween_GivesEqualReports()
    {
        using CaptureCredentials credentials = CaptureTestKit.FixturePassword();
        var builder = new CaptureSummaryBuilder(credentials);
        AnalyseFile(builder, "smb1-nt1-signed.pcapng");

        CaptureSummary first = builder.Build();
        CaptureSummary second = builder.Build();

        SessionSummary a = Assert.Single(Assert.Single(first.Connections).Sessions);
        SessionSummary b = Assert.Single(Assert.Single(second.Connections).Sessions);
        Assert.Equal(a with { Failures = [], UnsignedWhileRequiredFrames = [] }, b with { Failures = [], UnsignedWhileRequiredFrames = [] });
        Assert.Equal(a.Failures, b.Failures);
        Assert.Equal(first.Findings.Select(f => (f.Code, f.Message)), second.Findings.Select(f => (f.Code, f.Message)));
    }

    [Fact]
    public void UserNames_OfSessionsOfOneUser_AreOneString()
    {
        var builder = new CaptureSummaryBuilder();
        AnalyseFile(builder, "smb311-gmac-signed.pcapng");
        AnalyseFile(builder, "smb311-gmac-signed.pcapng");

        CaptureSummary summary = builder.Build();

        string[] users = [.. summary.Connections.Select(c => Assert.Single(c.Sessions).User!)];
        Assert.Equal(["smbsigntest", "smbsigntest"], users);
        Assert.Same(users[0], users[1]);
    }

    [Fact]
    public void Smb1_FrameLostAfterSigningStarted_LaterSignaturesAreNotCheckableNotFailed()
    {
        string path = CaptureTestKit.TestDataPath("smb1-nt1-signed.pcapng");
        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(path);
        List<SeenMessage> signedRequests = [.. sink.Messages.Where(m =>
            m.Kind == SmbMessageKind.Smb1 && m.Signed && m.Direction == SmbDirection.ClientToServer && m.Smb1Command != 0x73)];
        Assert.True(signedRequests.Count >= 4, "the capture needs signed SMB1 requests after the SESSION_SETUP");
        long dropped = signedRequests[signedRequests.Count / 2].Frame;
        using CaptureCredentials credentials = CaptureTestKit.FixturePassword();

        (_, CaptureSummary summary) = CaptureTestKit.Verify(WithoutFrame(path, dropped), credentials);

        SessionSummary session = Assert.Single(Assert.Single(summary.Connections).Sessions);
        Assert.Equal(SessionKeyStatus.Password, session.KeyStatus);
        Assert.Equal(0, session.Failed);
        Assert.True(session.Verified > 0, "the messages before the lost frame verify");
        Assert.True(session.NotCheckable > 0, "the messages after it cannot be checked");
        Assert.Contains(summary.Findings, f => f.Code == "gaps");
        CaptureFinding notCheckable = Assert.Single(summary.Findings, f => f.Code == "not-checkable");
        Assert.Contains("sequence numbers could not be followed past a lost frame", notCheckable.Message, StringComparison.Ordinal);
    }

    private static void AnalyseFile(CaptureSummaryBuilder builder, string name)
    {
        using FileStream stream = File.OpenRead(CaptureTestKit.TestDataPath(name));
        builder.BeginSource(name);
        builder.EndSource(SmbCapturePipeline.Run(stream, builder));
    }

    /// <summary>The capture as pcap without one frame, as if the capturing host had missed it.</summary>
    private static byte[] WithoutFrame(string path, long frame)
    {
        List<(long Timestamp, LinkType LinkType, byte[] Data)> packets = CaptureTestKit.ReadPackets(path);
        using var output = new MemoryStream();
        using (var writer = new PcapFileWriter(output, packets[0].LinkType, leaveOpen: true))
        {
            for (int i = 0; i < packets.Count; i++)
            {
                if (i + 1 != frame)
                {
                    writer.WritePacket(packets[i].Timestamp, packets[i].Data);
                }
            }
        }

        return output.ToArray();
    }
}
