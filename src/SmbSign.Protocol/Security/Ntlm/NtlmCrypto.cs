using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Security.Ntlm;

/// <summary>Which way an NTLM signing/sealing key protects traffic ([MS-NLMP] 3.4.5.2, 3.4.5.3).</summary>
public enum NtlmDirection
{
    ClientToServer,
    ServerToClient,
}

/// <summary>An NTLMv2 response and the session base key that comes with it ([MS-NLMP] 3.3.2).</summary>
/// <param name="NtProofStr">HMAC_MD5(NTOWFv2, ServerChallenge ‖ temp), 16 bytes.</param>
/// <param name="NtChallengeResponse">NTProofStr ‖ temp.</param>
/// <param name="SessionBaseKey">HMAC_MD5(NTOWFv2, NTProofStr); for NTLMv2 also the KeyExchangeKey.</param>
public sealed record NtlmV2Response(byte[] NtProofStr, byte[] NtChallengeResponse, byte[] SessionBaseKey);

/// <summary>
/// The NTLM key chain ([MS-NLMP] 3.3.1, 3.3.2, 3.4.5) — the cryptographic functions only; the NTLMSSP message codecs
/// live in <c>Security/Ntlmssp</c>. NTLMv2: <see cref="NtOwfV1(string)"/> → <see cref="NtOwfV2(ReadOnlySpan{byte}, string, string)"/>
/// → <see cref="ComputeNtlmV2Response"/> (NTProofStr, SessionBaseKey = KeyExchangeKey) →
/// <see cref="EncryptSessionKey"/>/<see cref="DecryptSessionKey"/> (RC4; ExportedSessionKey = SMB Session.SessionKey)
/// → <see cref="ComputeMic"/>, <see cref="SignKey"/>, <see cref="SealKey"/>. LM and NTLMv1 functions cover what the
/// MS-NLMP 4.2 vectors exercise.
/// </summary>
[SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "NTLM is defined with MD4/MD5/HMAC-MD5/RC4/DES ([MS-NLMP] 6).")]
public static partial class NtlmCrypto
{
    public const int KeySize = 16;
    public const int ChallengeSize = 8;
    public const int MicSize = 16;

    /// <summary>Offset of the MIC in an AUTHENTICATE_MESSAGE that carries a Version field ([MS-NLMP] 2.2.1.3).</summary>
    public const int AuthenticateMicOffset = 72;

    /// <summary>NTOWFv1 = MD4(UNICODE(Passwd)), the NT hash ([MS-NLMP] 3.3.1).</summary>
    public static byte[] NtOwfV1(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        byte[] unicode = System.Text.Encoding.Unicode.GetBytes(password);
        try
        {
            return Md4.HashData(unicode);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(unicode);
        }
    }

