using System.Security.Cryptography;
using SmbSign.Protocol.Security.Ntlmssp;

namespace SmbSign.Protocol.Security.Ntlm;

/// <summary>What checking an AUTHENTICATE_MESSAGE against a password gave.</summary>
public enum NtlmKeyRecoveryStatus
{
    /// <summary>The NTProofStr matched: the password is the one the client used; the session key was recovered.</summary>
    Recovered,

    /// <summary>The NTProofStr did not match: the password (or user/domain) is not the one the client used.</summary>
    PasswordMismatch,

    /// <summary>An anonymous AUTHENTICATE (empty NT response): there is no session key.</summary>
    Anonymous,

    /// <summary>An NTLMv1/LM response (24 bytes) or a response too short to hold an NTLMv2 blob: not supported.</summary>
    NotNtlmV2,
}

/// <summary>The outcome of <see cref="NtlmCrypto.RecoverSessionKey"/>. <see cref="ExportedSessionKey"/> is set only
/// for <see cref="NtlmKeyRecoveryStatus.Recovered"/>; the caller owns (and should wipe) it.</summary>
public sealed record NtlmKeyRecovery(NtlmKeyRecoveryStatus Status, byte[]? ExportedSessionKey);

public static partial class NtlmCrypto
{
    /// <summary>Size of the fixed part of the NTLMv2 client challenge "temp" (before the AV pairs), [MS-NLMP] 2.2.2.7.</summary>
    private const int MinimumNtlmV2BlobSize = 28;

    /// <summary>
    /// The server's (or a capture analyzer's) side of the NTLMv2 key chain ([MS-NLMP] 3.2.5.1.2, 3.3.2): recompute
    /// NTProofStr = HMAC_MD5(NTOWFv2, ServerChallenge ‖ temp) from the captured NtChallengeResponse (= NTProofStr ‖ temp)
    /// and compare it with the one the client sent (constant time). On a match: SessionBaseKey = KeyExchangeKey =
    /// HMAC_MD5(NTOWFv2, NTProofStr); with NEGOTIATE_KEY_EXCH the ExportedSessionKey is RC4(KeyExchangeKey,
    /// EncryptedRandomSessionKey), otherwise it is the KeyExchangeKey. NTOWFv2 must be computed with the user and
    /// domain exactly as the AUTHENTICATE carries them.
    /// </summary>
    public static NtlmKeyRecovery RecoverSessionKey(ReadOnlySpan<byte> ntOwfV2, ReadOnlySpan<byte> serverChallenge, NtlmAuthenticateMessage authenticate)
    {
        ArgumentNullException.ThrowIfNull(authenticate);
        RequireLength(ntOwfV2, KeySize, nameof(ntOwfV2));
        RequireLength(serverChallenge, ChallengeSize, nameof(serverChallenge));
        ReadOnlySpan<byte> response = authenticate.NtChallengeResponse.Span;
        if (response.IsEmpty)
        {
            return new NtlmKeyRecovery(NtlmKeyRecoveryStatus.Anonymous, null);
        }

        if (response.Length < KeySize + MinimumNtlmV2BlobSize)
        {
            return new NtlmKeyRecovery(NtlmKeyRecoveryStatus.NotNtlmV2, null);
        }

        ReadOnlySpan<byte> proof = response[..KeySize];
        byte[] expected = ComputeNtProofStr(ntOwfV2, serverChallenge, response[KeySize..]);
        bool match = CryptographicOperations.FixedTimeEquals(expected, proof);
        CryptographicOperations.ZeroMemory(expected);
        if (!match)
        {
            return new NtlmKeyRecovery(NtlmKeyRecoveryStatus.PasswordMismatch, null);
        }

        byte[] keyExchangeKey = ComputeSessionBaseKeyV2(ntOwfV2, proof);
        ReadOnlySpan<byte> encrypted = authenticate.EncryptedRandomSessionKey.Span;
        if ((authenticate.Flags & NtlmNegotiateFlags.KeyExchange) != 0 && encrypted.Length == KeySize)
        {
            byte[] exported = DecryptSessionKey(keyExchangeKey, encrypted);
            CryptographicOperations.ZeroMemory(keyExchangeKey);
            return new NtlmKeyRecovery(NtlmKeyRecoveryStatus.Recovered, exported);
        }

        return new NtlmKeyRecovery(NtlmKeyRecoveryStatus.Recovered, keyExchangeKey);
    }
}
