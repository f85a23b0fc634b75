using System.Text.Json;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb2;
using SmbSign.Capture.Analysis;
using SmbSign.Capture.Smb;

namespace SmbSign.Capture.Tests;

/// <summary>Signature verification on the committed recorded captures (smbclient against the Samba fixture; README in
/// TestData/captures) and on the published 2017 trace: right password, wrong password, one flipped byte, keys files.</summary>
public sealed class CaptureVerificationTests
{
    public static TheoryData<string, string, SigningAlgorithm> Captures => new()
    {
        { "smb311-gmac-signed.pcapng", "3.1.1", SigningAlgorithm.AesGmac },
        { "smb210-unsigned.pcapng", "2.1", SigningAlgorithm.HmacSha256 },
        { "smb1-nt1-signed.pcapng", "smb1", SigningAlgorithm.Md5Smb1 },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void Verify_RightPassword_EverySignedMessageVerifies(string file, string dialect, SigningAlgorithm algorithm)
    {
        using CaptureCredentials credentials = CaptureTestKit.FixturePassword();

        (_, CaptureSummary summary) = CaptureTestKit.Verify(CaptureTestKit.TestDataPath(file), credentials);

        ConnectionSummary connection = Assert.Single(summary.Connections);
        Assert.Equal(dialect, connection.Dialect?.ToDisplayString());
        Assert.Equal(algorithm, connection.SigningAlgorithm);
        SessionSummary session = Assert.Single(connection.Sessions);
        Assert.Equal("smbsigntest", session.User);
        Assert.Equal("NTLM", session.Authentication);
        Assert.Equal(SessionKeyStatus.Password, session.KeyStatus);
        Assert.True(session.Signed > 0);
        Assert.Equal(session.Signed, session.Verified);
        Assert.Equal(0, session.Failed);
        Assert.Equal(0, session.NotCheckable);
        Assert.Empty(session.Failures);
        Assert.True(summary.Verifying);
        Assert.Equal(0, summary.SignatureFailures);
        Assert.DoesNotContain(summary.Findings, f => f.Code is "not-verified" or "signature-failed" or "wrong-password");
        Assert.Contains(summary.Findings, f => f.Code == "verified" && f.SessionId == session.SessionId);
        Assert.Contains(summary.Findings, f => f.Code == "ntlm" && f.SessionId == session.SessionId);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Verify_WrongPassword_NothingVerifiesAndTheReportBlamesThePassword(string file, string dialect, SigningAlgorithm algorithm)
    {
        using CaptureCredentials credentials = CaptureTestKit.FixturePassword("not-the-password");

        (_, CaptureSummary summary) = CaptureTestKit.Verify(CaptureTestKit.TestDataPath(file), credentials);

        ConnectionSummary connection = Assert.Single(summary.Connections);
        Assert.Equal(dialect, connection.Dialect?.ToDisplayString());
        Assert.Equal(algorithm, connection.SigningAlgorithm);
        SessionSummary session = Assert.Single(connection.Sessions);
        Assert.Equal(SessionKeyStatus.WrongPassword, session.KeyStatus);
        Assert.Equal(0, session.Verified);
        Assert.Equal(0, session.Failed);
        Assert.Equal(session.Signed, session.NotCheckable);
        CaptureFinding finding = Assert.Single(summary.Findings, f => f.Code == "wrong-password");
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Contains("password does not match the captured AUTHENTICATE", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(summary.Findings, f => f.Code == "signature-failed");
        Assert.DoesNotContain("not-the-password", string.Join("\n", summary.Findings.Select(f => f.Message)), StringComparison.Ordinal);
        Assert.Equal(1, summary.WrongPasswordSessions);
    }

    [Theory]
    [InlineData("smb311-gmac-signed.pcapng", 1)]
    [InlineData("smb311-gmac-signed.pcapng", 7)]
    [InlineData("smb210-unsigned.pcapng", 1)]
    [InlineData("smb1-nt1-signed.pcapng", 1)]
    public void Verify_OneFlippedPayloadByte_FailsExactlyThatMessage(string file, int pick)
    {
        string path = CaptureTestKit.TestDataPath(file);
        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(path);
        // A signed message with a body, alone in its frame, after the session is keyed; pick the n-th such message.
        SeenMessage target = sink.Messages
            .Where(m => m.Signed && m.Bytes.Length > 80 && m.SessionId != 0 && sink.Messages.Count(o => o.Frame == m.Frame) == 1)
            .Where(m => m.Kind == SmbMessageKind.Smb1 ? m.Smb1Command != 0x73 : m.Command != Smb2Command.SessionSetup)
            .Skip(pick - 1).First();
        byte[] tampered = CaptureTestKit.FlipByteInMessage(path, target);
        using CaptureCredentials credentials = CaptureTestKit.FixturePassword();

        (_, CaptureSummary summary) = CaptureTestKit.Verify(tampered, credentials);

        SessionSummary session = Assert.Single(Assert.Single(summary.Connections).Sessions);
        Assert.Equal(1, session.Failed);
        Assert.Equal(session.Signed - 1, session.Verified);
        SignatureFailure failure = Assert.Single(session.Failures);
        Assert.Equal(target.Frame, failure.Frame);
        CaptureFinding finding = Assert.Single(summary.Findings, f => f.Code == "signature-failed");
        Assert.Equal([target.Frame], finding.Frames);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Equal(1, summary.SignatureFailures);
    }

    [Fact]
    public void Verify_NoCredentials_CountsOnlyAndSaysNotVerified()
    {
        (_, CaptureSummary summary, _) = CaptureTestKit.Analyse(CaptureTestKit.TestDataPath("smb311-gmac-signed.pcapng"));

        SessionSummary session = Assert.Single(Assert.Single(summary.Connections).Sessions);
        Assert.Null(session.Verified);
        Assert.Null(session.Failed);
        Assert.Equal(SessionKeyStatus.NotRequested, session.KeyStatus);
        Assert.Equal("smbsigntest", session.User); // read from the AUTHENTICATE without any secret
        Assert.Equal(SigningAlgorithm.AesGmac, Assert.Single(summary.Connections).SigningAlgorithm);
        Assert.Contains(summary.Findings, f => f.Code == "not-verified");
        Assert.False(summary.Verifying);
    }

    [Fact]
    public void Verify_PasswordOfAnotherUser_SessionHasNoKeyAndIsNotCheckable()
    {
        using CaptureCredentials credentials = CaptureCredentials.FromPassword("someoneelse", null, "x");

        (_, CaptureSummary summary) = CaptureTestKit.Verify(CaptureTestKit.TestDataPath("smb311-gmac-signed.pcapng"), credentials);

        SessionSummary session = Assert.Single(Assert.Single(summary.Connections).Sessions);
        Assert.Equal(SessionKeyStatus.NoKey, session.KeyStatus);
        Assert.Equal(0, session.Verified);
        Assert.Equal(session.Signed, session.NotCheckable);
        Assert.Contains(summary.Findings, f => f.Code == "not-checkable" && f.Message.Contains("someoneelse", StringComparison.Ordinal));
        Assert.DoesNotContain(summary.Findings, f => f.Code is "wrong-password" or "signature-failed");
    }

    private static readonly JsonElement s_trace = LoadTrace();

    private static JsonElement LoadTrace()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "ms-blog-anatomy-of-signing-2017.json")));
        return document.RootElement.Clone();
    }

    /// <summary>The six published master-channel messages (NEGOTIATE, two SESSION_SETUP legs, final response) on one synthetic TCP connection.</summary>
    private static byte[] PublishedTraceCapture()
    {
        JsonElement packets = s_trace.GetProperty("smb311_multichannel").GetProperty("master_channel").GetProperty("packets");
        var capture = new SyntheticCapture();
        SyntheticConnection connection = capture.Connect();
        int index = 0;
        foreach (JsonElement packet in packets.EnumerateArray())
        {
            connection.Send(index++ % 2 == 0, SmbTestMessages.Frame(Convert.FromHexString(packet.GetProperty("hex").GetString()!)));
        }

        connection.Close();
        return capture.ToPcap();
    }

    [Fact]
    public void Verify_PublishedTrace_PasswordGivesThePublishedKeyAndTheFinalResponseVerifies()
    {
        JsonElement ntlm = s_trace.GetProperty("ntlmv2_session_key_example");
        using CaptureCredentials credentials = CaptureCredentials.FromPassword(ntlm.GetProperty("user").GetString()!, ntlm.GetProperty("domain").GetString(), ntlm.GetProperty("password").GetString()!);

        (_, CaptureSummary summary) = CaptureTestKit.Verify(PublishedTraceCapture(), credentials);

        ConnectionSummary connection = Assert.Single(summary.Connections);
        Assert.Equal(Dialect.Smb311, connection.Dialect);
        Assert.Equal(SigningAlgorithm.AesCmac, connection.SigningAlgorithm); // the 2017 trace predates GMAC: no SIGNING context
        SessionSummary session = Assert.Single(connection.Sessions);
        Assert.Equal(0x0000100000000019UL, session.SessionId);
        Assert.Equal("administrator", session.User, ignoreCase: true);
        Assert.Equal("SUT311", session.Domain, ignoreCase: true);
        Assert.Equal(SessionKeyStatus.Password, session.KeyStatus);
        Assert.Equal(1, session.Signed);
        Assert.Equal(1, session.Verified);
        Assert.Equal(0, session.Failed);
    }

    [Theory]
    [InlineData("0x0000100000000019")]   // as Wireshark displays smb2.sesid
    [InlineData("1900000000100000")]     // the header bytes in wire order, as Wireshark's SMB2 Session Keys table wants
    [InlineData("0000100000000019")]     // 16 digits without 0x, written as a number: accepted too
    [InlineData("\"1900000000100000\",\"{0}\",\"\",\"\"")] // a line of Wireshark's smb2_seskey_list file
    public void Verify_PublishedTrace_KeysFileInEitherByteOrder(string idText)
    {
        string key = s_trace.GetProperty("smb311_multichannel").GetProperty("master_channel").GetProperty("SessionKey").GetString()!;
        string line = idText.Contains("{0}", StringComparison.Ordinal) ? string.Format(System.Globalization.CultureInfo.InvariantCulture, idText, key) : idText + " " + key;
        using CaptureCredentials credentials = CaptureCredentials.Empty();
        credentials.LoadKeysFile(new StringReader("# session id, session key\n\n" + line + "\n"), "keys.txt");

        (_, CaptureSummary summary) = CaptureTestKit.Verify(PublishedTraceCapture(), credentials);

        SessionSummary session = Assert.Single(Assert.Single(summary.Connections).Sessions);
        Assert.Equal(SessionKeyStatus.KeysFile, session.KeyStatus);
        Assert.Equal(1, session.Verified);
        Assert.Equal(0, session.Failed);
    }

    [Fact]
    public void Verify_PublishedTrace_WrongKeyInKeysFile_FailsTheSignature()
    {
        using CaptureCredentials credentials = CaptureCredentials.Empty();
        credentials.LoadKeysFile(new StringReader("1900000000100000 00112233445566778899AABBCCDDEEFF\n"), "keys.txt");

        (_, CaptureSummary summary) = CaptureTestKit.Verify(PublishedTraceCapture(), credentials);

        SessionSummary session = Assert.Single(Assert.Single(summary.Connections).Sessions);
        Assert.Equal(SessionKeyStatus.KeysFile, session.KeyStatus);
        Assert.Equal(0, session.Verified);
        Assert.Equal(1, session.Failed);
    }

    [Theory]
    [InlineData("1900000000100000", 1, "expected 'SESSION_ID SESSION_KEY'")]
    [InlineData("19000000001000 270E1BA896585EEB7AF3472D3B4C75A7", 1, "must be 16 hex digits")]
    [InlineData("# ok\n0x19 270E1BA8", 2, "must be 32 or 64 hex digits")]
    [InlineData("0x19 zz0E1BA896585EEB7AF3472D3B4C75A7", 1, "not all hex digits")]
    [InlineData("\n\nxyz 270E1BA896585EEB7AF3472D3B4C75A7", 3, "found 3 character(s) that are not all hex digits")]
    [InlineData("# swapped columns\n270E1BA896585EEB7AF3472D3B4C75A7 1900000000100000", 2, "are the two columns swapped?")]
    [InlineData("270E1BA896585EEB7AF3472D3B4C75A7270E1BA896585EEB7AF3472D3B4C75A7 0x19", 1, "found 64 character(s)")]
    public void LoadKeysFile_BadLine_NamesFileAndLineAndNeverTheKey(string text, int line, string expected)
    {
        using CaptureCredentials credentials = CaptureCredentials.Empty();

        CaptureKeysFileException e = Assert.Throws<CaptureKeysFileException>(() => credentials.LoadKeysFile(new StringReader(text), "keys.txt"));

        Assert.StartsWith($"keys.txt:{line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0E1BA8", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Credentials_ToString_NeverShowsSecrets()
    {
        using CaptureCredentials credentials = CaptureCredentials.FromPassword("alice", "CORP", "Sup3r-Secret");
        credentials.LoadKeysFile(new StringReader("0x1 270E1BA896585EEB7AF3472D3B4C75A7"), "k");

        string text = credentials.ToString();

        Assert.Contains(@"CORP\alice", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3r", text, StringComparison.Ordinal);
        Assert.DoesNotContain("270E", text, StringComparison.Ordinal);
    }
}
