using Microsoft.Extensions.Time.Testing;
using SmbSign.Protocol.Security.Ntlm;
using SmbSign.Protocol.Security.Ntlmssp;
using SmbSign.Wire.Session;

namespace SmbSign.Wire.Tests.Session;

/// <summary>The client's NTLMv2 context on CHALLENGEs built here: no timestamp (LMv2 and the client clock are used),
/// no KEY_EXCH (ExportedSessionKey = KeyExchangeKey), and misuse.</summary>
public sealed class NtlmClientContextTests
{
    private static readonly byte[] s_serverChallenge = Convert.FromHexString("0123456789ABCDEF");
    private static readonly DateTimeOffset s_now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void CreateAuthenticate_NoTimestamp_UsesClientClockAndLmV2()
    {
        byte[] challenge = Challenge(NtlmClientContext.RequestedFlags, withTimestamp: false);
        byte[] clientChallenge = Convert.FromHexString("1122334455667788");
        byte[] sessionKey = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
        Queue<byte[]> random = new([clientChallenge, sessionKey]);
        using var context = new NtlmClientContext("Alice", "DOM", "WS", "Secret-1", b => random.Dequeue().CopyTo(b), new FakeTimeProvider(s_now));
        byte[] negotiate = context.CreateNegotiate();

        byte[] authenticate = context.CreateAuthenticate(challenge);

        NtlmAuthenticateMessage parsed = NtlmAuthenticateMessage.Parse(authenticate);
        byte[] ntOwf = NtlmCrypto.NtOwfV2("Secret-1", "Alice", "DOM");
        byte[] blob = parsed.NtChallengeResponse.ToArray()[16..];
        Assert.Equal(s_now.ToFileTime(), BitConverter.ToInt64(blob, 8));
        Assert.Equal(NtlmCrypto.ComputeLmV2Response(ntOwf, s_serverChallenge, clientChallenge), parsed.LmChallengeResponse.ToArray());
        NtlmV2Response expected = NtlmCrypto.ComputeNtlmV2Response(ntOwf, s_serverChallenge, blob);
        Assert.Equal(expected.NtChallengeResponse, parsed.NtChallengeResponse.ToArray());
        Assert.Equal(sessionKey, NtlmCrypto.DecryptSessionKey(expected.SessionBaseKey, parsed.EncryptedRandomSessionKey.Span));
        Assert.True(NtlmCrypto.VerifyMic(sessionKey, negotiate, challenge, authenticate));
    }

    [Fact]
    public void CreateAuthenticate_ServerWithoutKeyExchange_SessionKeyIsSessionBaseKey()
    {
        byte[] challenge = Challenge(NtlmClientContext.RequestedFlags & ~NtlmNegotiateFlags.KeyExchange, withTimestamp: true);
        byte[] clientChallenge = Convert.FromHexString("8877665544332211");
        Queue<byte[]> random = new([clientChallenge]);
        using var context = new NtlmClientContext("bob", string.Empty, "WS", "pw", b => random.Dequeue().CopyTo(b), new FakeTimeProvider(s_now));
        context.CreateNegotiate();

        NtlmAuthenticateMessage parsed = NtlmAuthenticateMessage.Parse(context.CreateAuthenticate(challenge));

        Assert.True(parsed.EncryptedRandomSessionKey.IsEmpty);
        Assert.Equal(0u, (uint)(parsed.Flags & NtlmNegotiateFlags.KeyExchange));
        byte[] ntOwf = NtlmCrypto.NtOwfV2("pw", "bob", string.Empty);
        NtlmV2Response expected = NtlmCrypto.ComputeNtlmV2Response(ntOwf, s_serverChallenge, parsed.NtChallengeResponse.Span[16..]);
        Assert.Equal(expected.SessionBaseKey, context.SessionKey.ToArray());
    }

    [Fact]
    public void CreateAuthenticate_BeforeNegotiate_Throws()
    {
        using var context = new NtlmClientContext("a", "b", "c", "d", _ => { }, TimeProvider.System);

        Assert.Throws<InvalidOperationException>(() => context.CreateAuthenticate(Challenge(NtlmClientContext.RequestedFlags, withTimestamp: true)));
    }

    [Fact]
    public void CreateAuthenticate_MalformedChallenge_ThrowsProtocolException()
    {
        using var context = new NtlmClientContext("a", "b", "c", "d", _ => { }, TimeProvider.System);
        context.CreateNegotiate();

        Assert.Throws<SmbSign.Protocol.SmbProtocolException>(() => context.CreateAuthenticate(Convert.FromHexString("4E544C4D5353500002000000")));
    }

    private static byte[] Challenge(NtlmNegotiateFlags flags, bool withTimestamp)
    {
        NtlmTargetInfo info = NtlmTargetInfo.FromNames((NtlmAvId.NbDomainName, "DOM"), (NtlmAvId.NbComputerName, "SRV"));
        if (withTimestamp)
        {
            info = info.With(NtlmAvId.Timestamp, BitConverter.GetBytes(s_now.AddMinutes(-1).ToFileTime()));
        }

        return new NtlmChallengeMessage { Flags = flags, ServerChallenge = s_serverChallenge, TargetInfo = info, TargetName = "DOM" }.ToArray();
    }
}
