using System.Buffers.Binary;
using System.Security.Cryptography;
using SmbSign.Protocol.Security.Ntlm;
using SmbSign.Protocol.Security.Ntlmssp;

namespace SmbSign.Wire.Session;

/// <summary>The client side of one NTLMv2 authentication ([MS-NLMP] 3.1.5): NEGOTIATE, then AUTHENTICATE from the
/// server's CHALLENGE with the target info copied into the NTLMv2 blob, MsvAvFlags 0x2 (MIC present), the timestamp of
/// the CHALLENGE, a MIC over the three messages, and a random ExportedSessionKey under KEY_EXCH. Also computes and checks
/// the SPNEGO mechListMIC with the NTLM signing keys. Randomness and time are injected so tests are exact.</summary>
internal sealed class NtlmClientContext : IDisposable
{
    /// <summary>What the client asks for: Unicode, target, sign, NTLM, always-sign, extended session security, target
    /// info, version, 128-bit, key exchange, 56-bit.</summary>
    public const NtlmNegotiateFlags RequestedFlags = NtlmNegotiateFlags.Unicode | NtlmNegotiateFlags.RequestTarget | NtlmNegotiateFlags.Sign
        | NtlmNegotiateFlags.Ntlm | NtlmNegotiateFlags.AlwaysSign | NtlmNegotiateFlags.ExtendedSessionSecurity | NtlmNegotiateFlags.TargetInfo
        | NtlmNegotiateFlags.Version | NtlmNegotiateFlags.Use128 | NtlmNegotiateFlags.KeyExchange | NtlmNegotiateFlags.Use56;

    /// <summary>MsvAvFlags bit: the AUTHENTICATE message carries a MIC ([MS-NLMP] 2.2.2.1).</summary>
    private const uint AvFlagMicPresent = 0x0000_0002;

    private readonly string _user;
    private readonly string _domain;
    private readonly string _workstation;
    private readonly string _password;
    private readonly Action<Span<byte>> _random;
    private readonly TimeProvider _time;
    private byte[]? _negotiate;
    private byte[]? _exportedSessionKey;
    private NtlmNegotiateFlags _flags;

    public NtlmClientContext(string user, string domain, string workstation, string password, Action<Span<byte>> random, TimeProvider time)
    {
        _user = user;
        _domain = domain;
        _workstation = workstation;
        _password = password;
        _random = random;
        _time = time;
    }

    /// <summary>The account's NT hash (NTOWFv1, 16 bytes) to use instead of the password ("pass the hash"); null uses
    /// the password. NTOWFv2 needs only this hash, the user and the domain ([MS-NLMP] 3.3.2).</summary>
    public ReadOnlyMemory<byte>? NtHash { get; init; }

    /// <summary>The GSS session key (ExportedSessionKey) once <see cref="CreateAuthenticate"/> ran.</summary>
    public ReadOnlySpan<byte> SessionKey => _exportedSessionKey ?? throw new InvalidOperationException("No AUTHENTICATE message was built yet.");

    /// <summary>The NTLMv2 response of the last AUTHENTICATE (for the SMB1 MAC key without extended security; unused with SPNEGO).</summary>
    public byte[] NtChallengeResponse { get; private set; } = [];

    /// <summary>[MS-NLMP] 2.2.1.1 NEGOTIATE_MESSAGE.</summary>
    public byte[] CreateNegotiate()
    {
        _negotiate = new NtlmNegotiateMessage { Flags = RequestedFlags }.ToArray();
        return _negotiate;
    }

