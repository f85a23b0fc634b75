using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace SmbSign.Protocol.Crypto;

/// <summary>
/// AES-128-GMAC: the GCM tag of empty plaintext with the message as additional authenticated data (NIST SP 800-38D,
/// RFC 4543), the SMB 3.1.1 AES-GMAC signing MAC ([MS-SMB2] 3.1.4.1). Create one per key and reuse it; thread-safe.
/// </summary>
/// <remarks>
/// On x86-64 with AES-NI and PCLMULQDQ the whole computation runs on those instructions (AES for E(K, J0) and H,
/// carry-less multiplication for GHASH with eight blocks per reduction). Elsewhere it uses the platform's
/// <see cref="AesGcm"/> with empty plaintext (one reusable instance). <see cref="ComputeWithZeroedBlock"/> never
/// copies the message: the hardware path feeds GHASH a zero block in place of the masked one, the portable path
/// computes the tag over the message as it is and removes the masked block's contribution (GHASH is linear:
/// the block X_i adds X_i · H^(m+2-i) to the hash).
/// </remarks>
public sealed class AesGmac : IDisposable
{
    public const int KeySize = 16;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    private const int BlockSize = 16;

    private Aes128RoundKeys _roundKeys;
    private GhashPowers _powers;
    private GhashPowers _folds;
    private readonly AesGcm? _portable;
    private ulong _hHi;
    private ulong _hLo;
    private bool _disposed;

    /// <summary>Expands <paramref name="key"/> (16 bytes) and precomputes the hash subkey powers H … H^8.</summary>
    public AesGmac(ReadOnlySpan<byte> key)
        : this(key, forcePortable: false)
    {
    }

