using SmbSign.Protocol;
using SmbSign.Protocol.Smb2;
using SmbSign.Testing;
using SmbSign.Capture.Analysis;
using SmbSign.Capture.Smb;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Tests;

/// <summary>Captures made by the suite itself: smbclient against the Samba fixture while dumpcap records loopback; then
/// SmbSign's reader is compared with tshark's dissection of the same file, frame by frame, the report's dialect,
/// SecurityMode and SIGNED counts are checked, and every signature is verified (<see cref="AssertVerification"/>: right
/// password, wrong password, one flipped byte) on the same recording. Set SMBSIGN_KEEP_CAPTURES=DIR to keep the files.</summary>
public sealed class RecordedSessionTests
{

    [Theory]
    [InlineData("SMB2_02", null, "2.0.2")]
    [InlineData("SMB2_10", null, "2.1")]
    [InlineData("SMB3_00", null, "3.0")]
    [InlineData("SMB3_02", null, "3.0.2")]
    [InlineData("SMB3_11", "AES-128-GMAC", "3.1.1")]
    [InlineData("SMB3_11", "AES-128-CMAC", "3.1.1")]
    [InlineData("SMB3_11", "HMAC-SHA256", "3.1.1")]
    public async Task Record_SignedSmb2Session_MatchesTsharkFrameByFrame(string protocol, string? algorithms, string dialect)
    {
        Recorded recorded = await RecordAsync(
            new SambaServerOptions { ServerSigning = "mandatory", MinProtocol = "NT1", Smb3SigningAlgorithms = algorithms },
            new SmbClientOptions { Protocol = protocol, Signing = "required" },
            $"{protocol}-{algorithms ?? "default"}-signed");

        (RecordingSink sink, CaptureSummary summary, _) = CaptureTestKit.Analyse(recorded.File);

        IReadOnlyList<TsharkSmb2Frame> tshark = await TsharkDissection.ReadSmb2Async(recorded.File, recorded.Port);
        Assert.NotEmpty(tshark);
        CaptureTestKit.AssertMatchesTshark(sink.Messages, tshark);
        ConnectionSummary connection = Assert.Single(summary.Connections);
        Assert.Equal(dialect, connection.Dialect?.ToDisplayString());
        Assert.Equal(SmbDetection.Magic, connection.Connection.Detection);
        Assert.Equal(ClientSideEvidence.Syn, connection.Connection.ClientSideEvidence);
        Assert.Equal(recorded.Port, connection.Connection.Server.Port);
        Assert.True(connection.ClientRequiresSigning);
        Assert.True(connection.ServerRequiresSigning);
        SessionSummary session = Assert.Single(connection.Sessions);
        Assert.Equal(false, session.Guest);
        Assert.Equal(false, session.Anonymous);
        Assert.Equal(0, session.UnsignedWhileRequired);
        Assert.True(session.Signed > 20, $"{session.Signed} of {session.Messages} signed");

        // Independently of the report's rule: every unsigned message of the session is one SMB never signs.
        Assert.All(
            sink.Messages.Where(m => m.SessionId == session.SessionId && !m.Signed),
            m => Assert.True(IsNeverSigned(m), $"frame {m.Frame}: {m.Command} {(m.Direction == SmbDirection.ServerToClient ? "response" : "request")} is unsigned"));
        Assert.Equal(0, summary.Gaps);
        Assert.DoesNotContain(summary.Findings, f => f.Severity != FindingSeverity.Info);
        SigningAlgorithm expected = algorithms switch
        {
            "AES-128-GMAC" => SigningAlgorithm.AesGmac,
            "HMAC-SHA256" => SigningAlgorithm.HmacSha256,
            "AES-128-CMAC" => SigningAlgorithm.AesCmac,
            _ => connection.Dialect!.Value.DefaultSigningAlgorithm(),
        };
        AssertVerification(recorded.File, sink, expected);
        File.Delete(recorded.File); // kept when an assertion fails, for inspection
    }

