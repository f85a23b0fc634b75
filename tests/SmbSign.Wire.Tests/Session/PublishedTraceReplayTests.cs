using System.Text.Json;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Security.Ntlm;
using SmbSign.Protocol.Security.Ntlmssp;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb2.SessionSetup;
using SmbSign.Wire.Session;

namespace SmbSign.Wire.Tests.Session;

/// <summary>The published SMB 3.1.1 trace replayed through the client's own key schedule (<see cref="Smb2KeySchedule"/>,
/// the class the session driver uses) and NTLM context.
/// Source: E. Olougouna, "SMB 2 and SMB 3 security in Windows 10: the anatomy of signing and cryptographic keys",
/// Microsoft Open Specifications blog, 2017 (TestData/ms-blog-anatomy-of-signing-2017.json, copied from the shared vectors).</summary>
public sealed class PublishedTraceReplayTests
{
    private static readonly JsonElement s_trace = Load();

    [Theory]
    [InlineData("master_channel", "SessionKey", "SigningKey")]
    [InlineData("second_channel_binding", "SessionKey", "Channel.SigningKey")]
    public void KeySchedule_PublishedPackets_GivesPublishedHashesAndKeys(string channel, string sessionKeyName, string signingKeyName)
    {
        JsonElement data = s_trace.GetProperty("smb311_multichannel").GetProperty(channel);
        byte[][] packets = [.. data.GetProperty("packets").EnumerateArray().Select(p => Convert.FromHexString(p.GetProperty("hex").GetString()!))];
        string[] hashes = [.. data.GetProperty("packets").EnumerateArray().Select(p => p.TryGetProperty("preauth_hash_after", out JsonElement h) ? h.GetString()! : string.Empty)];

        using Smb2KeySchedule schedule = Smb2KeySchedule.AfterNegotiate(Dialect.Smb311, SigningAlgorithm.AesCmac, packets[0], packets[1]);
        Assert.Equal(hashes[1], Convert.ToHexString(schedule.PreauthHash));
        for (int i = 2; i <= 4; i++)
        {
            if (i % 2 == 0)
            {
                schedule.OnSessionSetupRequest(packets[i]);
            }
            else
            {
                schedule.OnSessionSetupResponse(packets[i]);
            }

            Assert.Equal(hashes[i], Convert.ToHexString(schedule.PreauthHash));
        }

        schedule.OnSessionSetupResponse(packets[5]); // the final SUCCESS response is not hashed
        Assert.Equal(Hex(data, "PreauthIntegrityHashValue"), Convert.ToHexString(schedule.PreauthHash));

        Smb2MessageSigner signer = schedule.Complete(Convert.FromHexString(Hex(data, sessionKeyName)));

        Assert.Equal(Hex(data, signingKeyName), Convert.ToHexString(schedule.Keys!.SigningKey));
        if (channel == "master_channel")
        {
            // A binding channel derives only its signing key; the others are copied from the master session ([MS-SMB2] 3.2.5.3.1).
            Assert.Equal(Hex(data, "ApplicationKey"), Convert.ToHexString(schedule.Keys.ApplicationKey));
            Assert.Equal(Hex(data, "EncryptionKey"), Convert.ToHexString(schedule.Keys.ClientToServerCipherKey));
            Assert.Equal(Hex(data, "DecryptionKey"), Convert.ToHexString(schedule.Keys.ServerToClientCipherKey));
        }

        Assert.True(signer.Verify(packets[5], Smb2SenderRole.Server), "the final SESSION_SETUP response verifies with the derived key");
        byte[] tampered = (byte[])packets[5].Clone();
        tampered[^1] ^= 0x01;
        Assert.False(signer.Verify(tampered, Smb2SenderRole.Server));
    }

    [Fact]
    public void KeySchedule_MasterKey_VerifiesThePublishedSignatures()
    {
        JsonElement master = s_trace.GetProperty("smb311_multichannel").GetProperty("master_channel");
        byte[][] packets = [.. master.GetProperty("packets").EnumerateArray().Select(p => Convert.FromHexString(p.GetProperty("hex").GetString()!))];
        using Smb2KeySchedule schedule = Smb2KeySchedule.AfterNegotiate(Dialect.Smb311, SigningAlgorithm.AesCmac, packets[0], packets[1]);
        schedule.OnSessionSetupRequest(packets[2]);
        schedule.OnSessionSetupResponse(packets[3]);
        schedule.OnSessionSetupRequest(packets[4]);
        Smb2MessageSigner signer = schedule.Complete(Convert.FromHexString(Hex(master, "SessionKey")));

        int checkedCount = 0;
        foreach (JsonElement signature in s_trace.GetProperty("smb311_multichannel").GetProperty("signatures").EnumerateArray())
        {
            if (signature.GetProperty("key").GetString() != Hex(master, "SigningKey"))
            {
                continue; // the binding final response uses the channel key (previous test)
            }

            byte[] message = Convert.FromHexString(signature.GetProperty("message_hex").GetString()!);
            byte[] computed = new byte[16];
            signer.ComputeSignature(message, computed);
            Assert.Equal(signature.GetProperty("expected_signature").GetString(), Convert.ToHexString(computed));
            Assert.True(signer.Verify(message));
            checkedCount++;
        }

        Assert.Equal(4, checkedCount);
    }

