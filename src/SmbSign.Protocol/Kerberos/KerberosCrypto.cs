using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Kerberos;

/// <summary>Key usage numbers of RFC 4120 §7.5.1 that SMB session set-up uses.</summary>
public static class KerberosKeyUsage
{
    /// <summary>AP-REQ Ticket: EncTicketPart, encrypted in the service key.</summary>
    public const int TicketEncPart = 2;

    /// <summary>AP-REQ Authenticator, encrypted in the ticket's session key.</summary>
    public const int ApReqAuthenticator = 11;

    /// <summary>AP-REP EncAPRepPart, encrypted in the ticket's session key.</summary>
    public const int ApRepEncPart = 12;
}

/// <summary>
/// The Kerberos encryption of EncryptedData for the types Windows and Samba use, with the BCL's primitives:
/// aes128/aes256-cts-hmac-sha1-96 (RFC 3962 on the simplified profile of RFC 3961 §5.3) and rc4-hmac (RFC 4757 §4).
/// Decryption always checks the integrity tag first-class: a wrong tag is reported (false), never ignored, so a wrong key
/// or a tampered ticket cannot produce plaintext.
/// </summary>
[SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "aes*-cts-hmac-sha1-96 is defined with HMAC-SHA1 (RFC 3962 §6).")]
[SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "rc4-hmac is defined with HMAC-MD5 and RC4 (RFC 4757 §4); decrypting it is what verifying such a capture needs.")]
public static class KerberosCrypto
{
    private const int AesBlock = 16;
    private const int AesConfounder = 16;
    private const int AesMac = 12; // HMAC-SHA1-96 (RFC 3962 §6: h = 96 bits)
    private const int Rc4Checksum = 16;
    private const int Rc4Confounder = 8;

    /// <summary>Decrypts EncryptedData.cipher with <paramref name="key"/> for <paramref name="usage"/>. False when the
    /// integrity tag does not match (wrong key, wrong usage, or altered bytes) or the ciphertext is too short; the
    /// plaintext has the confounder removed.</summary>
    public static bool TryDecrypt(int encryptionType, ReadOnlySpan<byte> key, int usage, ReadOnlySpan<byte> ciphertext, out byte[] plaintext)
    {
        switch (encryptionType)
        {
            case (int)KerberosEncryptionType.Aes128CtsHmacSha196 or (int)KerberosEncryptionType.Aes256CtsHmacSha196:
                CheckKey(encryptionType, key);
                return TryDecryptAes(key, usage, ciphertext, out plaintext);
            case (int)KerberosEncryptionType.Rc4Hmac:
                CheckKey(encryptionType, key);
                return TryDecryptRc4(key, usage, ciphertext, out plaintext);
            default:
                throw new NotSupportedException($"Kerberos encryption type {KerberosEncryptionTypes.GetName(encryptionType)} is not supported.");
        }
    }

    /// <summary>Encrypts with an explicit confounder (16 bytes for AES, 8 for RC4). Used to build test messages; a real
    /// sender draws the confounder at random.</summary>
    public static byte[] Encrypt(int encryptionType, ReadOnlySpan<byte> key, int usage, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> confounder)
    {
        switch (encryptionType)
        {
            case (int)KerberosEncryptionType.Aes128CtsHmacSha196 or (int)KerberosEncryptionType.Aes256CtsHmacSha196:
            {
                CheckKey(encryptionType, key);
                if (confounder.Length != AesConfounder)
                {
                    throw new ArgumentException("AES confounders are 16 bytes.", nameof(confounder));
                }

                byte[] ke = DeriveKey(key, UsageConstant(usage, 0xAA));
                byte[] ki = DeriveKey(key, UsageConstant(usage, 0x55));
                byte[] data = [.. confounder, .. plaintext];
                byte[] mac = HMACSHA1.HashData(ki, data);
                byte[] result = [.. CtsEncrypt(ke, data), .. mac.AsSpan(0, AesMac)];
                CryptographicOperations.ZeroMemory(ke);
                CryptographicOperations.ZeroMemory(ki);
                return result;
            }

            case (int)KerberosEncryptionType.Rc4Hmac:
            {
                CheckKey(encryptionType, key);
                if (confounder.Length != Rc4Confounder)
                {
                    throw new ArgumentException("RC4-HMAC confounders are 8 bytes.", nameof(confounder));
                }

                byte[] k1 = Rc4UsageKey(key, usage);
                byte[] data = [.. confounder, .. plaintext];
                byte[] checksum = HMACMD5.HashData(k1, data);
                byte[] k3 = HMACMD5.HashData(k1, checksum);
                byte[] result = [.. checksum, .. Rc4.Apply(k3, data)];
                CryptographicOperations.ZeroMemory(k1);
                CryptographicOperations.ZeroMemory(k3);
                return result;
            }

            default:
                throw new NotSupportedException($"Kerberos encryption type {KerberosEncryptionTypes.GetName(encryptionType)} is not supported.");
        }
    }

