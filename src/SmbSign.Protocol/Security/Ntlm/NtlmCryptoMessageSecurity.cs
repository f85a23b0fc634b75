using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Security.Ntlmssp;

namespace SmbSign.Protocol.Security.Ntlm;

/// <summary>
/// NTLM message integrity and confidentiality for one direction with extended session security ([MS-NLMP] 3.4.3,
/// 3.4.4.2): GSS_GetMICEx (<see cref="Sign"/>) and GSS_WrapEx (<see cref="Seal"/>). One RC4 handle, keyed with the
/// direction's SealKey, runs across every call, as NTLM connection-oriented sessions require. SMB does not sign with
/// these keys; the SPNEGO mechListMIC does ([MS-SPNG] 3.1.5.1). Not thread-safe (the RC4 stream is ordered).
/// </summary>
[SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "NTLM message security is defined with HMAC-MD5 and RC4 ([MS-NLMP] 3.4.4.2).")]
public sealed class NtlmMessageSecurity : IDisposable
{
    public const int SignatureSize = 16;

    private readonly byte[] _signKey;
    private readonly Rc4 _sealHandle;
    private readonly bool _keyExchange;

    /// <summary>
    /// <paramref name="signKey"/> and <paramref name="sealKey"/> from <see cref="NtlmCrypto.SignKey"/> and
    /// <see cref="NtlmCrypto.SealKey"/> for this direction; <paramref name="keyExchange"/> = NEGOTIATE_KEY_EXCH was negotiated
    /// (the checksum is then RC4-encrypted).
    /// </summary>
    public NtlmMessageSecurity(ReadOnlySpan<byte> signKey, ReadOnlySpan<byte> sealKey, bool keyExchange = true)
    {
        if (signKey.Length != NtlmCrypto.KeySize || sealKey.Length != NtlmCrypto.KeySize)
        {
            throw new ArgumentException("NTLM signing and sealing keys have 16 bytes.");
        }

        _signKey = signKey.ToArray();
        _sealHandle = new Rc4(sealKey);
        _keyExchange = keyExchange;
    }

    /// <summary>
    /// One NTLM signature (sequence number 0) with the keys of <paramref name="direction"/> derived from
    /// <paramref name="sessionKey"/>: the SPNEGO mechListMIC both sides compute ([MS-SPNG] 3.2.5.1, [MS-NLMP] 3.4.4.2).
    /// The derived keys are wiped before returning.
    /// </summary>
    public static byte[] SignOnce(ReadOnlySpan<byte> sessionKey, NtlmNegotiateFlags flags, NtlmDirection direction, ReadOnlySpan<byte> message)
    {
        byte[] signKey = NtlmCrypto.SignKey(sessionKey, direction);
        byte[] sealKey = NtlmCrypto.SealKey(sessionKey, direction, (flags & NtlmNegotiateFlags.Use128) != 0 ? 128 : (flags & NtlmNegotiateFlags.Use56) != 0 ? 56 : 40);
        try
        {
            using var security = new NtlmMessageSecurity(signKey, sealKey, (flags & NtlmNegotiateFlags.KeyExchange) != 0);
            byte[] signature = new byte[SignatureSize];
            security.Sign(message, 0, signature);
            return signature;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(signKey);
            CryptographicOperations.ZeroMemory(sealKey);
        }
    }

    /// <summary>
    /// NTLMSSP_MESSAGE_SIGNATURE for <paramref name="message"/> ([MS-NLMP] 3.4.4.2): Version 1 ‖ Checksum(8) ‖ SeqNum,
    /// Checksum = HMAC_MD5(SigningKey, SeqNum ‖ Message)[0..8], RC4-encrypted with the sealing handle under KEY_EXCH.
    /// </summary>
    public void Sign(ReadOnlySpan<byte> message, uint sequenceNumber, Span<byte> signature)
    {
        if (signature.Length < SignatureSize)
        {
            throw new ArgumentException($"The signature destination needs {SignatureSize} bytes.", nameof(signature));
        }

        Span<byte> sequence = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(sequence, sequenceNumber);
        Span<byte> mac = stackalloc byte[16];
        using (IncrementalHash hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.MD5, _signKey))
        {
            hmac.AppendData(sequence);
            hmac.AppendData(message);
            hmac.GetHashAndReset(mac);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(signature, 1);
        if (_keyExchange)
        {
            _sealHandle.Transform(mac[..8], signature[4..12]);
        }
        else
        {
            mac[..8].CopyTo(signature[4..12]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(signature[12..], sequenceNumber);
        CryptographicOperations.ZeroMemory(mac);
    }

    /// <summary>GSS_WrapEx: encrypts <paramref name="plaintext"/> into <paramref name="sealedMessage"/>, then signs the plaintext.</summary>
    public void Seal(ReadOnlySpan<byte> plaintext, Span<byte> sealedMessage, uint sequenceNumber, Span<byte> signature)
    {
        if (sealedMessage.Length < plaintext.Length)
        {
            throw new ArgumentException("The sealed-message destination is shorter than the plaintext.", nameof(sealedMessage));
        }

        _sealHandle.Transform(plaintext, sealedMessage);
        Sign(plaintext, sequenceNumber, signature);
    }

    /// <summary>True when <paramref name="signature"/> is this direction's next signature of <paramref name="message"/> (advances the RC4 stream).</summary>
    public bool Verify(ReadOnlySpan<byte> message, uint sequenceNumber, ReadOnlySpan<byte> signature)
    {
        Span<byte> expected = stackalloc byte[SignatureSize];
        Sign(message, sequenceNumber, expected);
        return signature.Length == SignatureSize && CryptographicOperations.FixedTimeEquals(expected, signature);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_signKey);
        _sealHandle.Dispose();
    }
}