    /// <summary>[MS-NLMP] 3.1.5.1.2: answers <paramref name="challengeBytes"/> with an AUTHENTICATE_MESSAGE.</summary>
    public byte[] CreateAuthenticate(ReadOnlySpan<byte> challengeBytes)
    {
        if (_negotiate is null)
        {
            throw new InvalidOperationException("CreateNegotiate must run first.");
        }

        NtlmChallengeMessage challenge = NtlmChallengeMessage.Parse(challengeBytes);
        _flags = (challenge.Flags & RequestedFlags) | NtlmNegotiateFlags.Unicode | NtlmNegotiateFlags.Ntlm;
        if ((challenge.Flags & NtlmNegotiateFlags.Version) != 0)
        {
            _flags |= NtlmNegotiateFlags.Version;
        }

        NtlmTargetInfo targetInfo = challenge.TargetInfo ?? new NtlmTargetInfo([]);
        uint avFlags = (targetInfo.Flags ?? 0) | AvFlagMicPresent;
        byte[] avFlagBytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(avFlagBytes, avFlags);
        NtlmTargetInfo blobTargetInfo = targetInfo.With(NtlmAvId.Flags, avFlagBytes);

        Span<byte> clientChallenge = stackalloc byte[NtlmCrypto.ChallengeSize];
        _random(clientChallenge);
        ulong? serverTime = targetInfo.Timestamp;
        long fileTime = serverTime is { } t ? (long)t : _time.GetUtcNow().ToFileTime();

        byte[] ntOwf = NtHash is { } hash ? NtlmCrypto.NtOwfV2(hash.Span, _user, _domain) : NtlmCrypto.NtOwfV2(_password, _user, _domain);
        try
        {
            byte[] blob = NtlmCrypto.BuildClientChallengeBlob(fileTime, clientChallenge, blobTargetInfo.Encode());
            NtlmV2Response response = NtlmCrypto.ComputeNtlmV2Response(ntOwf, challenge.ServerChallenge.Span, blob);
            NtChallengeResponse = response.NtChallengeResponse;

            // With MsvAvTimestamp the LMv2 response is Z(24) ([MS-NLMP] 3.1.5.1.2).
            byte[] lmResponse = serverTime is null
                ? NtlmCrypto.ComputeLmV2Response(ntOwf, challenge.ServerChallenge.Span, clientChallenge)
                : new byte[24];

            byte[] keyExchangeKey = response.SessionBaseKey;
            byte[] encryptedRandomSessionKey = [];
            if ((_flags & NtlmNegotiateFlags.KeyExchange) != 0)
            {
                _exportedSessionKey = new byte[NtlmCrypto.KeySize];
                _random(_exportedSessionKey);
                encryptedRandomSessionKey = NtlmCrypto.EncryptSessionKey(keyExchangeKey, _exportedSessionKey);
            }
            else
            {
                _exportedSessionKey = (byte[])keyExchangeKey.Clone();
            }

            CryptographicOperations.ZeroMemory(keyExchangeKey);
            byte[] authenticate = new NtlmAuthenticateMessage
            {
                LmChallengeResponse = lmResponse,
                NtChallengeResponse = response.NtChallengeResponse,
                DomainName = _domain,
                UserName = _user,
                Workstation = _workstation,
                EncryptedRandomSessionKey = encryptedRandomSessionKey,
                Flags = _flags,
                HasMic = true,
            }.ToArray();
            byte[] mic = NtlmCrypto.ComputeMic(_exportedSessionKey, _negotiate, challengeBytes, authenticate);
            NtlmAuthenticateMessage.WriteMic(authenticate, mic);
            return authenticate;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ntOwf);
        }
    }

    /// <summary>The SPNEGO mechListMIC the client sends: the NTLM signature (sequence 0, client-to-server keys) over the
    /// DER of the mechanism list it offered ([MS-SPNG] 3.1.5.1, [MS-NLMP] 3.4.4.2).</summary>
    public byte[] ComputeMechListMic(ReadOnlySpan<byte> mechTypeList) => Sign(mechTypeList, NtlmDirection.ClientToServer);

    /// <summary>True when <paramref name="mechListMic"/> is the server's signature (sequence 0, server-to-client keys) over the mechanism list.</summary>
    public bool VerifyServerMechListMic(ReadOnlySpan<byte> mechTypeList, ReadOnlySpan<byte> mechListMic)
    {
        byte[] expected = Sign(mechTypeList, NtlmDirection.ServerToClient);
        return CryptographicOperations.FixedTimeEquals(expected, mechListMic);
    }

    private byte[] Sign(ReadOnlySpan<byte> data, NtlmDirection direction) => NtlmMessageSecurity.SignOnce(SessionKey, _flags, direction, data);

    public void Dispose()
    {
        if (_exportedSessionKey is not null)
        {
            CryptographicOperations.ZeroMemory(_exportedSessionKey);
        }
    }
}
