using SmbSign.Protocol.Smb2;
using SmbSign.Testing;
using SmbSign.Wire.Capture.Smb;
using SmbSign.Wire.Capture.Tcp;

namespace SmbSign.Wire.Tests.Capture;

/// <summary>Captures made by the suite itself: smbclient against the Samba fixture while dumpcap records loopback, then
/// SmbSign's reader is compared with tshark's dissection of the same file, frame by frame.</summary>
public sealed class RecordedSessionTests
{
    [Theory]
    [InlineData("SMB2_02", "required", "mandatory")]
    [InlineData("SMB3_11", "required", "mandatory")]
    public async Task Record_SmbclientSession_MatchesTshark(string protocol, string clientSigning, string serverSigning)
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = serverSigning, MinProtocol = "NT1" });
        await using CaptureRecorder recorder = await CaptureRecorder.StartAsync(server.Port);
        (int code, string output) = await SmbClientRunner.RunAsync(server, new SmbClientOptions { Protocol = protocol, Signing = clientSigning });
        string file = await recorder.StopAsync();
        Assert.True(code == 0, output + server.Log);
        string? keep = Environment.GetEnvironmentVariable("SMBSIGN_KEEP_CAPTURES");
        if (keep is not null)
        {
            recorder.CopyTo(Path.Combine(keep, $"{protocol}-{clientSigning}.pcapng"));
        }

        var sink = new ListSink();
        using (FileStream stream = File.OpenRead(file))
        {
            SmbCapturePipeline.Run(stream, sink, new SmbCaptureOptions { ExtraServerPorts = [server.Port] });
        }

        IReadOnlyList<TsharkSmb2Frame> tshark = await TsharkDissection.ReadSmb2Async(file, server.Port);
        Assert.Equal(tshark.Sum(f => f.Commands.Count), sink.Messages.Count);
    }

    private sealed class ListSink : ISmbCaptureSink
    {
        public List<(long Frame, Smb2Command Command, bool Signed, SmbDirection Direction)> Messages { get; } = [];

        public void OnMessage(in CapturedSmbMessage message) =>
            Messages.Add((message.FrameNumber, message.Smb2Header.Command, message.IsSigned, message.Direction));
    }
}
