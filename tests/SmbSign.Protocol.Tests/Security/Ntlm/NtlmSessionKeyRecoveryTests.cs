using System.Text.Json;
using SmbSign.Protocol.Security.Ntlm;
using SmbSign.Protocol.Security.Ntlmssp;
using SmbSign.Protocol.Tests.Crypto;

namespace SmbSign.Protocol.Tests.Security.Ntlm;

/// <summary>The capture analyzer's side of the NTLMv2 key chain on the [MS-NLMP] 4.2.4 values: NTProofStr check, then
/// SessionBaseKey and RC4 decryption of the EncryptedRandomSessionKey back to the ExportedSessionKey 55…55.</summary>
public sealed class NtlmSessionKeyRecoveryTests
{
    private static readonly JsonElement Vectors = TestVectors.Load(TestVectors.Ntlm);
    private static readonly JsonElement Common = Vectors.GetProperty("common_values_4_2_1");
    private static readonly JsonElement V2 = Vectors.GetProperty("ntlmv2_4_2_4");

    private static NtlmAuthenticateMessage Authenticate(bool keyExchange = true) => new()
    {
        NtChallengeResponse = V2.Hex("NtChallengeResponse"),
        LmChallengeResponse = V2.Hex("LMv2Response"),
        UserName = Common.Text("User"),
        DomainName = Common.Text("UserDom"),
        EncryptedRandomSessionKey = keyExchange ? V2.Hex("EncryptedRandomSessionKey_RC4(SessionBaseKey, RandomSessionKey)") : ReadOnlyMemory<byte>.Empty,
        Flags = NtlmNegotiateFlags.Unicode | NtlmNegotiateFlags.Ntlm | (keyExchange ? NtlmNegotiateFlags.KeyExchange : 0),
    };

    [Fact]
    public void RecoverSessionKey_RightPassword_GivesMsNlmp424ExportedSessionKey()
    {
        byte[] ntOwf = NtlmCrypto.NtOwfV2(Common.Text("Passwd"), Common.Text("User"), Common.Text("UserDom"));

        NtlmKeyRecovery recovery = NtlmCrypto.RecoverSessionKey(ntOwf, Common.Hex("ServerChallenge"), Authenticate());

        Assert.Equal(NtlmKeyRecoveryStatus.Recovered, recovery.Status);
        Assert.Equal(V2.Text("ExportedSessionKey"), Convert.ToHexString(recovery.ExportedSessionKey!), ignoreCase: true);
    }

    [Fact]
    public void RecoverSessionKey_WithoutKeyExchange_ExportedKeyIsSessionBaseKey()
    {
        byte[] ntOwf = NtlmCrypto.NtOwfV2(Common.Text("Passwd"), Common.Text("User"), Common.Text("UserDom"));

        NtlmKeyRecovery recovery = NtlmCrypto.RecoverSessionKey(ntOwf, Common.Hex("ServerChallenge"), Authenticate(keyExchange: false));

        Assert.Equal(NtlmKeyRecoveryStatus.Recovered, recovery.Status);
        Assert.Equal(V2.Text("SessionBaseKey_HMAC_MD5(NTOWFv2, NTProofStr)"), Convert.ToHexString(recovery.ExportedSessionKey!), ignoreCase: true);
    }

    [Theory]
    [InlineData("password", "User", "Domain")] // wrong case
    [InlineData("Password", "Someone", "Domain")]
    [InlineData("Password", "User", "DOMAIN")] // the domain keeps its case in NTOWFv2
    public void RecoverSessionKey_WrongSecret_IsPasswordMismatchWithoutKey(string password, string user, string domain)
    {
        byte[] ntOwf = NtlmCrypto.NtOwfV2(password, user, domain);

        NtlmKeyRecovery recovery = NtlmCrypto.RecoverSessionKey(ntOwf, Common.Hex("ServerChallenge"), Authenticate());

        Assert.Equal(NtlmKeyRecoveryStatus.PasswordMismatch, recovery.Status);
        Assert.Null(recovery.ExportedSessionKey);
    }

    [Fact]
    public void RecoverSessionKey_OtherServerChallenge_IsPasswordMismatch()
    {
        byte[] ntOwf = NtlmCrypto.NtOwfV2(Common.Text("Passwd"), Common.Text("User"), Common.Text("UserDom"));

        NtlmKeyRecovery recovery = NtlmCrypto.RecoverSessionKey(ntOwf, TestVectors.FlipBit(Common.Hex("ServerChallenge"), 0), Authenticate());

        Assert.Equal(NtlmKeyRecoveryStatus.PasswordMismatch, recovery.Status);
    }

    [Fact]
    public void RecoverSessionKey_AnonymousAndNtlmV1_AreReportedAsSuch()
    {
        byte[] ntOwf = NtlmCrypto.NtOwfV2(Common.Text("Passwd"), Common.Text("User"), Common.Text("UserDom"));
        byte[] challenge = Common.Hex("ServerChallenge");

        Assert.Equal(NtlmKeyRecoveryStatus.Anonymous, NtlmCrypto.RecoverSessionKey(ntOwf, challenge, Authenticate() with { NtChallengeResponse = ReadOnlyMemory<byte>.Empty }).Status);
        Assert.Equal(NtlmKeyRecoveryStatus.NotNtlmV2, NtlmCrypto.RecoverSessionKey(ntOwf, challenge, Authenticate() with { NtChallengeResponse = new byte[24] }).Status);
    }
}
