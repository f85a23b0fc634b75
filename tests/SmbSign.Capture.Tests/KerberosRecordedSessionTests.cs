using System.Globalization;
using SmbSign.Capture.Analysis;
using SmbSign.Protocol;
using SmbSign.Protocol.Kerberos;
using SmbSign.Protocol.Smb2;
using SmbSign.Testing;

namespace SmbSign.Capture.Tests;

/// <summary>
/// The live proof of capture --keytab: the suite's Samba AD DC (<see cref="SambaAdDc"/>) serves Kerberos SMB sessions
/// to the real smbclient (<c>--use-kerberos=required</c>, signing required) at 3.1.1, 3.0 and 3.0.2 with AES-256
/// tickets and at 3.1.1 with an RC4-HMAC session key, while dumpcap records loopback. The DC's keytab is exported, and
/// every signature of every session must verify; the keys recovered must be the ones tshark decrypts from the same
/// tickets with the same keytab (<c>-o kerberos.decrypt:TRUE -o kerberos.file:KEYTAB</c>, the reference), frame by
/// frame; one flipped byte in a signed message must fail. Set SMBSIGN_KEEP_CAPTURES=DIR to keep the capture and keytab.
/// </summary>
public sealed class KerberosRecordedSessionTests
{
    [Fact]
    public async Task Record_KerberosSessions_KeytabVerifiesEverySignatureAndMatchesTshark()
    {
        SambaAdDc.EnsureInstalled();
        await using SambaAdDc dc = await SambaAdDc.StartAsync();
        string aes = await dc.KinitAsync();
        string rc4 = await dc.KinitAsync(rc4: true);
        string path;
        await using (CaptureRecorder recorder = await CaptureRecorder.StartAsync(dc.SmbPort))
        {
            foreach (string protocol in new[] { "SMB3_11", "SMB3_00", "SMB3_02" })
            {
                (int code, string output) = await dc.SmbClientKerberosAsync(aes, protocol);
                Assert.True(code == 0, $"smbclient {protocol}: {output}");
            }

            (int rc4Code, string rc4Output) = await dc.SmbClientKerberosAsync(rc4, "SMB3_11", rc4: true);
            Assert.True(rc4Code == 0, $"smbclient rc4: {rc4Output}");
            await recorder.StopAsync();
            Assert.True(recorder.DroppedPackets == 0, recorder.Log);
            path = Path.Combine(dc.Root, "kerberos.pcapng");
            recorder.CopyTo(path); // the recorder's own folder goes with it
        }

        string keytab = await dc.ExportKeytabAsync(Path.Combine(dc.Root, "server.keytab"));
        Keep(path, keytab);

        using CaptureCredentials credentials = CaptureCredentials.Empty();
        credentials.LoadKeytab(await File.ReadAllBytesAsync(keytab), "server.keytab");
        (RecordingSink sink, CaptureSummary summary) = CaptureTestKit.Verify(path, credentials);

        Assert.Equal<string>(["3.1.1", "3.0", "3.0.2", "3.1.1"], summary.Connections.Select(c => c.Dialect?.ToDisplayString() ?? "?").ToArray());
        List<SessionSummary> sessions = summary.Connections.SelectMany(c => c.Sessions).ToList();
        Assert.Equal(4, sessions.Count);
        Assert.All(sessions, session =>
        {
            Assert.Equal(SessionKeyStatus.Keytab, session.KeyStatus);
            Assert.True(session.Signed > 5, $"{session.Signed} signed");
            Assert.Equal(session.Signed, session.Verified);
            Assert.Equal(0, session.Failed);
            Assert.Equal(SambaAdDc.CifsPrincipal + "@" + SambaAdDc.Realm, session.Kerberos?.ServicePrincipal);
            Assert.Equal(SambaAdDc.UserPrincipal, session.Kerberos?.ClientPrincipal);
        });
        // The fourth client asked for RC4 only: its ticket session key is RC4-HMAC (the authenticator and the AP-REP are
        // RC4-encrypted), while the ticket stays AES-256 (the service's key) and Samba's AP-REP sets an AES-256 acceptor
        // sub-key, which is the GSS session key.
        Assert.Equal<string>(["aes256-cts-hmac-sha1-96", "aes256-cts-hmac-sha1-96", "aes256-cts-hmac-sha1-96", "rc4-hmac"], sessions.Select(s => s.Kerberos!.TicketSessionKeyEncryptionType ?? "?").ToArray());
        Assert.All(sessions, s => Assert.Equal("aes256-cts-hmac-sha1-96", s.Kerberos!.TicketEncryptionType));
        Assert.All(sessions, s => Assert.Equal("acceptor-subkey", s.Kerberos!.SessionKeySource));

        // The reference: tshark's own decryption of the same tickets with the same keytab.
        Dictionary<long, string[]> tshark = await TsharkKerberosKeysAsync(path, keytab, dc.SmbPort);
        List<(long RequestFrame, long ResponseFrame, KerberosRecovery Recovery)> ours = KerberosCaptureTests.RecoverAll(path, keytab);
        Assert.Equal(4, ours.Count);
        foreach ((long request, long response, KerberosRecovery recovery) in ours)
        {
            Assert.Equal(KerberosRecoveryStatus.Recovered, recovery.Status);
            Assert.True(tshark.ContainsKey(request) && tshark.ContainsKey(response), $"tshark decrypted no key in frames {request}/{response}");
            Assert.Equal(tshark[request][0], Convert.ToHexStringLower(recovery.TicketSessionKey!));
            Assert.Contains(Convert.ToHexStringLower(recovery.SessionKey!), tshark[response].Concat(tshark[request]));
        }

        // Tampering: one flipped byte in a signed response of the RC4 session.
        SeenMessage target = sink.Messages.Last(m => m.Signed && m.Command == Smb2Command.Read && m.Direction == SmbSign.Capture.Tcp.SmbDirection.ServerToClient);
        using CaptureCredentials again = CaptureCredentials.Empty();
        again.LoadKeytab(await File.ReadAllBytesAsync(keytab), "server.keytab");
        (_, CaptureSummary tampered) = CaptureTestKit.Verify(CaptureTestKit.FlipByteInMessage(path, target), again);
        Assert.Equal(1, tampered.SignatureFailures);
        Assert.Equal(target.Frame, tampered.Connections.SelectMany(c => c.Sessions).Single(s => s.Failed > 0).Failures.Single().Frame);
    }