    [Theory]
    [InlineData("SMB2_10", "2.1")]
    [InlineData("SMB3_11", "3.1.1")]
    public async Task Record_UnsignedSession_ReportsNotRequiredAndUnsignedMessages(string protocol, string dialect)
    {
        Recorded recorded = await RecordAsync(
            new SambaServerOptions { ServerSigning = "auto" },
            new SmbClientOptions { Protocol = protocol, Signing = "disabled" },
            $"{protocol}-unsigned");

        (RecordingSink sink, CaptureSummary summary, _) = CaptureTestKit.Analyse(recorded.File);

        IReadOnlyList<TsharkSmb2Frame> tshark = await TsharkDissection.ReadSmb2Async(recorded.File, recorded.Port);
        CaptureTestKit.AssertMatchesTshark(sink.Messages, tshark);
        ConnectionSummary connection = Assert.Single(summary.Connections);
        Assert.Equal(dialect, connection.Dialect?.ToDisplayString());
        Assert.False(connection.ClientRequiresSigning);
        Assert.False(connection.ServerRequiresSigning);
        Assert.Equal(false, connection.SigningRequired);
        SessionSummary session = Assert.Single(connection.Sessions);
        Assert.Equal(0, session.UnsignedWhileRequired);
        Assert.True(session.Unsigned > 10, $"{session.Unsigned} unsigned");
        Assert.Contains(summary.Findings, f => f.Code == "not-signed" && f.SessionId == session.SessionId);

        // Samba still signs the final SESSION_SETUP response, TREE_CONNECT and FSCTL_VALIDATE_NEGOTIATE_INFO; file I/O is not signed.
        Smb2Command[] fileCommands = [Smb2Command.Create, Smb2Command.Read, Smb2Command.Write, Smb2Command.Close, Smb2Command.QueryDirectory];
        IEnumerable<SeenMessage> fileIo = sink.Messages.Where(m => fileCommands.Contains(m.Command));
        Assert.NotEmpty(fileIo);
        Assert.All(fileIo, m => Assert.False(m.Signed, $"frame {m.Frame} {m.Command} is signed"));
        AssertVerification(recorded.File, sink, connection.Dialect!.Value.DefaultSigningAlgorithm(Samba311Default(connection)));
        File.Delete(recorded.File);
    }

    [Fact]
    public async Task Record_Smb1SignedSession_MatchesTsharkAndReportsSmb1()
    {
        Recorded recorded = await RecordAsync(
            new SambaServerOptions { ServerSigning = "mandatory", MinProtocol = "NT1" },
            new SmbClientOptions { Protocol = "NT1", Signing = "required" },
            "NT1-signed");

        (RecordingSink sink, CaptureSummary summary, _) = CaptureTestKit.Analyse(recorded.File);

        IReadOnlyList<TsharkSmb1Frame> tshark = await TsharkDissection.ReadSmb1Async(recorded.File, recorded.Port);
        Assert.NotEmpty(tshark);
        Assert.Equal(
            tshark.Select(f => $"{f.FrameNumber}: 0x{f.Command:x2} sig={f.SignatureFlag}").ToList(),
            sink.Messages.Select(m => $"{m.Frame}: 0x{m.Smb1Command:x2} sig={(m.Smb1Flags2 & 0x0004) != 0}").ToList());
        Assert.All(sink.Messages, m => Assert.Equal(SmbMessageKind.Smb1, m.Kind));
        ConnectionSummary connection = Assert.Single(summary.Connections);
        Assert.Equal(Dialect.Smb1, connection.Dialect);
        Assert.True(connection.ServerRequiresSigning);
        SessionSummary session = Assert.Single(connection.Sessions);
        Assert.Equal(false, session.Guest);
        Assert.True(session.Signed > 10, $"{session.Signed} signed");
        Assert.Contains(summary.Findings, f => f.Code == "smb1");
        AssertVerification(recorded.File, sink, SigningAlgorithm.Md5Smb1);
        File.Delete(recorded.File);
    }

