using System.Text.Json;
using SmbSign.Protocol.Security.Ntlm;
using SmbSign.Protocol.Tests.Crypto;

namespace SmbSign.Protocol.Tests.Security.Ntlm;

// Source: [MS-NLMP] 4.2 "Cryptographic Values for Validation" (ms-nlmp-4.2-ntlm.json): 4.2.1 common values,
// 4.2.2 NTLMv1, 4.2.3 NTLMv1 with extended session security, 4.2.4 NTLMv2.
public sealed class NtlmCryptoTests
{
    private static readonly JsonElement Vectors = TestVectors.Load(TestVectors.Ntlm);
    private static readonly JsonElement Common = Vectors.GetProperty("common_values_4_2_1");
    private static readonly JsonElement V1 = Vectors.GetProperty("ntlmv1_4_2_2");
    private static readonly JsonElement Ess = Vectors.GetProperty("ntlmv1_extended_session_security_4_2_3");
    private static readonly JsonElement V2 = Vectors.GetProperty("ntlmv2_4_2_4");

    private static string Password => Common.Text("Passwd");

    private static byte[] ServerChallenge => Common.Hex("ServerChallenge");

    private static byte[] ClientChallenge => Common.Hex("ClientChallenge");

    private static byte[] RandomSessionKey => Common.Hex("RandomSessionKey");

    [Fact]
    public void NtOwfV1_Password_MatchesMsNlmp422()
    {
        Assert.Equal(Hex(V1, "NTOWFv1_MD4(UTF16LE(Passwd))"), Hex(NtlmCrypto.NtOwfV1(Password)));
        Assert.NotEqual(Hex(V1, "NTOWFv1_MD4(UTF16LE(Passwd))"), Hex(NtlmCrypto.NtOwfV1("password")));
    }

    [Fact]
    public void LmOwfV1_Password_MatchesMsNlmp422()
    {
        Assert.Equal(Hex(V1, "LMOWFv1"), Hex(NtlmCrypto.LmOwfV1(Password)));
        Assert.Equal(Hex(V1, "LMOWFv1"), Hex(NtlmCrypto.LmOwfV1("password"))); // LM upper-cases
        Assert.NotEqual(Hex(V1, "LMOWFv1"), Hex(NtlmCrypto.LmOwfV1("Passwore")));
    }

    [Fact]
    public void NtlmV1Responses_MatchMsNlmp422()
    {
        byte[] nt = NtlmCrypto.ComputeNtlmV1Response(NtlmCrypto.NtOwfV1(Password), ServerChallenge);
        byte[] lm = NtlmCrypto.ComputeLmV1Response(NtlmCrypto.LmOwfV1(Password), ServerChallenge);

        Assert.Equal(Hex(V1, "NTLMv1Response_DESL(NTOWFv1, ServerChallenge)"), Hex(nt));
        Assert.Equal(Hex(V1, "LMv1Response_DESL(LMOWFv1, ServerChallenge)"), Hex(lm));
        Assert.NotEqual(Hex(nt), Hex(NtlmCrypto.ComputeNtlmV1Response(NtlmCrypto.NtOwfV1(Password), TestVectors.FlipBit(ServerChallenge, 0))));
    }

    [Fact]
    public void NtlmV1SessionKey_MatchesMsNlmp422()
    {
        byte[] sessionBaseKey = NtlmCrypto.ComputeSessionBaseKeyV1(NtlmCrypto.NtOwfV1(Password));
        byte[] keyExchangeKey = NtlmCrypto.ComputeKeyExchangeKeyV1(sessionBaseKey, ServerChallenge, [], extendedSessionSecurity: false);
        byte[] encrypted = NtlmCrypto.EncryptSessionKey(keyExchangeKey, RandomSessionKey);

        Assert.Equal(Hex(V1, "SessionBaseKey_MD4(NTOWFv1)"), Hex(sessionBaseKey));
        Assert.Equal(Hex(V1, "EncryptedSessionKey_4_2_2_2_3_RC4(KeyExchangeKey=SessionBaseKey, RandomSessionKey)"), Hex(encrypted));
        Assert.Equal(Hex(RandomSessionKey), Hex(NtlmCrypto.DecryptSessionKey(keyExchangeKey, encrypted)));
        Assert.NotEqual(Hex(encrypted), Hex(NtlmCrypto.EncryptSessionKey(TestVectors.FlipBit(keyExchangeKey, 5), RandomSessionKey)));
    }