    /// <summary>tshark -o kerberos.decrypt:TRUE -o kerberos.file:KEYTAB: frame → the keys it decrypted (AP-REQ: ticket
    /// session key, then the authenticator sub-key; AP-REP: the acceptor sub-key).</summary>
    private static async Task<Dictionary<long, string[]>> TsharkKerberosKeysAsync(string capture, string keytab, int port)
    {
        string tshark = ToolLocator.Require("tshark", "tshark");
        (int code, string output) = await ProcessRunner.RunAsync(tshark,
            ["-n", "-r", capture, "-d", $"tcp.port=={port.ToString(CultureInfo.InvariantCulture)},nbss", "-o", "kerberos.decrypt:TRUE", "-o", "kerberos.file:" + keytab,
             "-Y", "kerberos.keyvalue", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-e", "frame.number", "-e", "kerberos.keyvalue"],
            null, TimeSpan.FromSeconds(120));
        Assert.True(code == 0, $"tshark failed ({code}): {output}");
        var keys = new Dictionary<long, string[]>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split('\t');
            if (fields.Length == 2 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long frame))
            {
                keys[frame] = fields[1].Split(',');
            }
        }

        return keys;
    }

    private static void Keep(string capture, string keytab)
    {
        if (Environment.GetEnvironmentVariable("SMBSIGN_KEEP_CAPTURES") is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
            File.Copy(capture, Path.Combine(directory, "kerberos-sessions.pcapng"), overwrite: true);
            File.Copy(keytab, Path.Combine(directory, "kerberos-sessions.keytab"), overwrite: true);
        }
    }
}