    /// <summary>DK(Key, Constant) = random-to-key(DR(Key, Constant)) of RFC 3961 §5.1; for AES random-to-key is the
    /// identity (RFC 3962 §6) and DR's block function is AES on the n-folded constant, chained (E of the previous
    /// output) until the key length is reached.</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> baseKey, ReadOnlySpan<byte> constant)
    {
        if (baseKey.Length is not (16 or 32))
        {
            throw new ArgumentException("AES keys are 16 or 32 bytes.", nameof(baseKey));
        }

        byte[] block = NFold.Fold(constant, AesBlock);
        byte[] derived = new byte[baseKey.Length];
        using Aes aes = Aes.Create();
        aes.Key = baseKey.ToArray();
        for (int done = 0; done < derived.Length; done += AesBlock)
        {
            block = aes.EncryptEcb(block, PaddingMode.None);
            block.AsSpan(0, Math.Min(AesBlock, derived.Length - done)).CopyTo(derived.AsSpan(done));
        }

        return derived;
    }

    /// <summary>AES string-to-key of RFC 3962 §4: DK(PBKDF2-HMAC-SHA1(password, salt, iterations), "kerberos").</summary>
    public static byte[] AesStringToKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int iterations, int keyLength)
    {
        byte[] tkey = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA1, keyLength);
        byte[] key = DeriveKey(tkey, "kerberos"u8);
        CryptographicOperations.ZeroMemory(tkey);
        return key;
    }

    /// <summary>CBC with ciphertext stealing as RFC 3962 §5 specifies it: IV zero, the last two blocks swapped and the
    /// final one truncated; input of exactly one block is plain AES. Input shorter than one block is an error.</summary>
    public static byte[] CtsEncrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length < AesBlock)
        {
            throw new ArgumentException("CTS needs at least one block.", nameof(plaintext));
        }

        using Aes aes = Aes.Create();
        aes.Key = key.ToArray();
        int padded = (plaintext.Length + AesBlock - 1) / AesBlock * AesBlock;
        byte[] input = new byte[padded];
        plaintext.CopyTo(input);
        byte[] cbc = aes.EncryptCbc(input, new byte[AesBlock], PaddingMode.None);
        if (padded == AesBlock)
        {
            return cbc;
        }

        // Output: C(1)..C(n-2), C(n), then the first (length mod 16, or 16) bytes of C(n-1).
        int tail = plaintext.Length - (padded - AesBlock);
        byte[] output = new byte[plaintext.Length];
        cbc.AsSpan(0, padded - 2 * AesBlock).CopyTo(output);
        cbc.AsSpan(padded - AesBlock, AesBlock).CopyTo(output.AsSpan(padded - 2 * AesBlock));
        cbc.AsSpan(padded - 2 * AesBlock, tail).CopyTo(output.AsSpan(padded - AesBlock));
        return output;
    }

    /// <summary>The inverse of <see cref="CtsEncrypt"/>.</summary>
    public static byte[] CtsDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < AesBlock)
        {
            throw new ArgumentException("CTS needs at least one block.", nameof(ciphertext));
        }

        using Aes aes = Aes.Create();
        aes.Key = key.ToArray();
        if (ciphertext.Length == AesBlock)
        {
            return aes.DecryptEcb(ciphertext, PaddingMode.None);
        }

        int n = ciphertext.Length;
        int tail = n % AesBlock == 0 ? AesBlock : n % AesBlock;
        int head = n - tail - AesBlock; // whole blocks before the last two
        byte[] output = new byte[n];
        Span<byte> previous = stackalloc byte[AesBlock];
        previous.Clear();
        if (head > 0)
        {
            aes.DecryptCbc(ciphertext[..head], previous, output.AsSpan(0, head), PaddingMode.None);
            ciphertext.Slice(head - AesBlock, AesBlock).CopyTo(previous);
        }

        // The block sent in position n-1 is C(n) of the plain CBC chain; decrypting it gives P(n) XOR C(n-1), whose
        // tail bytes are the stolen ciphertext bytes of C(n-1).
        byte[] d = aes.DecryptEcb(ciphertext.Slice(head, AesBlock), PaddingMode.None);
        ReadOnlySpan<byte> last = ciphertext[(head + AesBlock)..];
        byte[] cPrev = new byte[AesBlock];
        last.CopyTo(cPrev);
        d.AsSpan(tail).CopyTo(cPrev.AsSpan(tail));
        for (int i = 0; i < tail; i++)
        {
            output[head + AesBlock + i] = (byte)(d[i] ^ last[i]);
        }

        byte[] p = aes.DecryptEcb(cPrev, PaddingMode.None);
        for (int i = 0; i < AesBlock; i++)
        {
            output[head + i] = (byte)(p[i] ^ previous[i]);
        }

        return output;
    }

    private static bool TryDecryptAes(ReadOnlySpan<byte> key, int usage, ReadOnlySpan<byte> ciphertext, out byte[] plaintext)
    {
        plaintext = [];
        if (ciphertext.Length < AesConfounder + AesMac)
        {
            return false;
        }

        byte[] ke = DeriveKey(key, UsageConstant(usage, 0xAA));
        byte[] ki = DeriveKey(key, UsageConstant(usage, 0x55));
        try
        {
            // RFC 3961 §5.3: ciphertext = E(Ke, confounder | plaintext) | H(Ki, confounder | plaintext)[1..h].
            byte[] data = CtsDecrypt(ke, ciphertext[..^AesMac]);
            byte[] mac = HMACSHA1.HashData(ki, data);
            if (!CryptographicOperations.FixedTimeEquals(mac.AsSpan(0, AesMac), ciphertext[^AesMac..]))
            {
                CryptographicOperations.ZeroMemory(data);
                return false;
            }

            plaintext = data[AesConfounder..];
            CryptographicOperations.ZeroMemory(data);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ke);
            CryptographicOperations.ZeroMemory(ki);
        }
    }

    private static bool TryDecryptRc4(ReadOnlySpan<byte> key, int usage, ReadOnlySpan<byte> ciphertext, out byte[] plaintext)
    {
        plaintext = [];
        if (ciphertext.Length < Rc4Checksum + Rc4Confounder)
        {
            return false;
        }

        // RFC 4757 §4: K1 = HMAC-MD5(K, usage), checksum = HMAC-MD5(K1, confounder | data) sent first,
        // K3 = HMAC-MD5(K1, checksum) is the RC4 key of the rest.
        byte[] k1 = Rc4UsageKey(key, usage);
        ReadOnlySpan<byte> checksum = ciphertext[..Rc4Checksum];
        byte[] k3 = HMACMD5.HashData(k1, checksum);
        byte[] data = Rc4.Apply(k3, ciphertext[Rc4Checksum..]);
        byte[] expected = HMACMD5.HashData(k1, data);
        bool valid = CryptographicOperations.FixedTimeEquals(expected, checksum);
        CryptographicOperations.ZeroMemory(k1);
        CryptographicOperations.ZeroMemory(k3);
        if (valid)
        {
            plaintext = data[Rc4Confounder..];
        }

        CryptographicOperations.ZeroMemory(data);
        return valid;
    }

    /// <summary>RFC 4757 §4: K1 = HMAC-MD5(K, T) with T the usage number as 4 little-endian bytes, after the two
    /// translations the RFC lists (usage 3 → 8 for the AS-REP; 9 → 8 for the TGS-REP with a sub-key: usage 8 is
    /// what Windows uses for both).</summary>
    private static byte[] Rc4UsageKey(ReadOnlySpan<byte> key, int usage)
    {
        int translated = usage switch
        {
            3 => 8,
            9 => 8,
            _ => usage,
        };
        Span<byte> salt = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(salt, translated);
        return HMACMD5.HashData(key, salt);
    }

    /// <summary>The derivation constant of RFC 3961 §5.3: the usage as 4 big-endian bytes, then 0xAA (Ke), 0x55 (Ki)
    /// or 0x99 (Kc).</summary>
    private static byte[] UsageConstant(int usage, byte kind)
    {
        byte[] constant = new byte[5];
        BinaryPrimitives.WriteInt32BigEndian(constant, usage);
        constant[4] = kind;
        return constant;
    }

    private static void CheckKey(int encryptionType, ReadOnlySpan<byte> key)
    {
        int expected = KerberosEncryptionTypes.KeyLength(encryptionType);
        if (key.Length != expected)
        {
            throw new ArgumentException($"A {KerberosEncryptionTypes.GetName(encryptionType)} key is {expected} bytes, not {key.Length}.", nameof(key));
        }
    }
}