    internal AesGmac(ReadOnlySpan<byte> key, bool forcePortable)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"AES-128-GMAC needs a {KeySize}-byte key, got {key.Length} byte(s).", nameof(key));
        }

        if (Aes128Ni.IsSupported && Ghash.IsSupported && !forcePortable)
        {
            Aes128Ni.ExpandKey(key, ref _roundKeys);
            Vector128<byte> h = Aes128Ni.EncryptBlock(Vector128<byte>.Zero, _roundKeys);
            Ghash.ComputePowers(h, ref _powers, ref _folds);
        }
        else
        {
            _portable = new AesGcm(key, TagSize);
            Span<byte> h = stackalloc byte[BlockSize];
            h.Clear();
            using (var aes = System.Security.Cryptography.Aes.Create())
            {
                byte[] keyCopy = key.ToArray();
                aes.Key = keyCopy;
                CryptographicOperations.ZeroMemory(keyCopy);
                aes.EncryptEcb(h, h, PaddingMode.None);
            }

            _hHi = BinaryPrimitives.ReadUInt64BigEndian(h);
            _hLo = BinaryPrimitives.ReadUInt64BigEndian(h[8..]);
            CryptographicOperations.ZeroMemory(h);
        }
    }

    /// <summary>True when this instance runs on AES-NI and PCLMULQDQ rather than the platform's AesGcm.</summary>
    public bool IsHardwareAccelerated => _portable is null;

    /// <summary>One-shot GMAC with a key used once (prefer an instance for repeated use).</summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        using var gmac = new AesGmac(key);
        gmac.Compute(nonce, data, tag);
    }

    /// <summary>The 16-byte tag of <paramref name="data"/> under the 12-byte <paramref name="nonce"/>.</summary>
    public void Compute(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> data, Span<byte> tag) =>
        ComputeCore(nonce, data, zeroedOffset: -1, tag);

    /// <summary>
    /// The tag <paramref name="data"/> would have if its 16 bytes at <paramref name="zeroedOffset"/> (a multiple of 16)
    /// were zero, without modifying or copying <paramref name="data"/>. SMB verification uses offset 48 (the signature).
    /// </summary>
    public void ComputeWithZeroedBlock(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> data, int zeroedOffset, Span<byte> tag)
    {
        if (zeroedOffset < 0 || zeroedOffset % BlockSize != 0 || zeroedOffset > data.Length - BlockSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(zeroedOffset), zeroedOffset, $"Must be a multiple of 16 with 16 bytes inside the {data.Length}-byte data.");
        }

        ComputeCore(nonce, data, zeroedOffset, tag);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _roundKeys = default;
        _powers = default;
        _folds = default;
        _hHi = 0;
        _hLo = 0;
        _portable?.Dispose();
    }

    private void ComputeCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> data, int zeroedOffset, Span<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (nonce.Length != NonceSize)
        {
            throw new ArgumentException($"AES-GMAC needs a {NonceSize}-byte nonce, got {nonce.Length}.", nameof(nonce));
        }

        if (tag.Length < TagSize)
        {
            throw new ArgumentException($"The tag destination needs {TagSize} bytes.", nameof(tag));
        }

        if (_portable is null)
        {
            ComputeHardware(nonce, data, zeroedOffset, tag);
        }
        else
        {
            ComputePortable(nonce, data, zeroedOffset, tag);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeHardware(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> data, int zeroedOffset, Span<byte> tag)
    {
        Vector128<ulong> y = Vector128<ulong>.Zero;
        ReadOnlySpan<byte> rest = data;
        if (zeroedOffset >= 0)
        {
            y = Ghash.Update(y, data[..zeroedOffset], _powers, _folds);
            y = Ghash.UpdateBlock(y, Vector128<ulong>.Zero, _powers, _folds);
            rest = data[(zeroedOffset + BlockSize)..];
        }

        int whole = rest.Length & ~(BlockSize - 1);
        y = Ghash.Update(y, rest[..whole], _powers, _folds);
        if (whole < rest.Length)
        {
            Span<byte> partial = stackalloc byte[BlockSize];
            partial.Clear();
            rest[whole..].CopyTo(partial);
            y = Ghash.UpdateBlock(y, Ghash.Reflect(Vector128.Create((ReadOnlySpan<byte>)partial)), _powers, _folds);
        }

        y = Ghash.UpdateBlock(y, Ghash.LengthBlock(data.Length), _powers, _folds);

        // J0 = nonce || 0x00000001 (SP 800-38D 7.1 step 2 for a 96-bit IV).
        Span<byte> j0 = stackalloc byte[BlockSize];
        nonce.CopyTo(j0);
        BinaryPrimitives.WriteUInt32BigEndian(j0[NonceSize..], 1);
        Vector128<byte> mask = Aes128Ni.EncryptBlock(Vector128.Create((ReadOnlySpan<byte>)j0), _roundKeys);
        (Ghash.Unreflect(y) ^ mask).CopyTo(tag);
    }

    private void ComputePortable(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> data, int zeroedOffset, Span<byte> tag)
    {
        lock (_portable!)
        {
            _portable.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, tag[..TagSize], data);
        }

        if (zeroedOffset < 0)
        {
            return;
        }

        // Remove X_i · H^(m+2-i) for the masked block i (1-based) of the m data blocks; the length block is X_(m+1).
        long blocks = (data.Length + BlockSize - 1) / BlockSize;
        long exponent = blocks + 1 - (zeroedOffset / BlockSize);
        (ulong pHi, ulong pLo) = Ghash.PowerPortable(_hHi, _hLo, exponent);
        (ulong cHi, ulong cLo) = Ghash.MultiplyPortable(
            BinaryPrimitives.ReadUInt64BigEndian(data[zeroedOffset..]),
            BinaryPrimitives.ReadUInt64BigEndian(data[(zeroedOffset + 8)..]),
            pHi,
            pLo);
        BinaryPrimitives.WriteUInt64BigEndian(tag, BinaryPrimitives.ReadUInt64BigEndian(tag) ^ cHi);
        BinaryPrimitives.WriteUInt64BigEndian(tag[8..], BinaryPrimitives.ReadUInt64BigEndian(tag[8..]) ^ cLo);
    }
}
