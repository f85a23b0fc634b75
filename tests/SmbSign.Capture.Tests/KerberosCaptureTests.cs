using SmbSign.Protocol;
using SmbSign.Protocol.Kerberos;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.SessionSetup;
using SmbSign.Testing;
using SmbSign.Capture.Analysis;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Tests;

/// <summary>capture --keytab on a recorded capture of three Kerberos SMB sessions (smbclient --use-kerberos=required
/// against a Samba AD DC at 3.1.1, 3.0 and 3.0.2; see TestData/captures/README.md): every signature verifies with the
/// key recovered from the server's keytab, the recovered keys are the ones tshark decrypts from the same tickets, and a
/// flipped byte, a tampered AP-REQ, a wrong key or a missing key are each reported as such.</summary>
public sealed class KerberosCaptureTests
{
    internal const string Capture = "smb3-kerberos-aes256.pcapng";
    internal const string KeytabFile = "smb3-kerberos-cifs.keytab";
    internal const string Service = "cifs/ktdc.ktdev.test@KTDEV.TEST";

    internal static CaptureCredentials Keytab(byte[]? contents = null)
    {
        CaptureCredentials credentials = CaptureCredentials.Empty();
        credentials.LoadKeytab(contents ?? File.ReadAllBytes(CaptureTestKit.TestDataPath(KeytabFile)), KeytabFile);
        return credentials;
    }

    [Fact]
    public void Keytab_RecordedKerberosSessions_EverySignatureVerifies()
    {
        using CaptureCredentials credentials = Keytab();
        (_, CaptureSummary summary) = CaptureTestKit.Verify(CaptureTestKit.TestDataPath(Capture), credentials);

        Assert.Equal<string>(["3.1.1", "3.0", "3.0.2"], summary.Connections.Select(c => c.Dialect?.ToDisplayString() ?? "?").ToArray());
        foreach (ConnectionSummary connection in summary.Connections)
        {
            SessionSummary session = Assert.Single(connection.Sessions);
            Assert.Equal("Kerberos", session.Authentication);
            Assert.Equal(SessionKeyStatus.Keytab, session.KeyStatus);
            Assert.True(session.Signed > 20);
            Assert.Equal(session.Signed, session.Verified);
            Assert.Equal(0, session.Failed);
            Assert.Equal(0, session.NotCheckable);
            Assert.Equal("administrator", session.User);
            Assert.Equal("KTDEV.TEST", session.Domain);
            KerberosSessionInfo kerberos = Assert.IsType<KerberosSessionInfo>(session.Kerberos);
            Assert.Equal(new KerberosSessionInfo(Service, "administrator@KTDEV.TEST", "aes256-cts-hmac-sha1-96", 1, "aes256-cts-hmac-sha1-96", "acceptor-subkey", "aes256-cts-hmac-sha1-96"), kerberos);
        }

        Assert.Equal(0, summary.SignatureFailures);
        Assert.DoesNotContain(summary.Findings, f => f.Severity != FindingSeverity.Info);
    }

    /// <summary>The reference: tshark 4.0.17 with -o kerberos.decrypt:TRUE -o kerberos.file:KEYTAB decrypts the same
    /// tickets (TestData/captures/smb3-kerberos-aes256.tshark-keys.txt: per AP-REQ frame the ticket session key and the
    /// authenticator sub-key, per AP-REP frame the acceptor sub-key). Ours must be the same keys, frame by frame, and
    /// the one SMB uses must be the AP-REP's (RFC 4121 §2).</summary>
    [Fact]
    public void Recover_RecordedTickets_GivesTheKeysTsharkDecrypts()
    {
        Dictionary<long, string[]> tshark = File.ReadAllLines(CaptureTestKit.TestDataPath("smb3-kerberos-aes256.tshark-keys.txt"))
            .Select(line => line.Split('\t'))
            .ToDictionary(f => long.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), f => f[3].Split(','));
        List<(long RequestFrame, long ResponseFrame, KerberosRecovery Recovery)> ours = RecoverAll(CaptureTestKit.TestDataPath(Capture), CaptureTestKit.TestDataPath(KeytabFile));

