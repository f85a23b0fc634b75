using SmbSign.Testing;
using SmbSign.Capture.Analysis;
using SmbSign.Capture.Smb;
using SmbSign.Wire.Listen;
using SmbSign.Wire.Tests.Listen;

namespace SmbSign.Capture.Tests;

/// <summary>The listener's observations against <c>smbsign capture</c>'s analysis of a dumpcap recording of the same
/// sessions: dialect, signing algorithm, the client's advertised requirement and user agree, every signature the listener
/// made verifies with the password, and exactly the responses it tampered with fail.</summary>
public sealed class ListenCaptureAgreementTests
{
    [Theory]
    [InlineData(ListenTestMode.Observe)]
    [InlineData(ListenTestMode.BadSignature)]
    public async Task Listener_and_capture_analysis_agree(ListenTestMode mode)
    {
        (List<ListenClientReport> reports, CaptureSummary summary) = await RecordAndAnalyseAsync(
            mode, [("SMB3_11", "required"), ("SMB2_10", "if_required"), ("SMB3_00", "required")]);
        Assert.Equal(reports.Count, summary.Connections.Count);
        foreach (ListenClientReport report in reports)
        {
            ConnectionSummary connection = Assert.Single(summary.Connections, c => c.Connection.Client.Port == report.Remote.Port);
            Assert.Equal(report.Dialect, connection.Dialect);
            Assert.Equal(report.SigningAlgorithm, connection.SigningAlgorithm);
            Assert.Equal(report.RequiresSigning, connection.ClientRequiresSigning);
            Assert.Equal(false, connection.ServerRequiresSigning);
            SessionSummary session = Assert.Single(connection.Sessions);
            Assert.Equal(ListenHarness.User, session.User);
            Assert.Equal(SessionKeyStatus.Password, session.KeyStatus);
            Assert.Equal(report.TamperedResponses, session.Failed);
            Assert.Equal(report.SignedRequests + report.SignedResponses + report.TamperedResponses, session.Verified + session.Failed);
        }
    }

    /// <summary>SMB1 (smbclient forced to NT1): with <c>client signing = required</c> the listener's MD5 signatures verify
    /// in the capture analysis and exactly the corrupted ones fail; with <c>if_required</c> (no signing asked for) both
    /// see an SMB1 session whose client does not state a requirement.</summary>
    [Theory]
    [InlineData(ListenTestMode.Observe)]
    [InlineData(ListenTestMode.BadSignature)]
    public async Task Listener_and_capture_analysis_agree_on_smb1(ListenTestMode mode)
    {
        (List<ListenClientReport> reports, CaptureSummary summary) = await RecordAndAnalyseAsync(
            mode, [("NT1", "required"), ("NT1", "if_required")]);
        Assert.Equal(reports.Count, summary.Connections.Count);
        foreach (ListenClientReport report in reports)
        {
            ConnectionSummary connection = Assert.Single(summary.Connections, c => c.Connection.Client.Port == report.Remote.Port);
            Assert.Equal(Protocol.Dialect.Smb1, report.Dialect);
            Assert.Equal(report.Dialect, connection.Dialect);
            Assert.Equal(report.SigningAlgorithm, connection.SigningAlgorithm);
            Assert.Equal(report.RequiresSigning == true, connection.ClientRequiresSigning == true);
            Assert.Equal(false, connection.ServerRequiresSigning);
            SessionSummary session = Assert.Single(connection.Sessions);
            Assert.Equal(ListenHarness.User, session.User);
            if (report.RequiresSigning == true)
            {
                Assert.Equal(report.TamperedResponses, session.Failed);
                Assert.Equal(report.SignedRequests + report.SignedResponses + report.TamperedResponses, session.Verified + session.Failed);
            }
        }
    }

    /// <summary>Runs smbclient once per (protocol, signing) against a listener in <paramref name="mode"/> while dumpcap
    /// records the port, then analyses the recording with the listener's password.</summary>
    private static async Task<(List<ListenClientReport> Reports, CaptureSummary Summary)> RecordAndAnalyseAsync(
        ListenTestMode mode, (string Protocol, string Signing)[] clients)
    {
        var reports = new List<ListenClientReport>();
        string file = Path.Combine(Path.GetTempPath(), $"smbsign-listen-{Guid.NewGuid():N}.pcapng");
        int port;
        await using (ListenServer server = ListenServer.Start(ListenHarness.Options(mode), ListenHarness.Password))
        {
            port = server.LocalEndPoint.Port;
            await using CaptureRecorder recorder = await CaptureRecorder.StartAsync(port);
            foreach ((string protocol, string signing) in clients)
            {
                await ListenHarness.SmbClientAsync(port, protocol, signing);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                reports.Add(await server.Reports.ReadAsync(timeout.Token));
            }

            await recorder.StopAsync();
            Assert.True(recorder.DroppedPackets == 0, recorder.Log);
            recorder.CopyTo(file);
        }

        try
        {
            using CaptureCredentials credentials = CaptureCredentials.FromPassword(ListenHarness.User, null, ListenHarness.Password);
            using FileStream stream = File.OpenRead(file);
            (_, CaptureSummary summary, _) = CaptureTestKit.Analyse(stream, new SmbCaptureOptions { ExtraServerPorts = [port] }, credentials);
            return (reports, summary);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
