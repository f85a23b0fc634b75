using System.Security.Cryptography;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Security.Ntlm;

/// <summary>LM and NTLMv1 values ([MS-NLMP] 3.3.1, 3.4.5.1), as far as the MS-NLMP 4.2.2 and 4.2.3 vectors reach.</summary>
public static partial class NtlmCrypto
{
    /// <summary>"KGS!@#$%", the LM hash plaintext.</summary>
    private static ReadOnlySpan<byte> LmMagic => "KGS!@#$%"u8;

    /// <summary>
    /// LMOWFv1 = DES(UpperCase(Passwd)[0..7], "KGS!@#$%") ‖ DES(UpperCase(Passwd)[7..14], "KGS!@#$%"), the password
    /// upper-cased, taken as 8-bit characters and NUL-padded or cut to 14 bytes.
    /// </summary>
    public static byte[] LmOwfV1(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        Span<byte> padded = stackalloc byte[14];
        padded.Clear();
        byte[] oem = System.Text.Encoding.Latin1.GetBytes(password.ToUpperInvariant());
        oem.AsSpan(0, Math.Min(14, oem.Length)).CopyTo(padded);
        CryptographicOperations.ZeroMemory(oem);
        byte[] hash = new byte[16];
        Des.EncryptBlock56(padded[..7], LmMagic, hash);
        Des.EncryptBlock56(padded[7..], LmMagic, hash.AsSpan(8));
        padded.Clear();
        return hash;
    }

    /// <summary>DESL(K, D) = DES(K[0..7], D) ‖ DES(K[7..14], D) ‖ DES(K[14..16] ‖ Z(5), D) ([MS-NLMP] 6).</summary>
    public static byte[] Desl(ReadOnlySpan<byte> key16, ReadOnlySpan<byte> data8)
    {
        RequireLength(key16, KeySize, nameof(key16));
        RequireLength(data8, ChallengeSize, nameof(data8));
        Span<byte> last = stackalloc byte[7];
        last.Clear();
        key16[14..].CopyTo(last);
        byte[] response = new byte[24];
        Des.EncryptBlock56(key16[..7], data8, response);
        Des.EncryptBlock56(key16[7..14], data8, response.AsSpan(8));
        Des.EncryptBlock56(last, data8, response.AsSpan(16));
        last.Clear();
        return response;
    }

    /// <summary>NTLMv1 NtChallengeResponse = DESL(NTOWFv1, ServerChallenge) ([MS-NLMP] 3.3.1).</summary>
    public static byte[] ComputeNtlmV1Response(ReadOnlySpan<byte> ntOwfV1, ReadOnlySpan<byte> serverChallenge) => Desl(ntOwfV1, serverChallenge);

    /// <summary>LMv1 LmChallengeResponse = DESL(LMOWFv1, ServerChallenge) ([MS-NLMP] 3.3.1).</summary>
    public static byte[] ComputeLmV1Response(ReadOnlySpan<byte> lmOwfV1, ReadOnlySpan<byte> serverChallenge) => Desl(lmOwfV1, serverChallenge);

    /// <summary>
    /// NTLMv1 with extended session security: NtChallengeResponse = DESL(NTOWFv1, MD5(ServerChallenge ‖ ClientChallenge)[0..8])
    /// ([MS-NLMP] 3.3.1); the LmChallengeResponse is then ClientChallenge ‖ Z(16).
    /// </summary>
    public static byte[] ComputeNtlmV1EssResponse(ReadOnlySpan<byte> ntOwfV1, ReadOnlySpan<byte> serverChallenge, ReadOnlySpan<byte> clientChallenge)
    {
        RequireLength(serverChallenge, ChallengeSize, nameof(serverChallenge));
        RequireLength(clientChallenge, ChallengeSize, nameof(clientChallenge));
        Span<byte> challenges = stackalloc byte[2 * ChallengeSize];
        serverChallenge.CopyTo(challenges);
        clientChallenge.CopyTo(challenges[ChallengeSize..]);
        Span<byte> digest = stackalloc byte[16];
        MD5.HashData(challenges, digest);
        return Desl(ntOwfV1, digest[..ChallengeSize]);
    }

    /// <summary>The NTLMv1-ESS LmChallengeResponse: ClientChallenge ‖ Z(16).</summary>
    public static byte[] ComputeLmV1EssResponse(ReadOnlySpan<byte> clientChallenge)
    {
        RequireLength(clientChallenge, ChallengeSize, nameof(clientChallenge));
        byte[] response = new byte[24];
        clientChallenge.CopyTo(response);
        return response;
    }

    /// <summary>NTLMv1 SessionBaseKey = MD4(NTOWFv1) ([MS-NLMP] 3.3.1).</summary>
    public static byte[] ComputeSessionBaseKeyV1(ReadOnlySpan<byte> ntOwfV1)
    {
        RequireLength(ntOwfV1, KeySize, nameof(ntOwfV1));
        return Md4.HashData(ntOwfV1);
    }

    /// <summary>
    /// NTLMv1 KeyExchangeKey ([MS-NLMP] 3.4.5.1) without NEGOTIATE_LM_KEY / REQUEST_NON_NT_SESSION_KEY: with extended
    /// session security HMAC_MD5(SessionBaseKey, ServerChallenge ‖ LmChallengeResponse[0..8]), otherwise SessionBaseKey.
    /// </summary>
    public static byte[] ComputeKeyExchangeKeyV1(
        ReadOnlySpan<byte> sessionBaseKey, ReadOnlySpan<byte> serverChallenge, ReadOnlySpan<byte> lmChallengeResponse, bool extendedSessionSecurity)
    {
        RequireLength(sessionBaseKey, KeySize, nameof(sessionBaseKey));
        if (!extendedSessionSecurity)
        {
            return sessionBaseKey.ToArray();
        }

        RequireLength(serverChallenge, ChallengeSize, nameof(serverChallenge));
        if (lmChallengeResponse.Length < ChallengeSize)
        {
            throw new ArgumentException("The LmChallengeResponse needs at least 8 bytes.", nameof(lmChallengeResponse));
        }

        Span<byte> input = stackalloc byte[2 * ChallengeSize];
        serverChallenge.CopyTo(input);
        lmChallengeResponse[..ChallengeSize].CopyTo(input[ChallengeSize..]);
        return HMACMD5.HashData(sessionBaseKey, input);
    }
}