        Assert.Equal(3, ours.Count);
        foreach ((long requestFrame, long responseFrame, KerberosRecovery recovery) in ours)
        {
            Assert.Equal(KerberosRecoveryStatus.Recovered, recovery.Status);
            Assert.Equal(tshark[requestFrame][0], Convert.ToHexStringLower(recovery.TicketSessionKey!));
            Assert.Equal(tshark[responseFrame][0], Convert.ToHexStringLower(recovery.SessionKey!));
            Assert.Equal("acceptor-subkey", recovery.SessionKeySource);
        }
    }

    /// <summary>Decodes every SESSION_SETUP's Kerberos tokens of a capture and recovers the session key with the
    /// keytab: (AP-REQ frame, AP-REP frame, recovery) per session.</summary>
    internal static List<(long RequestFrame, long ResponseFrame, KerberosRecovery Recovery)> RecoverAll(string capture, string keytab)
    {
        IReadOnlyList<KeytabEntry> entries = Protocol.Kerberos.Keytab.Parse(File.ReadAllBytes(keytab));
        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(capture);
        var result = new List<(long, long, KerberosRecovery)>();
        (long Frame, KerberosApReq ApReq)? pending = null;
        foreach (SeenMessage message in sink.Messages.Where(m => m.Command == Smb2Command.SessionSetup))
        {
            if (message.Direction == SmbDirection.ClientToServer)
            {
                NegTokenInit init = NegTokenInit.Decode(Smb2SessionSetupRequest.Parse(message.Bytes).SecurityBuffer.Span);
                pending = (message.Frame, KerberosMessages.DecodeApReq(init.MechToken!.Value.Span));
                continue;
            }

            NegTokenResp resp = NegTokenResp.Decode(Smb2SessionSetupResponse.Parse(message.Bytes).SecurityBuffer.Span);
            KerberosEncryptedData apRep = KerberosMessages.DecodeApRep(resp.ResponseToken!.Value.Span);
            Assert.NotNull(pending);
            result.Add((pending.Value.Frame, message.Frame, KerberosSessionKeyRecovery.Recover(pending.Value.ApReq, apRep, entries)));
            pending = null;
        }

        return result;
    }

    [Fact]
    public void Keytab_OneFlippedByteInASignedMessage_IsCaught()
    {
        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(CaptureTestKit.TestDataPath(Capture));
        SeenMessage target = sink.Messages.First(m => m.Signed && m.Command == Smb2Command.Create && m.Direction == SmbDirection.ServerToClient);
        byte[] tampered = CaptureTestKit.FlipByteInMessage(CaptureTestKit.TestDataPath(Capture), target);
        using CaptureCredentials credentials = Keytab();

        (_, CaptureSummary summary) = CaptureTestKit.Verify(tampered, credentials);

        Assert.Equal(1, summary.SignatureFailures);
        SessionSummary session = summary.Connections.SelectMany(c => c.Sessions).Single(s => s.Failed > 0);
        Assert.Equal(target.Frame, Assert.Single(session.Failures).Frame);
        Assert.Equal(session.Signed - 1, session.Verified);
        Assert.Contains(summary.Findings, f => f.Code == "signature-failed");
    }

    /// <summary>The last bytes of the SESSION_SETUP request are the AP-REQ authenticator's HMAC: flipped, the
    /// authenticator fails its integrity check and the session is reported, not verified with a guessed key.</summary>
    [Fact]
    public void Keytab_TamperedApReq_IsReportedAsWrongKeyNotVerified()
    {
        (RecordingSink sink, _, _) = CaptureTestKit.Analyse(CaptureTestKit.TestDataPath(Capture));
        SeenMessage request = sink.Messages.First(m => m.Command == Smb2Command.SessionSetup && m.Direction == SmbDirection.ClientToServer);
        byte[] tampered = CaptureTestKit.FlipByteInMessage(CaptureTestKit.TestDataPath(Capture), request);
        using CaptureCredentials credentials = Keytab();

        (_, CaptureSummary summary) = CaptureTestKit.Verify(tampered, credentials);

        SessionSummary session = summary.Connections[0].Sessions.Single();
        Assert.Equal(SessionKeyStatus.WrongKey, session.KeyStatus);
        Assert.Contains("authenticator fails its integrity check", session.KeyNote, StringComparison.Ordinal);
        Assert.Equal(0, session.Verified);
        Assert.Equal(session.Signed, session.NotCheckable);
        Assert.Equal(1, summary.WrongKeySessions);
        Assert.Contains(summary.Findings, f => f.Code == "wrong-key" && f.Severity == FindingSeverity.Error);
        Assert.All(summary.Connections.Skip(1), c => Assert.Equal(SessionKeyStatus.Keytab, c.Sessions.Single().KeyStatus));
    }

    public static TheoryData<string, string, SessionKeyStatus, string> AlteredKeytabs() => new()
    {
        { "same principal and kvno, another key", "key", SessionKeyStatus.WrongKey, "fail the integrity check of the ticket for " + Service },
        { "kvno 2 instead of 1", "kvno", SessionKeyStatus.NoKey, "no key for principal " + Service + " kvno 1 enctype aes256-cts-hmac-sha1-96 in the keytab" },
        { "only the rc4-hmac key", "rc4", SessionKeyStatus.NoKey, "no key for principal " + Service + " kvno 1 enctype aes256-cts-hmac-sha1-96 in the keytab" },
        { "another principal's key", "principal", SessionKeyStatus.NoKey, "no key for principal " + Service + " kvno 1 enctype aes256-cts-hmac-sha1-96 in the keytab (its 1 key(s) of other principals" },
    };

    [Theory]
    [MemberData(nameof(AlteredKeytabs))]
    public void Keytab_WithoutTheRightKey_SaysSoAndVerifiesNothing(string description, string change, SessionKeyStatus expected, string note)
    {
        IReadOnlyList<KeytabEntry> real = Protocol.Kerberos.Keytab.Parse(File.ReadAllBytes(CaptureTestKit.TestDataPath(KeytabFile)));
        IEnumerable<KeytabFileEntry> entries = real.Select(e => new KeytabFileEntry(e.Realm, [.. e.Components], e.EncryptionType, [.. e.Key], e.Kvno));
        entries = change switch
        {
            "key" => entries.Select(e => e with { Key = e.Key.Select(b => (byte)(b ^ 0x5A)).ToArray() }),
            "kvno" => entries.Select(e => e with { Kvno = 2 }),
            "rc4" => entries.Where(e => e.EncryptionType == 23),
            // Another service's key (renamed and different): tried, since AD keytabs name machine accounts, and refused.
            _ => entries.Select(e => e with { Components = ["cifs", "other.ktdev.test"], Key = e.Key.Select(b => (byte)~b).ToArray() }),
        };
        using CaptureCredentials credentials = Keytab(KeytabFileWriter.Write(entries));

        (_, CaptureSummary summary) = CaptureTestKit.Verify(CaptureTestKit.TestDataPath(Capture), credentials);

        Assert.All(summary.Connections.Select(c => c.Sessions.Single()), session =>
        {
            Assert.Equal(expected, session.KeyStatus);
            Assert.Contains(note, session.KeyNote, StringComparison.Ordinal);
            Assert.Equal(0, session.Verified);
            Assert.Equal(0, session.Failed);
            Assert.Equal(session.Signed, session.NotCheckable);
        });
        Assert.False(string.IsNullOrEmpty(description));
    }

    /// <summary>An AD keytab names the machine account (KTDC$), not the SPN; its key still decrypts the ticket, and
    /// only because the integrity check passes.</summary>
    [Fact]
    public void Keytab_KeyUnderAnotherPrincipalName_IsUsedWhenItDecrypts()
    {
        IReadOnlyList<KeytabEntry> real = Protocol.Kerberos.Keytab.Parse(File.ReadAllBytes(CaptureTestKit.TestDataPath(KeytabFile)));
        using CaptureCredentials credentials = Keytab(KeytabFileWriter.Write(real.Select(e => new KeytabFileEntry(e.Realm, ["KTDC$"], e.EncryptionType, [.. e.Key], e.Kvno))));

        (_, CaptureSummary summary) = CaptureTestKit.Verify(CaptureTestKit.TestDataPath(Capture), credentials);

        Assert.All(summary.Connections.Select(c => c.Sessions.Single()), s => Assert.Equal(s.Signed, s.Verified));
    }

    [Fact]
    public void Keytab_NotGiven_KerberosSessionSaysWhatWouldVerifyIt()
    {
        using CaptureCredentials credentials = CaptureCredentials.Empty();

        (_, CaptureSummary summary) = CaptureTestKit.Verify(CaptureTestKit.TestDataPath(Capture), credentials);

        SessionSummary session = summary.Connections[0].Sessions.Single();
        Assert.Equal(SessionKeyStatus.NoKey, session.KeyStatus);
        Assert.Contains("--keytab", session.KeyNote, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadKeytab_MalformedFile_NamesFileAndOffset()
    {
        using CaptureCredentials credentials = CaptureCredentials.Empty();
        byte[] file = File.ReadAllBytes(CaptureTestKit.TestDataPath(KeytabFile))[..40];

        CaptureKeysFileException e = Assert.Throws<CaptureKeysFileException>(() => credentials.LoadKeytab(file, "server.keytab"));

        Assert.StartsWith("server.keytab: offset 2: the record length", e.Message, StringComparison.Ordinal);
    }
}