    [Fact]
    public void NtlmContext_PublishedChallenge_BuildsAnAuthenticateTheServerAccepts()
    {
        // Source: the same trace, block ntlmv2_session_key_example (MS-NLMP 3.3.2 chain with Password01!).
        JsonElement ntlm = s_trace.GetProperty("ntlmv2_session_key_example");
        JsonElement master = s_trace.GetProperty("smb311_multichannel").GetProperty("master_channel");
        byte[] challengePacket = Convert.FromHexString(master.GetProperty("packets")[3].GetProperty("hex").GetString()!);
        byte[] challenge = NegTokenResp.Decode(Smb2SessionSetupResponse.Parse(challengePacket).SecurityBuffer.Span).ResponseToken!.Value.ToArray();
        byte[] clientChallenge = Convert.FromHexString(ntlm.GetProperty("ClientChallenge").GetString()!);
        byte[] exportedSessionKey = Convert.FromHexString(master.GetProperty("SessionKey").GetString()!);
        Queue<byte[]> random = new([clientChallenge, exportedSessionKey]);
        string password = ntlm.GetProperty("password").GetString()!;
        string user = ntlm.GetProperty("user").GetString()!;
        string domain = ntlm.GetProperty("domain").GetString()!;
        using var context = new NtlmClientContext(user, domain, "SMBSIGN", password, bytes => random.Dequeue().CopyTo(bytes), TimeProvider.System);
        byte[] negotiate = context.CreateNegotiate();

        byte[] authenticate = context.CreateAuthenticate(challenge);

        // The server's side of MS-NLMP 3.2.5.1.2, recomputed from the password.
        NtlmAuthenticateMessage parsed = NtlmAuthenticateMessage.Parse(authenticate);
        byte[] ntOwf = NtlmCrypto.NtOwfV2(password, user, domain);
        Assert.Equal(ntlm.GetProperty("NTOWFv2_HMAC_MD5(NThash, UTF16LE(UPPER(user)+domain))").GetString(), Convert.ToHexString(ntOwf));
        byte[] response = parsed.NtChallengeResponse.ToArray();
        byte[] blob = response[16..];
        Assert.Equal("A1A1F5ADCBAED001", Convert.ToHexString(blob, 8, 8)); // the CHALLENGE's MsvAvTimestamp
        Assert.Equal(Convert.ToHexString(clientChallenge), Convert.ToHexString(blob, 16, 8));
        NtlmTargetInfo blobInfo = NtlmTargetInfo.Parse(blob.AsSpan(28));
        Assert.Equal(0x2u, blobInfo.Flags! & 0x2u); // MsvAvFlags: MIC present
        NtlmV2Response expected = NtlmCrypto.ComputeNtlmV2Response(ntOwf, Convert.FromHexString(ntlm.GetProperty("ServerChallenge").GetString()!), blob);
        Assert.Equal(Convert.ToHexString(expected.NtChallengeResponse), Convert.ToHexString(response));
        Assert.Equal(new byte[24], parsed.LmChallengeResponse.ToArray()); // Z(24) when the CHALLENGE has a timestamp
        Assert.Equal(Convert.ToHexString(exportedSessionKey), Convert.ToHexString(NtlmCrypto.DecryptSessionKey(expected.SessionBaseKey, parsed.EncryptedRandomSessionKey.Span)));
        Assert.True(NtlmCrypto.VerifyMic(exportedSessionKey, negotiate, challenge, authenticate));
        Assert.Equal(Convert.ToHexString(exportedSessionKey), Convert.ToHexString(context.SessionKey));
        Assert.Equal(user, parsed.UserName);
        Assert.Equal(domain, parsed.DomainName);
    }

    [Fact]
    public void NtlmContext_MechListMic_MatchesPublishedChecksums()
    {
        // The trace's mechListMICs: client checksum 63775A9A5FD97F06, server 3B453CDC35241642 (protocol notes §14), over
        // the DER of the client's mechTypes (NTLMSSP only) with the NTLM keys from ExportedSessionKey 270E1BA8….
        JsonElement master = s_trace.GetProperty("smb311_multichannel").GetProperty("master_channel");
        byte[] challengePacket = Convert.FromHexString(master.GetProperty("packets")[3].GetProperty("hex").GetString()!);
        byte[] challenge = NegTokenResp.Decode(Smb2SessionSetupResponse.Parse(challengePacket).SecurityBuffer.Span).ResponseToken!.Value.ToArray();
        Queue<byte[]> random = new([new byte[8], Convert.FromHexString(master.GetProperty("SessionKey").GetString()!)]);
        using var context = new NtlmClientContext("administrator", "SUT311", "SMBSIGN", "Password01!", bytes => random.Dequeue().CopyTo(bytes), TimeProvider.System);
        context.CreateNegotiate();
        context.CreateAuthenticate(challenge);
        byte[] mechTypes = NegTokenInit.EncodeMechTypeList([SpnegoMechanisms.Ntlmssp]);

        byte[] clientMic = context.ComputeMechListMic(mechTypes);

        Assert.Equal("300C060A2B06010401823702020A", Convert.ToHexString(mechTypes));
        Assert.Equal("63775A9A5FD97F06", Convert.ToHexString(clientMic, 4, 8));
        byte[] serverMic = [0x01, 0, 0, 0, .. Convert.FromHexString("3B453CDC35241642"), 0, 0, 0, 0];
        Assert.True(context.VerifyServerMechListMic(mechTypes, serverMic));
        serverMic[5] ^= 1;
        Assert.False(context.VerifyServerMechListMic(mechTypes, serverMic));
    }

    private static string Hex(JsonElement element, string name) => element.GetProperty(name).GetString()!;

    private static JsonElement Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "ms-blog-anatomy-of-signing-2017.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }
}
