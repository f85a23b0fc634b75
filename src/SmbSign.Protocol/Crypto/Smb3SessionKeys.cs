using System.Security.Cryptography;

namespace SmbSign.Protocol.Crypto;

/// <summary>
/// The keys of one SMB2/3 session ([MS-SMB2] 3.2.5.3.1, 3.1.4.2): signing, application, and the two cipher keys named
/// by direction (client→server is the client's EncryptionKey and the server's DecryptionKey). For 2.0.2/2.1 the
/// signing and application keys are the session key and there are no cipher keys. Dispose to wipe them.
/// </summary>
public sealed class Smb3SessionKeys : IDisposable
{
    private readonly byte[] _signingKey;
    private readonly byte[] _applicationKey;
    private readonly byte[] _clientToServer;
    private readonly byte[] _serverToClient;

    private Smb3SessionKeys(Dialect dialect, byte[] signingKey, byte[] applicationKey, byte[] clientToServer, byte[] serverToClient)
    {
        Dialect = dialect;
        _signingKey = signingKey;
        _applicationKey = applicationKey;
        _clientToServer = clientToServer;
        _serverToClient = serverToClient;
    }

    public Dialect Dialect { get; }

    /// <summary>Session.SigningKey (2.x: the session key).</summary>
    public ReadOnlySpan<byte> SigningKey => _signingKey;

    /// <summary>Session.ApplicationKey (2.x: the session key).</summary>
    public ReadOnlySpan<byte> ApplicationKey => _applicationKey;

    /// <summary>Encrypts client→server traffic: the client's EncryptionKey, the server's DecryptionKey (empty for 2.x).</summary>
    public ReadOnlySpan<byte> ClientToServerCipherKey => _clientToServer;

    /// <summary>Encrypts server→client traffic: the server's EncryptionKey, the client's DecryptionKey (empty for 2.x).</summary>
    public ReadOnlySpan<byte> ServerToClientCipherKey => _serverToClient;

    /// <summary>
    /// Derives every key of a session. <paramref name="gssSessionKey"/> is the authentication's session key (NTLM:
    /// ExportedSessionKey; Kerberos: the sub-session key); signing and application keys use its first 16 bytes
    /// (zero-padded), cipher keys use all of it with L = 8 · <paramref name="cipherKeyLength"/> (16 for AES-128 ciphers,
    /// 32 for AES-256). <paramref name="preauthHash"/> is required for 3.1.1 and ignored otherwise.
    /// </summary>
    public static Smb3SessionKeys Derive(Dialect dialect, ReadOnlySpan<byte> gssSessionKey, ReadOnlySpan<byte> preauthHash = default, int cipherKeyLength = 16)
    {
        if (cipherKeyLength is not (16 or 32))
        {
            throw new ArgumentOutOfRangeException(nameof(cipherKeyLength), cipherKeyLength, "Cipher keys are 16 (AES-128) or 32 (AES-256) bytes.");
        }

        byte[] sessionKey = NormalizeSessionKey(gssSessionKey);
        try
        {
            switch (dialect)
            {
                case Dialect.Smb202:
                case Dialect.Smb210:
                    return new Smb3SessionKeys(dialect, (byte[])sessionKey.Clone(), (byte[])sessionKey.Clone(), [], []);
                case Dialect.Smb300:
                case Dialect.Smb302:
                    return new Smb3SessionKeys(
                        dialect,
                        Smb3KeyDerivation.Derive(sessionKey, Smb3KeyDerivation.Smb30SigningLabel, Smb3KeyDerivation.Smb30SigningContext, 16),
                        Smb3KeyDerivation.Derive(sessionKey, Smb3KeyDerivation.Smb30ApplicationLabel, Smb3KeyDerivation.Smb30ApplicationContext, 16),
                        DeriveCipherKey(gssSessionKey, sessionKey, Smb3KeyDerivation.Smb30CipherLabel, Smb3KeyDerivation.Smb30ClientToServerContext, cipherKeyLength),
                        DeriveCipherKey(gssSessionKey, sessionKey, Smb3KeyDerivation.Smb30CipherLabel, Smb3KeyDerivation.Smb30ServerToClientContext, cipherKeyLength));
                case Dialect.Smb311:
                    Smb3KeyDerivation.RequirePreauthHash(preauthHash);
                    return new Smb3SessionKeys(
                        dialect,
                        Smb3KeyDerivation.Derive(sessionKey, Smb3KeyDerivation.Smb311SigningLabel, preauthHash, 16),
                        Smb3KeyDerivation.Derive(sessionKey, Smb3KeyDerivation.Smb311ApplicationLabel, preauthHash, 16),
                        DeriveCipherKey(gssSessionKey, sessionKey, Smb3KeyDerivation.Smb311ClientToServerLabel, preauthHash, cipherKeyLength),
                        DeriveCipherKey(gssSessionKey, sessionKey, Smb3KeyDerivation.Smb311ServerToClientLabel, preauthHash, cipherKeyLength));
                default:
                    throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "SMB2/3 session keys exist for 2.0.2 through 3.1.1.");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sessionKey);
        }
    }

    /// <summary>Session.SessionKey from a GSS session key: the first 16 bytes, zero-padded when shorter ([MS-SMB2] 3.2.5.3.1).</summary>
    public static byte[] NormalizeSessionKey(ReadOnlySpan<byte> gssSessionKey)
    {
        if (gssSessionKey.IsEmpty)
        {
            throw new ArgumentException("The session key is empty (guest and anonymous sessions have no key and are not signed).", nameof(gssSessionKey));
        }

        byte[] key = new byte[16];
        gssSessionKey[..Math.Min(16, gssSessionKey.Length)].CopyTo(key);
        return key;
    }

    /// <summary>The key that encrypts what <paramref name="role"/> sends (its EncryptionKey).</summary>
    public ReadOnlySpan<byte> EncryptionKeyFor(Smb2SenderRole role) =>
        role == Smb2SenderRole.Server ? _serverToClient : _clientToServer;

    /// <summary>The key that decrypts what <paramref name="role"/> receives (its DecryptionKey).</summary>
    public ReadOnlySpan<byte> DecryptionKeyFor(Smb2SenderRole role) =>
        role == Smb2SenderRole.Server ? _clientToServer : _serverToClient;

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_signingKey);
        CryptographicOperations.ZeroMemory(_applicationKey);
        CryptographicOperations.ZeroMemory(_clientToServer);
        CryptographicOperations.ZeroMemory(_serverToClient);
    }

    private static byte[] DeriveCipherKey(ReadOnlySpan<byte> fullKey, byte[] sessionKey, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, int length) =>
        length == 16
            ? Smb3KeyDerivation.Derive(sessionKey, label, context, 16)
            : Smb3KeyDerivation.Derive(fullKey, label, context, length);
}