    /// <summary>Large READ/WRITE frames spread over many loopback segments; also the template the capture benchmark repeats
    /// (bench/capture-vs-tshark.sh runs this test with SMBSIGN_KEEP_CAPTURES).</summary>
    [Fact]
    public async Task Record_BulkTransfer_MatchesTsharkFrameByFrame()
    {
        var options = new SambaServerOptions { ServerSigning = "mandatory" };
        string upload = Path.Combine(Path.GetTempPath(), $"smbsign-bulk-{Guid.NewGuid():N}.bin");
        byte[] content = new byte[3 * 1024 * 1024];
        new Random(8).NextBytes(content);
        await File.WriteAllBytesAsync(upload, content);
        string file;
        int port;
        try
        {
            await using SambaServer server = await SambaServer.StartAsync(options);
            File.Copy(upload, Path.Combine(server.SharePath, "bulk.bin"));
            await using CaptureRecorder recorder = await CaptureRecorder.StartAsync(server.Port);
            (int code, string output) = await SmbClientRunner.RunAsync(
                server, new SmbClientOptions { Protocol = "SMB3_11", Command = $"get bulk.bin /dev/null; put {upload} bulk2.bin" });
            await recorder.StopAsync();
            Assert.True(code == 0, $"smbclient failed ({code}): {output}\n{server.Log}");
            Assert.True(recorder.DroppedPackets == 0, $"dumpcap dropped packets: {recorder.Log}");
            file = Path.Combine(Path.GetTempPath(), $"smbsign-recorded-bulk-{Guid.NewGuid():N}.pcapng");
            recorder.CopyTo(file);
            string? keep = Environment.GetEnvironmentVariable("SMBSIGN_KEEP_CAPTURES");
            if (!string.IsNullOrEmpty(keep))
            {
                recorder.CopyTo(Path.Combine(keep, "bulk-smb311-signed.pcapng"));
            }

            port = server.Port;
        }
        finally
        {
            File.Delete(upload);
        }

        (RecordingSink sink, CaptureSummary summary, _) = CaptureTestKit.Analyse(file);

        IReadOnlyList<TsharkSmb2Frame> tshark = await TsharkDissection.ReadSmb2Async(file, port);
        CaptureTestKit.AssertMatchesTshark(sink.Messages, tshark);
        long readBytes = sink.Messages.Where(m => m.Command == Smb2Command.Read && m.Direction == SmbDirection.ServerToClient).Sum(m => (long)m.Bytes.Length);
        long writeBytes = sink.Messages.Where(m => m.Command == Smb2Command.Write && m.Direction == SmbDirection.ClientToServer).Sum(m => (long)m.Bytes.Length);
        Assert.True(readBytes > content.Length, $"READ responses carried {readBytes} bytes");
        Assert.True(writeBytes > content.Length, $"WRITE requests carried {writeBytes} bytes");
        Assert.Equal(0, summary.Gaps);
        Assert.Equal(0, Assert.Single(Assert.Single(summary.Connections).Sessions).UnsignedWhileRequired);
        AssertVerification(file, sink, SigningAlgorithm.AesGmac);
        File.Delete(file);
    }

    /// <summary>Samba's default `server smb3 signing algorithms` puts AES-128-GMAC first; smbclient offers it too.</summary>
    private static SigningAlgorithm? Samba311Default(ConnectionSummary connection) =>
        connection.Dialect == Dialect.Smb311 ? SigningAlgorithm.AesGmac : null;

