using System.Security.Cryptography;

namespace SmbSign.Protocol.Crypto;

/// <summary>
/// The SMB 3.1.1 preauthentication integrity hash ([MS-SMB2] 3.2.5.2, 3.2.5.3.1, 3.3.5.4, 3.3.5.5.3): starts as 64
/// zero bytes and absorbs whole SMB2 messages (from FE 'SMB', without the transport prefix, signature bytes included)
/// in wire order with H = SHA-512(H ‖ message). The connection hash takes the NEGOTIATE request and response; each
/// session starts from a <see cref="Clone"/> of it and takes every SESSION_SETUP request and every
/// MORE_PROCESSING_REQUIRED response — not the final SUCCESS response, whose signature is checked with keys derived
/// from <see cref="Value"/>. Reusable; no allocation per message. Not thread-safe.
/// </summary>
public sealed class PreauthIntegrityHash : IDisposable
{
    public const int HashSize = 64;

    private readonly byte[] _value = new byte[HashSize];
    private readonly IncrementalHash _sha512 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);

    /// <summary>A hash at its initial value, 64 zero bytes.</summary>
    public PreauthIntegrityHash()
    {
    }

    /// <summary>A hash that continues from <paramref name="value"/> (64 bytes).</summary>
    public PreauthIntegrityHash(ReadOnlySpan<byte> value)
    {
        if (value.Length != HashSize)
        {
            throw new ArgumentException($"A preauth integrity hash value has {HashSize} bytes, got {value.Length}.", nameof(value));
        }

        value.CopyTo(_value);
    }

    /// <summary>The current value (valid until the next <see cref="Update"/>).</summary>
    public ReadOnlySpan<byte> Value => _value;

    /// <summary>H = SHA-512(H ‖ message).</summary>
    public void Update(ReadOnlySpan<byte> message)
    {
        _sha512.AppendData(_value);
        _sha512.AppendData(message);
        _sha512.GetHashAndReset(_value);
    }

    /// <summary>An independent copy (a session's hash starts as a copy of the connection's).</summary>
    public PreauthIntegrityHash Clone() => new(_value);

    /// <summary>Back to 64 zero bytes.</summary>
    public void Reset() => Array.Clear(_value);

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_value);
        _sha512.Dispose();
    }
}