    [Fact]
    public void NtlmV1ExtendedSessionSecurity_MatchesMsNlmp423()
    {
        byte[] ntOwf = NtlmCrypto.NtOwfV1(Password);
        byte[] lm = NtlmCrypto.ComputeLmV1EssResponse(ClientChallenge);
        byte[] nt = NtlmCrypto.ComputeNtlmV1EssResponse(ntOwf, ServerChallenge, ClientChallenge);
        byte[] keyExchangeKey = NtlmCrypto.ComputeKeyExchangeKeyV1(NtlmCrypto.ComputeSessionBaseKeyV1(ntOwf), ServerChallenge, lm, extendedSessionSecurity: true);

        Assert.Equal(Hex(Ess, "LMv1Response_ClientChallenge||Z(16)"), Hex(lm));
        Assert.Equal(Hex(Ess, "NTLMv1Response_DESL(NTOWFv1, MD5(ServerChallenge||ClientChallenge)[0..7])"), Hex(nt));
        Assert.Equal(Hex(Ess, "KeyExchangeKey_HMAC_MD5(SessionBaseKey, ServerChallenge||ClientChallenge)"), Hex(keyExchangeKey));

        // computed_only in the vector file: "EncryptedSessionKey c24aaae976dbb40586052e128d87b4a6".
        string computedOnly = Ess.GetProperty("computed_only").EnumerateArray().Select(e => e.GetString()!).Single(s => s.StartsWith("EncryptedSessionKey ", StringComparison.Ordinal));
        Assert.Equal(computedOnly["EncryptedSessionKey ".Length..].ToUpperInvariant(), Hex(NtlmCrypto.EncryptSessionKey(keyExchangeKey, RandomSessionKey)));
        Assert.NotEqual(Hex(Ess, "NTLMv1Response_DESL(NTOWFv1, MD5(ServerChallenge||ClientChallenge)[0..7])"), Hex(NtlmCrypto.ComputeNtlmV1EssResponse(ntOwf, ServerChallenge, TestVectors.FlipBit(ClientChallenge, 63))));
    }

    [Fact]
    public void NtOwfV2_UserAndDomain_MatchesMsNlmp424()
    {
        byte[] v2 = NtlmCrypto.NtOwfV2(Password, Common.Text("User"), Common.Text("UserDom"));

        Assert.Equal(Hex(V2, "NTOWFv2_HMAC_MD5(NTOWFv1, UTF16LE(UPPER(User)+UserDom))"), Hex(v2));
        Assert.Equal(Hex(v2), Hex(NtlmCrypto.NtOwfV2(Password, "user", Common.Text("UserDom")))); // user name is upper-cased
        Assert.NotEqual(Hex(v2), Hex(NtlmCrypto.NtOwfV2(Password, Common.Text("User"), "DOMAIN"))); // domain is not
    }

    [Fact]
    public void NtlmV2Response_MatchesMsNlmp424()
    {
        byte[] ntOwfV2 = NtlmCrypto.NtOwfV2(Password, Common.Text("User"), Common.Text("UserDom"));
        // The file's AV_pairs_TargetInfo string carries one stray trailing 00 (37 bytes); the AV pair list proper ends
        // with MsvAvEOL after 36 bytes, as in [MS-NLMP] 4.2.4.1.3 and in the file's own 68-byte temp_blob.
        byte[] targetInfo = ThroughEndOfList(Convert.FromHexString(V2.Text("AV_pairs_TargetInfo").Split(' ')[0]));
        byte[] blob = NtlmCrypto.BuildClientChallengeBlob(fileTime: 0, ClientChallenge, targetInfo);

        NtlmV2Response response = NtlmCrypto.ComputeNtlmV2Response(ntOwfV2, ServerChallenge, blob);

        Assert.Equal(Hex(V2, "temp_blob"), Hex(blob));
        Assert.Equal(Hex(V2, "NTProofStr_HMAC_MD5(NTOWFv2, ServerChallenge||temp)"), Hex(response.NtProofStr));
        Assert.Equal(Hex(V2, "NtChallengeResponse"), Hex(response.NtChallengeResponse));
        Assert.Equal(Hex(V2, "SessionBaseKey_HMAC_MD5(NTOWFv2, NTProofStr)"), Hex(response.SessionBaseKey));
        Assert.Equal(Hex(V2, "LMv2Response"), Hex(NtlmCrypto.ComputeLmV2Response(ntOwfV2, ServerChallenge, ClientChallenge)));
        Assert.NotEqual(Hex(response.NtProofStr), Hex(NtlmCrypto.ComputeNtProofStr(ntOwfV2, ServerChallenge, TestVectors.FlipBit(blob, 200))));
    }

    [Fact]
    public void NtlmV2KeyExchange_MatchesMsNlmp424()
    {
        byte[] sessionBaseKey = V2.Hex("SessionBaseKey_HMAC_MD5(NTOWFv2, NTProofStr)");

        byte[] encrypted = NtlmCrypto.EncryptSessionKey(sessionBaseKey, RandomSessionKey);

        Assert.Equal(Hex(V2, "EncryptedRandomSessionKey_RC4(SessionBaseKey, RandomSessionKey)"), Hex(encrypted));
        Assert.Equal(Hex(V2, "ExportedSessionKey"), Hex(NtlmCrypto.DecryptSessionKey(sessionBaseKey, encrypted)));
        Assert.NotEqual(Hex(V2, "ExportedSessionKey"), Hex(NtlmCrypto.DecryptSessionKey(sessionBaseKey, TestVectors.FlipBit(encrypted, 1))));
    }