    /// <summary>Verification on one recording: with the fixture's password every signed message verifies (and there are
    /// some); with a wrong password nothing verifies and the report blames the password, not tampering; a copy with one
    /// byte flipped inside one signed message (its last byte, alone in its frame) fails exactly that message.</summary>
    private static void AssertVerification(string file, RecordingSink sink, SigningAlgorithm algorithm)
    {
        using (CaptureCredentials right = CaptureTestKit.FixturePassword())
        {
            (_, CaptureSummary summary) = CaptureTestKit.Verify(file, right);
            ConnectionSummary connection = Assert.Single(summary.Connections);
            Assert.Equal(algorithm, connection.SigningAlgorithm);
            SessionSummary session = Assert.Single(connection.Sessions);
            Assert.Equal(SessionKeyStatus.Password, session.KeyStatus);
            Assert.True(session.Signed > 0, "no signed message");
            Assert.Equal(session.Signed, session.Verified);
            Assert.Equal(0, session.Failed);
            Assert.Equal(0, session.NotCheckable);
        }

        using (CaptureCredentials wrong = CaptureTestKit.FixturePassword("Wrong-" + SambaServer.Password))
        {
            (_, CaptureSummary summary) = CaptureTestKit.Verify(file, wrong);
            SessionSummary session = Assert.Single(Assert.Single(summary.Connections).Sessions);
            Assert.Equal(SessionKeyStatus.WrongPassword, session.KeyStatus);
            Assert.Equal(0, session.Verified);
            Assert.Equal(0, session.Failed);
            Assert.Contains(summary.Findings, f => f.Code == "wrong-password" && f.Message.Contains("password does not match the captured AUTHENTICATE", StringComparison.Ordinal));
            Assert.DoesNotContain(summary.Findings, f => f.Code == "signature-failed");
        }

        SeenMessage target = sink.Messages.Last(m => m.Signed && m.SessionId != 0 && m.Bytes.Length > 80
            && (m.Kind == SmbMessageKind.Smb1 ? m.Smb1Command != 0x73 : m.Command != Smb2Command.SessionSetup)
            && sink.Messages.Count(o => o.Frame == m.Frame) == 1);
        byte[] tampered = CaptureTestKit.FlipByteInMessage(file, target);
        using (CaptureCredentials right = CaptureTestKit.FixturePassword())
        {
            (_, CaptureSummary summary) = CaptureTestKit.Verify(tampered, right);
            SessionSummary session = Assert.Single(Assert.Single(summary.Connections).Sessions);
            Assert.Equal(1, session.Failed);
            Assert.Equal(session.Signed - 1, session.Verified);
            Assert.Equal(target.Frame, Assert.Single(session.Failures).Frame);
        }
    }

    /// <summary>protocol.md §6: SESSION_SETUP requests and interim responses (no key yet), STATUS_PENDING interim responses.</summary>
    private static bool IsNeverSigned(SeenMessage message)
    {
        byte[] bytes = message.Bytes;
        uint status = BitConverter.ToUInt32(bytes, 8);
        bool response = message.Direction == SmbDirection.ServerToClient;
        return message.Command == Smb2Command.SessionSetup && (!response || status == 0xC0000016)
            || response && status == 0x00000103;
    }

    private sealed record Recorded(string File, int Port);

    private static async Task<Recorded> RecordAsync(SambaServerOptions serverOptions, SmbClientOptions clientOptions, string name)
    {
        string upload = Path.Combine(Path.GetTempPath(), $"smbsign-upload-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(upload, string.Concat(Enumerable.Repeat("SmbSign capture test upload.\n", 200)));
        try
        {
            await using SambaServer server = await SambaServer.StartAsync(serverOptions);
            await using CaptureRecorder recorder = await CaptureRecorder.StartAsync(server.Port);
            (int code, string output) = await SmbClientRunner.RunAsync(
                server, clientOptions with { Command = $"get {SambaServer.FileName} -; ls; allinfo {SambaServer.FileName}; put {upload} up.txt; get up.txt -" });
            await recorder.StopAsync();
            Assert.True(code == 0, $"smbclient failed ({code}): {output}\n{server.Log}");
            Assert.True(recorder.DroppedPackets == 0, $"dumpcap dropped packets: {recorder.Log}");
            Assert.Contains(SambaServer.FileContent.Trim(), output, StringComparison.Ordinal);

            // The recorder's folder goes away with it: keep a copy for the analysis (and for SMBSIGN_KEEP_CAPTURES).
            string copy = Path.Combine(Path.GetTempPath(), $"smbsign-recorded-{name}-{Guid.NewGuid():N}.pcapng");
            recorder.CopyTo(copy);
            string? keep = Environment.GetEnvironmentVariable("SMBSIGN_KEEP_CAPTURES");
            if (!string.IsNullOrEmpty(keep))
            {
                recorder.CopyTo(Path.Combine(keep, name + ".pcapng"));
            }

            return new Recorded(copy, server.Port);
        }
        finally
        {
            File.Delete(upload);
        }
    }
}