    /// <summary>NTOWFv2 = HMAC_MD5(NTOWFv1, UNICODE(Uppercase(User) ‖ UserDom)); the domain keeps its case ([MS-NLMP] 3.3.2).</summary>
    public static byte[] NtOwfV2(ReadOnlySpan<byte> ntOwfV1, string user, string domain)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(domain);
        RequireLength(ntOwfV1, KeySize, nameof(ntOwfV1));
        byte[] identity = System.Text.Encoding.Unicode.GetBytes(user.ToUpperInvariant() + domain);
        return HMACMD5.HashData(ntOwfV1, identity);
    }

    /// <summary>NTOWFv2 straight from the password.</summary>
    public static byte[] NtOwfV2(string password, string user, string domain)
    {
        byte[] ntHash = NtOwfV1(password);
        try
        {
            return NtOwfV2(ntHash, user, domain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ntHash);
        }
    }

    /// <summary>
    /// The NTLMv2 client challenge structure "temp" ([MS-NLMP] 2.2.2.7, 3.3.2):
    /// 01 01 ‖ Z(6) ‖ Time(8, FILETIME LE) ‖ ClientChallenge(8) ‖ Z(4) ‖ AV pairs ‖ Z(4).
    /// </summary>
    public static byte[] BuildClientChallengeBlob(long fileTime, ReadOnlySpan<byte> clientChallenge, ReadOnlySpan<byte> targetInfo)
    {
        RequireLength(clientChallenge, ChallengeSize, nameof(clientChallenge));
        byte[] blob = new byte[28 + targetInfo.Length + 4];
        blob[0] = 0x01;
        blob[1] = 0x01;
        BinaryPrimitives.WriteInt64LittleEndian(blob.AsSpan(8), fileTime);
        clientChallenge.CopyTo(blob.AsSpan(16));
        targetInfo.CopyTo(blob.AsSpan(28));
        return blob;
    }

    /// <summary>NTProofStr = HMAC_MD5(NTOWFv2, ServerChallenge ‖ temp).</summary>
    public static byte[] ComputeNtProofStr(ReadOnlySpan<byte> ntOwfV2, ReadOnlySpan<byte> serverChallenge, ReadOnlySpan<byte> clientChallengeBlob)
    {
        RequireLength(ntOwfV2, KeySize, nameof(ntOwfV2));
        RequireLength(serverChallenge, ChallengeSize, nameof(serverChallenge));
        using IncrementalHash hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.MD5, ntOwfV2);
        hmac.AppendData(serverChallenge);
        hmac.AppendData(clientChallengeBlob);
        return hmac.GetHashAndReset();
    }

    /// <summary>The NTLMv2 response to a CHALLENGE: NTProofStr, NtChallengeResponse = NTProofStr ‖ temp, and SessionBaseKey.</summary>
    public static NtlmV2Response ComputeNtlmV2Response(ReadOnlySpan<byte> ntOwfV2, ReadOnlySpan<byte> serverChallenge, ReadOnlySpan<byte> clientChallengeBlob)
    {
        byte[] proof = ComputeNtProofStr(ntOwfV2, serverChallenge, clientChallengeBlob);
        byte[] response = new byte[proof.Length + clientChallengeBlob.Length];
        proof.CopyTo(response, 0);
        clientChallengeBlob.CopyTo(response.AsSpan(proof.Length));
        return new NtlmV2Response(proof, response, ComputeSessionBaseKeyV2(ntOwfV2, proof));
    }

    /// <summary>SessionBaseKey = HMAC_MD5(NTOWFv2, NTProofStr); for NTLMv2 KeyExchangeKey = SessionBaseKey ([MS-NLMP] 3.3.2, 3.4.5.1).</summary>
    public static byte[] ComputeSessionBaseKeyV2(ReadOnlySpan<byte> ntOwfV2, ReadOnlySpan<byte> ntProofStr)
    {
        RequireLength(ntOwfV2, KeySize, nameof(ntOwfV2));
        return HMACMD5.HashData(ntOwfV2, ntProofStr);
    }

    /// <summary>LMv2 response = HMAC_MD5(NTOWFv2, ServerChallenge ‖ ClientChallenge) ‖ ClientChallenge (24 bytes).</summary>
    public static byte[] ComputeLmV2Response(ReadOnlySpan<byte> ntOwfV2, ReadOnlySpan<byte> serverChallenge, ReadOnlySpan<byte> clientChallenge)
    {
        RequireLength(ntOwfV2, KeySize, nameof(ntOwfV2));
        RequireLength(serverChallenge, ChallengeSize, nameof(serverChallenge));
        RequireLength(clientChallenge, ChallengeSize, nameof(clientChallenge));
        Span<byte> challenges = stackalloc byte[2 * ChallengeSize];
        serverChallenge.CopyTo(challenges);
        clientChallenge.CopyTo(challenges[ChallengeSize..]);
        byte[] response = new byte[24];
        HMACMD5.HashData(ntOwfV2, challenges, response);
        clientChallenge.CopyTo(response.AsSpan(16));
        return response;
    }

    /// <summary>EncryptedRandomSessionKey = RC4(KeyExchangeKey, ExportedSessionKey) when NEGOTIATE_KEY_EXCH is set ([MS-NLMP] 3.1.5.1.2).</summary>
    public static byte[] EncryptSessionKey(ReadOnlySpan<byte> keyExchangeKey, ReadOnlySpan<byte> exportedSessionKey)
    {
        RequireLength(keyExchangeKey, KeySize, nameof(keyExchangeKey));
        RequireLength(exportedSessionKey, KeySize, nameof(exportedSessionKey));
        return Rc4.Apply(keyExchangeKey, exportedSessionKey);
    }

    /// <summary>ExportedSessionKey = RC4(KeyExchangeKey, EncryptedRandomSessionKey), as the server (or a capture analyzer) recovers it ([MS-NLMP] 3.2.5.1.2).</summary>
    public static byte[] DecryptSessionKey(ReadOnlySpan<byte> keyExchangeKey, ReadOnlySpan<byte> encryptedRandomSessionKey)
    {
        RequireLength(keyExchangeKey, KeySize, nameof(keyExchangeKey));
        RequireLength(encryptedRandomSessionKey, KeySize, nameof(encryptedRandomSessionKey));
        return Rc4.Apply(keyExchangeKey, encryptedRandomSessionKey);
    }

    /// <summary>
    /// MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE) with the AUTHENTICATE's 16-byte MIC field
    /// taken as zero ([MS-NLMP] 3.1.5.1.2). The messages are the raw NTLMSSP messages; none is modified or copied.
    /// </summary>
    public static byte[] ComputeMic(
        ReadOnlySpan<byte> exportedSessionKey,
        ReadOnlySpan<byte> negotiateMessage,
        ReadOnlySpan<byte> challengeMessage,
        ReadOnlySpan<byte> authenticateMessage,
        int micOffset = AuthenticateMicOffset)
    {
        RequireLength(exportedSessionKey, KeySize, nameof(exportedSessionKey));
        if (micOffset < 0 || micOffset > authenticateMessage.Length - MicSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(micOffset), micOffset, $"The MIC field must lie inside the {authenticateMessage.Length}-byte AUTHENTICATE message.");
        }

        ReadOnlySpan<byte> zeros = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        using IncrementalHash hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.MD5, exportedSessionKey);
        hmac.AppendData(negotiateMessage);
        hmac.AppendData(challengeMessage);
        hmac.AppendData(authenticateMessage[..micOffset]);
        hmac.AppendData(zeros);
        hmac.AppendData(authenticateMessage[(micOffset + MicSize)..]);
        return hmac.GetHashAndReset();
    }

    /// <summary>True when the AUTHENTICATE message's MIC field holds <see cref="ComputeMic"/> (constant-time compare).</summary>
    public static bool VerifyMic(
        ReadOnlySpan<byte> exportedSessionKey,
        ReadOnlySpan<byte> negotiateMessage,
        ReadOnlySpan<byte> challengeMessage,
        ReadOnlySpan<byte> authenticateMessage,
        int micOffset = AuthenticateMicOffset)
    {
        byte[] expected = ComputeMic(exportedSessionKey, negotiateMessage, challengeMessage, authenticateMessage, micOffset);
        return CryptographicOperations.FixedTimeEquals(expected, authenticateMessage.Slice(micOffset, MicSize));
    }

    /// <summary>SIGNKEY with extended session security: MD5(ExportedSessionKey ‖ "session key to {client-to-server|server-to-client} signing key magic constant\0") ([MS-NLMP] 3.4.5.2).</summary>
    public static byte[] SignKey(ReadOnlySpan<byte> exportedSessionKey, NtlmDirection direction) =>
        MagicKey(
            exportedSessionKey,
            direction == NtlmDirection.ClientToServer
                ? "session key to client-to-server signing key magic constant\0"u8
                : "session key to server-to-client signing key magic constant\0"u8);

    /// <summary>
    /// SEALKEY with extended session security ([MS-NLMP] 3.4.5.3): MD5 of the first 16 (NEGOTIATE_128), 7 (NEGOTIATE_56)
    /// or 5 bytes of ExportedSessionKey ‖ "session key to {…} sealing key magic constant\0".
    /// </summary>
    public static byte[] SealKey(ReadOnlySpan<byte> exportedSessionKey, NtlmDirection direction, int keyStrengthBits = 128)
    {
        RequireLength(exportedSessionKey, KeySize, nameof(exportedSessionKey));
        int used = keyStrengthBits switch
        {
            128 => 16,
            56 => 7,
            40 => 5,
            _ => throw new ArgumentOutOfRangeException(nameof(keyStrengthBits), keyStrengthBits, "NTLM seal keys are 128, 56 or 40 bits."),
        };
        return MagicKey(
            exportedSessionKey[..used],
            direction == NtlmDirection.ClientToServer
                ? "session key to client-to-server sealing key magic constant\0"u8
                : "session key to server-to-client sealing key magic constant\0"u8);
    }

    private static byte[] MagicKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> magic)
    {
        using IncrementalHash md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        md5.AppendData(key);
        md5.AppendData(magic);
        return md5.GetHashAndReset();
    }

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string parameterName)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"Expected {length} bytes, got {value.Length}.", parameterName);
        }
    }
}
