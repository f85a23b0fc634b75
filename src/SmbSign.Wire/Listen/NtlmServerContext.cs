using System.Buffers.Binary;
using System.Security.Cryptography;
using SmbSign.Protocol.Security.Ntlm;
using SmbSign.Protocol.Security.Ntlmssp;

namespace SmbSign.Wire.Listen;

/// <summary>The server side of one NTLM authentication ([MS-NLMP] 3.2.5): a CHALLENGE with target info and a timestamp
/// (so clients send a MIC), then the AUTHENTICATE checked against the configured user's password: NTProofStr, then the
/// MIC. Keeps the exported session key only for the session's signing key and the SPNEGO mechListMIC; never exposes the
/// client's responses. Dispose wipes the key.</summary>
internal sealed class NtlmServerContext : IDisposable
{
    /// <summary>What the server is willing to negotiate; the CHALLENGE carries the intersection with the client's flags.</summary>
    private const NtlmNegotiateFlags SupportedFlags = NtlmNegotiateFlags.Unicode | NtlmNegotiateFlags.RequestTarget | NtlmNegotiateFlags.Sign
        | NtlmNegotiateFlags.Ntlm | NtlmNegotiateFlags.AlwaysSign | NtlmNegotiateFlags.ExtendedSessionSecurity
        | NtlmNegotiateFlags.Version | NtlmNegotiateFlags.Use128 | NtlmNegotiateFlags.KeyExchange | NtlmNegotiateFlags.Use56;

    /// <summary>MsvAvFlags bit 0x2: the AUTHENTICATE carries a MIC ([MS-NLMP] 2.2.2.1).</summary>
    private const uint AvFlagMicPresent = 0x0000_0002;

    private readonly byte[] _serverChallenge = new byte[NtlmCrypto.ChallengeSize];
    private byte[]? _negotiate;
    private byte[]? _challenge;
    private byte[]? _exportedSessionKey;
    private NtlmNegotiateFlags _flags;

    public NtlmServerContext()
    {
        RandomNumberGenerator.Fill(_serverChallenge);
    }

    public NtlmNegotiateMessage? Negotiate { get; private set; }

    public NtlmAuthenticateMessage? Authenticate { get; private set; }

    /// <summary>The GSS session key (ExportedSessionKey) after a successful <see cref="Verify"/>.</summary>
    public ReadOnlySpan<byte> SessionKey => _exportedSessionKey ?? throw new InvalidOperationException("No verified AUTHENTICATE.");

    /// <summary>[MS-NLMP] 3.2.5.1.1: answers the client's NEGOTIATE_MESSAGE.</summary>
    public byte[] CreateChallenge(ReadOnlySpan<byte> negotiateBytes, string serverName, string domainName, DateTimeOffset now)
    {
        NtlmNegotiateMessage negotiate = NtlmNegotiateMessage.Parse(negotiateBytes);
        Negotiate = negotiate;
        _negotiate = negotiateBytes.ToArray();
        _flags = (negotiate.Flags & SupportedFlags) | NtlmNegotiateFlags.Ntlm | NtlmNegotiateFlags.TargetInfo | NtlmNegotiateFlags.TargetTypeDomain
            | NtlmNegotiateFlags.RequestTarget;
        if ((negotiate.Flags & NtlmNegotiateFlags.Unicode) == 0)
        {
            // OEM-only clients are not served; names below are Unicode.
            _flags |= NtlmNegotiateFlags.Unicode;
        }

        byte[] timestamp = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(timestamp, now.ToFileTime());
        NtlmTargetInfo targetInfo = NtlmTargetInfo.FromNames(
                (NtlmAvId.NbDomainName, domainName),
                (NtlmAvId.NbComputerName, serverName),
                (NtlmAvId.DnsDomainName, domainName.ToLowerInvariant()),
                (NtlmAvId.DnsComputerName, serverName.ToLowerInvariant()))
            .With(NtlmAvId.Timestamp, timestamp);
        _challenge = new NtlmChallengeMessage
        {
            TargetName = domainName,
            Flags = _flags,
            ServerChallenge = _serverChallenge,
            TargetInfo = targetInfo,
            Version = new NtlmVersion(10, 0, 20348),
        }.ToArray();
        return _challenge;
    }

