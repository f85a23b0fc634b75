using System.Security.Cryptography;

namespace SmbSign.Protocol.Crypto;

/// <summary>
/// SMB 3.x key derivation ([MS-SMB2] 3.1.4.2): NIST SP 800-108 counter mode with HMAC-SHA256, r = 32,
/// K = PRF(Ki, [1]_32 ‖ Label ‖ 0x00 ‖ Context ‖ [L]_32). Labels and contexts below include their terminating NUL,
/// which is why the PRF input has two zero bytes after the label. Backed by the BCL's <see cref="SP800108HmacCounterKdf"/>.
/// </summary>
public static class Smb3KeyDerivation
{
    public const int KeySize = 16;
    public const int PreauthHashSize = PreauthIntegrityHash.HashSize;

    // 3.0 / 3.0.2 labels and contexts.
    public static ReadOnlySpan<byte> Smb30SigningLabel => "SMB2AESCMAC\0"u8;
    public static ReadOnlySpan<byte> Smb30SigningContext => "SmbSign\0"u8;
    public static ReadOnlySpan<byte> Smb30ApplicationLabel => "SMB2APP\0"u8;
    public static ReadOnlySpan<byte> Smb30ApplicationContext => "SmbRpc\0"u8;
    public static ReadOnlySpan<byte> Smb30CipherLabel => "SMB2AESCCM\0"u8;

    /// <summary>"ServerIn \0" (with the space): the client's encryption key = the server's decryption key.</summary>
    public static ReadOnlySpan<byte> Smb30ClientToServerContext => "ServerIn \0"u8;

    /// <summary>"ServerOut\0": the server's encryption key = the client's decryption key.</summary>
    public static ReadOnlySpan<byte> Smb30ServerToClientContext => "ServerOut\0"u8;

    // 3.1.1 labels; the context is the 64-byte preauth integrity hash.
    public static ReadOnlySpan<byte> Smb311SigningLabel => "SMBSigningKey\0"u8;
    public static ReadOnlySpan<byte> Smb311ApplicationLabel => "SMBAppKey\0"u8;
    public static ReadOnlySpan<byte> Smb311ClientToServerLabel => "SMBC2SCipherKey\0"u8;
    public static ReadOnlySpan<byte> Smb311ServerToClientLabel => "SMBS2CCipherKey\0"u8;

    /// <summary>SP 800-108 counter-mode HMAC-SHA256 with L = 8 · destination.Length bits.</summary>
    public static void DeriveKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, Span<byte> destination)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("The key derivation key must not be empty.", nameof(key));
        }

        SP800108HmacCounterKdf.DeriveBytes(key, HashAlgorithmName.SHA256, label, context, destination);
    }

    /// <summary>
    /// Session.SigningKey (or Channel.SigningKey for a bound channel) for <paramref name="dialect"/>: 3.0/3.0.2 use the
    /// fixed context, 3.1.1 the session's preauth hash; 2.0.2/2.1 sign with the session key itself.
    /// </summary>
    public static byte[] DeriveSigningKey(Dialect dialect, ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> preauthHash = default)
    {
        byte[] normalized = Smb3SessionKeys.NormalizeSessionKey(sessionKey);
        try
        {
            switch (dialect)
            {
                case Dialect.Smb202:
                case Dialect.Smb210:
                    return (byte[])normalized.Clone();
                case Dialect.Smb300:
                case Dialect.Smb302:
                    return Derive(normalized, Smb30SigningLabel, Smb30SigningContext, KeySize);
                case Dialect.Smb311:
                    RequirePreauthHash(preauthHash);
                    return Derive(normalized, Smb311SigningLabel, preauthHash, KeySize);
                default:
                    throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "SMB2/3 signing keys exist for 2.0.2 through 3.1.1.");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(normalized);
        }
    }

    internal static byte[] Derive(ReadOnlySpan<byte> key, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, int length)
    {
        byte[] result = new byte[length];
        DeriveKey(key, label, context, result);
        return result;
    }

    internal static void RequirePreauthHash(ReadOnlySpan<byte> preauthHash)
    {
        if (preauthHash.Length != PreauthHashSize)
        {
            throw new ArgumentException(
                $"SMB 3.1.1 keys need the {PreauthHashSize}-byte preauth integrity hash as context, got {preauthHash.Length} byte(s).",
                nameof(preauthHash));
        }
    }
}
