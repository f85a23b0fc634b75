using System.Buffers.Binary;
using System.Text.Json;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Security.Ntlm;

namespace SmbSign.Protocol.Tests.Crypto;

/// <summary>
/// The whole chain on published data only: password → NTLMv2 → ExportedSessionKey → preauth hash over the published
/// packets → SigningKey → the five published AES-CMAC signatures of the SMB 3.1.1 multichannel trace.
/// Source: Microsoft Open Specifications blog, E. Olougouna, "SMB 2 and SMB 3 security in Windows 10: the anatomy of
/// signing and cryptographic keys" (2017-05-26) (ms-blog-anatomy-of-signing-2017.json).
/// </summary>
public sealed class Smb311TraceEndToEndTests
{
    private static readonly JsonElement Blog = TestVectors.Load(TestVectors.Smb2017);
    private static readonly JsonElement Trace = Blog.GetProperty("smb311_multichannel");
    private static readonly JsonElement Ntlm = Blog.GetProperty("ntlmv2_session_key_example");

    private static string Password => Ntlm.Text("password");

    [Fact]
    public void MasterChannel_PasswordToSignature_ReproducesPublishedValues()
    {
        JsonElement channel = Trace.GetProperty("master_channel");
        byte[][] packets = Packets(channel);

        ChannelResult result = RunChannel(packets, Password);

        Assert.Equal(Ntlm.Text("NT_hash_MD4_UTF16LE_password"), Convert.ToHexString(NtlmCrypto.NtOwfV1(Password)));
        Assert.Equal(Ntlm.Text("NTOWFv2_HMAC_MD5(NThash, UTF16LE(UPPER(user)+domain))"), Convert.ToHexString(result.NtOwfV2));
        Assert.Equal(Ntlm.Text("NTProofStr_HMAC_MD5(NTOWFv2, ServerChallenge||temp)"), Convert.ToHexString(result.NtProofStr));
        Assert.Equal(Ntlm.Text("SessionBaseKey=KeyExchangeKey_HMAC_MD5(NTOWFv2, NTProofStr)"), Convert.ToHexString(result.SessionBaseKey));
        Assert.Equal(channel.Text("SessionKey"), Convert.ToHexString(result.ExportedSessionKey));
        Assert.True(result.MicVerifies);
        Assert.Equal(channel.Text("PreauthIntegrityHashValue"), Convert.ToHexString(result.PreauthHash));
        Assert.Equal(channel.Text("SigningKey"), Convert.ToHexString(result.Keys.SigningKey));
        Assert.Equal(channel.Text("EncryptionKey"), Convert.ToHexString(result.Keys.ClientToServerCipherKey));
        Assert.Equal(channel.Text("DecryptionKey"), Convert.ToHexString(result.Keys.ServerToClientCipherKey));
        Assert.Equal(channel.Text("ApplicationKey"), Convert.ToHexString(result.Keys.ApplicationKey));

        // Signature 1 of 5: the final SESSION_SETUP response (SUCCESS, not hashed) verifies with the derived key.
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, result.Keys.SigningKey);
        Assert.True(signer.Verify(packets[5]));
        Assert.False(signer.Verify(TestVectors.FlipBit(packets[5], 8 * 80)));
        result.Keys.Dispose();
    }

    [Fact]
    public void BindingChannel_PasswordToSignatures_ReproducesPublishedValues()
    {
        byte[][] master = Packets(Trace.GetProperty("master_channel"));
        JsonElement channel = Trace.GetProperty("second_channel_binding");
        byte[][] packets = Packets(channel);
        using Smb3SessionKeys masterKeys = RunChannel(master, Password).Keys;

        ChannelResult binding = RunChannel(packets, Password);

        Assert.Equal(channel.Text("SessionKey"), Convert.ToHexString(binding.ExportedSessionKey));
        Assert.True(binding.MicVerifies);
        Assert.Equal(channel.Text("PreauthIntegrityHashValue"), Convert.ToHexString(binding.PreauthHash));
        Assert.Equal(channel.Text("Channel.SigningKey"), Convert.ToHexString(binding.Keys.SigningKey));

        // [MS-SMB2] 3.2.4.1.1 / 3.3.4.1.1 (protocol.md §5): binding requests and the non-SUCCESS binding response are
        // signed with the master Session.SigningKey, the final binding response with the new Channel.SigningKey.
        using var sessionSigner = new Smb2MessageSigner(SigningAlgorithm.AesCmac, masterKeys.SigningKey);
        using var channelSigner = new Smb2MessageSigner(SigningAlgorithm.AesCmac, binding.Keys.SigningKey);
        Assert.True(sessionSigner.Verify(packets[2]));  // signature 2 of 5: binding SESSION_SETUP request #1
        Assert.True(sessionSigner.Verify(packets[3]));  // signature 3 of 5: binding response #1 (MORE_PROCESSING_REQUIRED)
        Assert.True(sessionSigner.Verify(packets[4]));  // signature 4 of 5: binding SESSION_SETUP request #2
        Assert.True(channelSigner.Verify(packets[5]));  // signature 5 of 5: final binding response (SUCCESS)
        Assert.False(channelSigner.Verify(packets[2]));
        Assert.False(sessionSigner.Verify(packets[5]));
        binding.Keys.Dispose();
    }

    [Fact]
    public void WrongPassword_BreaksTheChainAtTheSessionKey()
    {
        byte[][] packets = Packets(Trace.GetProperty("master_channel"));

        ChannelResult result = RunChannel(packets, "Password01?");

        Assert.NotEqual(Trace.GetProperty("master_channel").Text("SessionKey"), Convert.ToHexString(result.ExportedSessionKey));
        Assert.False(result.MicVerifies);
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, result.Keys.SigningKey);
        Assert.False(signer.Verify(packets[5]));
        result.Keys.Dispose();
    }

    [Fact]
    public void TamperedNegotiate_BreaksTheChainAtThePreauthHash()
    {
        byte[][] packets = Packets(Trace.GetProperty("master_channel"));
        packets[1] = TestVectors.FlipBit(packets[1], 8 * 100);

        ChannelResult result = RunChannel(packets, Password);

        Assert.Equal(Trace.GetProperty("master_channel").Text("SessionKey"), Convert.ToHexString(result.ExportedSessionKey));
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, result.Keys.SigningKey);
        Assert.False(signer.Verify(packets[5]));
        result.Keys.Dispose();
    }

    [Theory]
    [InlineData("master_channel", 4, "63775A9A5FD97F06", NtlmDirection.ClientToServer)]
    [InlineData("master_channel", 5, "3B453CDC35241642", NtlmDirection.ServerToClient)]
    public void MechListMic_NtlmSignatureOverMechTypes_MatchesTrace(string channelName, int packet, string checksum, NtlmDirection direction)
    {
        // [MS-SPNG] 3.1.5.1: the mechListMIC is the NTLM signature (sequence 0) over the DER mechTypes list that the
        // client sent: SEQUENCE { OID 1.3.6.1.4.1.311.2.2.10 }.
        byte[][] packets = Packets(Trace.GetProperty(channelName));
        byte[] exported = Trace.GetProperty(channelName).Hex("SessionKey");
        byte[] mechTypes = Convert.FromHexString("300C060A2B06010401823702020A");
        using var security = new NtlmMessageSecurity(NtlmCrypto.SignKey(exported, direction), NtlmCrypto.SealKey(exported, direction));
        byte[] signature = new byte[16];

        security.Sign(mechTypes, 0, signature);

        Assert.Equal("01000000" + checksum + "00000000", Convert.ToHexString(signature));
        Assert.Contains("A3120410" + Convert.ToHexString(signature), Convert.ToHexString(packets[packet]), StringComparison.Ordinal);
        Assert.Equal(
            Ntlm.Text(direction == NtlmDirection.ClientToServer ? "NTLM_ClientSigningKey" : "NTLM_ServerSigningKey"),
            Convert.ToHexString(NtlmCrypto.SignKey(exported, direction)));
        Assert.Equal(
            Ntlm.Text(direction == NtlmDirection.ClientToServer ? "NTLM_ClientSealingKey" : "NTLM_ServerSealingKey"),
            Convert.ToHexString(NtlmCrypto.SealKey(exported, direction)));
    }

    private static byte[][] Packets(JsonElement channel) =>
        [.. channel.GetProperty("packets").EnumerateArray().Select(p => p.Hex("hex"))];

    /// <summary>What a capture analyzer does for one channel: NTLM from the password, preauth hash, keys.</summary>
    private static ChannelResult RunChannel(byte[][] packets, string password)
    {
        byte[] negotiate = NtlmMessage(packets[2]);
        byte[] challenge = NtlmMessage(packets[3]);
        byte[] authenticate = NtlmMessage(packets[4]);

        byte[] serverChallenge = challenge[24..32];
        byte[] ntResponse = Field(authenticate, 20);
        string domain = System.Text.Encoding.Unicode.GetString(Field(authenticate, 28));
        string user = System.Text.Encoding.Unicode.GetString(Field(authenticate, 36));
        byte[] encryptedRandomSessionKey = Field(authenticate, 52);

        byte[] ntOwfV2 = NtlmCrypto.NtOwfV2(password, user, domain);
        NtlmV2Response response = NtlmCrypto.ComputeNtlmV2Response(ntOwfV2, serverChallenge, ntResponse.AsSpan(16));
        byte[] exported = NtlmCrypto.DecryptSessionKey(response.SessionBaseKey, encryptedRandomSessionKey);
        bool micVerifies = NtlmCrypto.VerifyMic(exported, negotiate, challenge, authenticate);

        using var connection = new PreauthIntegrityHash();
        connection.Update(packets[0]);
        connection.Update(packets[1]);
        using PreauthIntegrityHash session = connection.Clone();
        session.Update(packets[2]);
        session.Update(packets[3]);
        session.Update(packets[4]);
        byte[] preauth = session.Value.ToArray();

        return new ChannelResult(ntOwfV2, response.NtProofStr, response.SessionBaseKey, exported, micVerifies, preauth,
            Smb3SessionKeys.Derive(Dialect.Smb311, exported, preauth));
    }

    /// <summary>The NTLMSSP message inside a SESSION_SETUP packet: the DER OCTET STRING that starts with "NTLMSSP\0".</summary>
    private static byte[] NtlmMessage(byte[] packet)
    {
        int start = packet.AsSpan().IndexOf("NTLMSSP\0"u8);
        Assert.True(start > 4, "no NTLMSSP message in the packet");
        int length = packet[start - 2] == 0x04 && packet[start - 1] < 0x80 ? packet[start - 1]
            : packet[start - 3] == 0x04 && packet[start - 2] == 0x81 ? packet[start - 1]
            : packet[start - 4] == 0x04 && packet[start - 3] == 0x82 ? (packet[start - 2] << 8) | packet[start - 1]
            : throw new InvalidDataException("NTLMSSP message not inside a DER OCTET STRING");
        return packet[start..(start + length)];
    }

    /// <summary>An NTLMSSP field descriptor Len(2) MaxLen(2) Offset(4) at <paramref name="descriptor"/> ([MS-NLMP] 2.2.1.3).</summary>
    private static byte[] Field(byte[] message, int descriptor)
    {
        int length = BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(descriptor));
        int offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(descriptor + 4));
        return message[offset..(offset + length)];
    }

    private sealed record ChannelResult(
        byte[] NtOwfV2, byte[] NtProofStr, byte[] SessionBaseKey, byte[] ExportedSessionKey, bool MicVerifies, byte[] PreauthHash, Smb3SessionKeys Keys);
}