    /// <summary>Parses the AUTHENTICATE_MESSAGE (names and flags become visible through <see cref="Authenticate"/>).</summary>
    public NtlmAuthenticateMessage ReadAuthenticate(ReadOnlySpan<byte> authenticateBytes)
    {
        Authenticate = NtlmAuthenticateMessage.Parse(authenticateBytes);
        return Authenticate;
    }

    /// <summary>True for an anonymous AUTHENTICATE: empty user and empty (or one zero byte) NT response ([MS-NLMP] 3.2.5.1.2).</summary>
    public bool IsAnonymous => Authenticate is { } a && string.IsNullOrEmpty(a.UserName) && a.NtChallengeResponse.Length <= 1;

    /// <summary>[MS-NLMP] 3.2.5.1.2: checks the NTLMv2 response against <paramref name="password"/> for the user and domain
    /// the client sent, recovers the session key, and checks the MIC when the client says it sent one.</summary>
    public bool Verify(ReadOnlySpan<byte> authenticateBytes, string password)
    {
        NtlmAuthenticateMessage authenticate = Authenticate ?? throw new InvalidOperationException("ReadAuthenticate must run first.");
        byte[] ntOwf = NtlmCrypto.NtOwfV2(password, authenticate.UserName ?? string.Empty, authenticate.DomainName ?? string.Empty);
        try
        {
            NtlmKeyRecovery recovery = NtlmCrypto.RecoverSessionKey(ntOwf, _serverChallenge, authenticate);
            if (recovery.Status != NtlmKeyRecoveryStatus.Recovered || recovery.ExportedSessionKey is null)
            {
                return false;
            }

            _exportedSessionKey = recovery.ExportedSessionKey;
            if (authenticate.HasMic && ClaimsMic(authenticate) && _negotiate is not null && _challenge is not null
                && !NtlmCrypto.VerifyMic(_exportedSessionKey, _negotiate, _challenge, authenticateBytes))
            {
                CryptographicOperations.ZeroMemory(_exportedSessionKey);
                _exportedSessionKey = null;
                return false;
            }

            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ntOwf);
        }
    }

    /// <summary>The SPNEGO mechListMIC the server sends: the NTLM signature (sequence 0, server-to-client keys) over the DER
    /// of the client's mechanism list ([MS-SPNG] 3.2.5.1, [MS-NLMP] 3.4.4.2).</summary>
    public byte[] ComputeServerMechListMic(ReadOnlySpan<byte> mechTypeList)
    {
        return NtlmMessageSecurity.SignOnce(SessionKey, Authenticate?.Flags ?? _flags, NtlmDirection.ServerToClient, mechTypeList);
    }

    public void Dispose()
    {
        if (_exportedSessionKey is not null)
        {
            CryptographicOperations.ZeroMemory(_exportedSessionKey);
        }
    }

    /// <summary>The client's blob carries MsvAvFlags with the MIC bit (the MIC field alone can be a payload overlap).</summary>
    private static bool ClaimsMic(NtlmAuthenticateMessage authenticate)
    {
        ReadOnlySpan<byte> response = authenticate.NtChallengeResponse.Span;
        if (response.Length <= 16 + 28)
        {
            return false;
        }

        try
        {
            NtlmTargetInfo pairs = NtlmTargetInfo.Parse(response[(16 + 28)..]);
            return ((pairs.Flags ?? 0) & AvFlagMicPresent) != 0;
        }
        catch (Protocol.SmbProtocolException)
        {
            return false;
        }
    }
}