    [Fact]
    public void SignAndSealKeys_MatchMsNlmp424()
    {
        byte[] exported = V2.Hex("ExportedSessionKey");
        JsonElement server = V2.GetProperty("computed_only_server_side");

        Assert.Equal(Hex(V2, "ClientSigningKey"), Hex(NtlmCrypto.SignKey(exported, NtlmDirection.ClientToServer)));
        Assert.Equal(Hex(V2, "ClientSealingKey"), Hex(NtlmCrypto.SealKey(exported, NtlmDirection.ClientToServer)));
        Assert.Equal(Hex(server, "ServerSigningKey"), Hex(NtlmCrypto.SignKey(exported, NtlmDirection.ServerToClient)));
        Assert.Equal(Hex(server, "ServerSealingKey"), Hex(NtlmCrypto.SealKey(exported, NtlmDirection.ServerToClient)));
        Assert.NotEqual(Hex(V2, "ClientSigningKey"), Hex(NtlmCrypto.SignKey(TestVectors.FlipBit(exported, 0), NtlmDirection.ClientToServer)));
    }

    [Fact]
    public void GssWrapEx_Plaintext_MatchesMsNlmp4244()
    {
        byte[] exported = V2.Hex("ExportedSessionKey");
        JsonElement expected = V2.GetProperty("GSS_WrapEx_4_2_4_4_client");
        byte[] plaintext = "Plaintext"u8.ToArray().SelectMany(b => new byte[] { b, 0 }).ToArray();
        using var client = new NtlmMessageSecurity(
            NtlmCrypto.SignKey(exported, NtlmDirection.ClientToServer), NtlmCrypto.SealKey(exported, NtlmDirection.ClientToServer));
        byte[] sealedData = new byte[plaintext.Length];
        byte[] signature = new byte[16];

        client.Seal(plaintext, sealedData, 0, signature);

        Assert.Equal(Hex(expected, "sealed_data"), Hex(sealedData));
        Assert.Equal(Hex(expected, "signature"), Hex(signature));
    }

    [Fact]
    public void GssWrapEx_ServerDirection_MatchesComputedValues()
    {
        byte[] exported = V2.Hex("ExportedSessionKey");
        JsonElement expected = V2.GetProperty("computed_only_server_side");
        byte[] plaintext = "Plaintext"u8.ToArray().SelectMany(b => new byte[] { b, 0 }).ToArray();
        using var server = new NtlmMessageSecurity(
            NtlmCrypto.SignKey(exported, NtlmDirection.ServerToClient), NtlmCrypto.SealKey(exported, NtlmDirection.ServerToClient));
        byte[] sealedData = new byte[plaintext.Length];
        byte[] signature = new byte[16];

        server.Seal(plaintext, sealedData, 0, signature);

        Assert.Equal(Hex(expected, "GSS_WrapEx_server_sealed"), Hex(sealedData));
        Assert.Equal(Hex(expected, "GSS_WrapEx_server_signature"), Hex(signature));
    }

    [Fact]
    public void MessageSecurityVerify_TamperedMessage_Fails()
    {
        byte[] exported = V2.Hex("ExportedSessionKey");
        byte[] signKey = NtlmCrypto.SignKey(exported, NtlmDirection.ClientToServer);
        byte[] sealKey = NtlmCrypto.SealKey(exported, NtlmDirection.ClientToServer);
        byte[] message = "mechTypes"u8.ToArray();
        byte[] signature = new byte[16];
        using (var sender = new NtlmMessageSecurity(signKey, sealKey))
        {
            sender.Sign(message, 0, signature);
        }

        using var good = new NtlmMessageSecurity(signKey, sealKey);
        using var bad = new NtlmMessageSecurity(signKey, sealKey);

        Assert.True(good.Verify(message, 0, signature));
        Assert.False(bad.Verify(TestVectors.FlipBit(message, 4), 0, signature));
    }

    /// <summary>The AV_PAIR list up to and including MsvAvEOL ([MS-NLMP] 2.2.2.1: AvId(2) AvLen(2) Value).</summary>
    private static byte[] ThroughEndOfList(byte[] pairs)
    {
        int offset = 0;
        while (offset + 4 <= pairs.Length)
        {
            int id = pairs[offset] | (pairs[offset + 1] << 8);
            int length = pairs[offset + 2] | (pairs[offset + 3] << 8);
            offset += 4 + length;
            if (id == 0)
            {
                return pairs[..offset];
            }
        }

        throw new InvalidDataException("AV pair list without MsvAvEOL");
    }

    private static string Hex(JsonElement element, string property) => Convert.ToHexString(element.Hex(property));

    private static string Hex(byte[] value) => Convert.ToHexString(value);
}
