using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace SmbSign.Protocol.Crypto;

/// <summary>
/// AES-128-CMAC (RFC 4493), the SMB 3.0/3.0.2 signing MAC and the 3.1.1 default ([MS-SMB2] 3.1.4.1).
/// Create one per key and reuse it: the key schedule and the subkeys K1/K2 are computed once. Thread-safe:
/// every computation keeps its state on the caller's stack (<see cref="AesCmacAccumulator"/>).
/// </summary>
/// <remarks>
/// On x86-64 with AES-NI the CBC-MAC runs on the AES instructions directly (<c>System.Runtime.Intrinsics.X86.Aes</c>);
/// elsewhere it runs on the platform's one-shot <c>SymmetricAlgorithm.EncryptCbc</c>
/// with one reusable <see cref="System.Security.Cryptography.Aes"/> instance, in 64 KiB chunks.
/// </remarks>
public sealed class AesCmac : IDisposable
{
    public const int KeySize = 16;
    public const int MacSize = 16;
    private const int BlockSize = 16;
    private const int PortableChunkSize = 64 * 1024;

    private Aes128RoundKeys _roundKeys;
    private Vector128<byte> _k1;
    private Vector128<byte> _k2;
    private readonly Aes? _portable;
    private bool _disposed;

    /// <summary>Expands <paramref name="key"/> (16 bytes) and derives the subkeys K1 and K2 (RFC 4493 2.3).</summary>
    public AesCmac(ReadOnlySpan<byte> key)
        : this(key, forcePortable: false)
    {
    }

    internal AesCmac(ReadOnlySpan<byte> key, bool forcePortable)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"AES-128-CMAC needs a {KeySize}-byte key, got {key.Length} byte(s).", nameof(key));
        }

        Vector128<byte> l;
        if (Aes128Ni.IsSupported && !forcePortable)
        {
            Aes128Ni.ExpandKey(key, ref _roundKeys);
            l = Aes128Ni.EncryptBlock(Vector128<byte>.Zero, _roundKeys);
        }
        else
        {
            _portable = System.Security.Cryptography.Aes.Create();
            byte[] keyCopy = key.ToArray();
            _portable.Key = keyCopy;
            CryptographicOperations.ZeroMemory(keyCopy);
            Span<byte> block = stackalloc byte[BlockSize];
            block.Clear();
            _portable.EncryptEcb(block, block, PaddingMode.None);
            l = Vector128.Create((ReadOnlySpan<byte>)block);
            CryptographicOperations.ZeroMemory(block);
        }

        _k1 = Double(l);
        _k2 = Double(_k1);
    }

    /// <summary>True when this instance runs on AES-NI rather than the platform's one-shot AES.</summary>
    public bool IsHardwareAccelerated => _portable is null;

    /// <summary>One-shot CMAC with a key used once (expands the key; prefer an instance for repeated use).</summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> mac)
    {
        using var cmac = new AesCmac(key);
        cmac.Compute(message, mac);
    }

    /// <summary>CMAC of <paramref name="message"/> into the first 16 bytes of <paramref name="mac"/>.</summary>
    public void Compute(ReadOnlySpan<byte> message, Span<byte> mac)
    {
        AesCmacAccumulator accumulator = Begin();
        accumulator.Append(message);
        accumulator.Finish(mac);
    }

    /// <summary>Starts an incremental computation: <c>Append</c> the message in pieces, then <c>Finish</c>.</summary>
    public AesCmacAccumulator Begin()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new AesCmacAccumulator(this);
    }

    /// <summary>The subkeys K1 and K2 (RFC 4493 2.3), for known-answer tests.</summary>
    internal void GetSubkeys(Span<byte> k1, Span<byte> k2)
    {
        _k1.CopyTo(k1);
        _k2.CopyTo(k2);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _roundKeys = default;
        _k1 = default;
        _k2 = default;
        _portable?.Dispose();
    }

    /// <summary>CBC-MAC over whole blocks, none of which is the message's last block.</summary>
    internal Vector128<byte> Chain(Vector128<byte> state, ReadOnlySpan<byte> blocks)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_portable is null)
        {
            return Aes128Ni.CbcMac(state, blocks, _roundKeys);
        }

        return ChainPortable(state, blocks);
    }

    /// <summary>Final step (RFC 4493 2.4 steps 4-6): masks the last block with K1 (complete) or pads and masks with K2.</summary>
    internal void Complete(Vector128<byte> state, ReadOnlySpan<byte> last, Span<byte> mac)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (mac.Length < MacSize)
        {
            throw new ArgumentException($"The MAC destination needs {MacSize} bytes.", nameof(mac));
        }

        Span<byte> block = stackalloc byte[BlockSize];
        block.Clear();
        last.CopyTo(block);
        Vector128<byte> lastBlock;
        if (last.Length == BlockSize)
        {
            lastBlock = Vector128.Create((ReadOnlySpan<byte>)block) ^ _k1;
        }
        else
        {
            block[last.Length] = 0x80;
            lastBlock = Vector128.Create((ReadOnlySpan<byte>)block) ^ _k2;
        }

        lastBlock.CopyTo(block);
        Vector128<byte> result = Chain(state, block);
        result.CopyTo(mac);
        CryptographicOperations.ZeroMemory(block);
    }

    private Vector128<byte> ChainPortable(Vector128<byte> state, ReadOnlySpan<byte> blocks)
    {
        if (blocks.IsEmpty)
        {
            return state;
        }

        byte[] scratch = ArrayPool<byte>.Shared.Rent(Math.Min(blocks.Length, PortableChunkSize));
        Span<byte> iv = stackalloc byte[BlockSize];
        try
        {
            lock (_portable!)
            {
                while (!blocks.IsEmpty)
                {
                    int take = Math.Min(blocks.Length, PortableChunkSize);
                    state.CopyTo(iv);
                    _portable.EncryptCbc(blocks[..take], iv, scratch.AsSpan(0, take), PaddingMode.None);
                    state = Vector128.Create((ReadOnlySpan<byte>)scratch.AsSpan(take - BlockSize, BlockSize));
                    blocks = blocks[take..];
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch, clearArray: true);
        }

        return state;
    }

    /// <summary>Doubling in GF(2^128) as RFC 4493 2.3 defines it: shift left one bit, XOR 0x87 when the top bit fell out.</summary>
    private static Vector128<byte> Double(Vector128<byte> value)
    {
        Span<byte> bytes = stackalloc byte[BlockSize];
        value.CopyTo(bytes);
        ulong hi = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        ulong lo = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        ulong carry = 0 - (hi >> 63);
        hi = (hi << 1) | (lo >> 63);
        lo = (lo << 1) ^ (0x87UL & carry);
        BinaryPrimitives.WriteUInt64BigEndian(bytes, hi);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], lo);
        Vector128<byte> result = Vector128.Create((ReadOnlySpan<byte>)bytes);
        CryptographicOperations.ZeroMemory(bytes);
        return result;
    }
}

/// <summary>
/// An AES-CMAC computation in progress, fed in pieces of any size: verifying an SMB2 message appends bytes 0..48,
/// sixteen zero bytes and bytes 64..end without copying the message. Lives on the stack; call <see cref="Finish"/> once.
/// </summary>
public ref struct AesCmacAccumulator
{
    private const int BlockSize = 16;

    private readonly AesCmac _owner;
    private Vector128<byte> _state;
    private PendingBlock _pending;
    private int _pendingLength;

    internal AesCmacAccumulator(AesCmac owner)
    {
        _owner = owner;
        _state = Vector128<byte>.Zero;
        _pendingLength = 0;
    }

    /// <summary>Absorbs the next piece of the message.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_owner is null)
        {
            throw new InvalidOperationException("Start the computation with AesCmac.Begin().");
        }

        if (data.IsEmpty)
        {
            return;
        }

        // The last block is special (masked with K1/K2), so the newest 1..16 bytes stay pending until more data arrives.
        if (_pendingLength > 0)
        {
            int take = Math.Min(BlockSize - _pendingLength, data.Length);
            data[..take].CopyTo(((Span<byte>)_pending)[_pendingLength..]);
            _pendingLength += take;
            data = data[take..];
            if (data.IsEmpty)
            {
                return;
            }

            _state = _owner.Chain(_state, _pending);
            _pendingLength = 0;
        }

        int surelyNotLast = (data.Length - 1) / BlockSize * BlockSize;
        if (surelyNotLast > 0)
        {
            _state = _owner.Chain(_state, data[..surelyNotLast]);
        }

        ReadOnlySpan<byte> tail = data[surelyNotLast..];
        tail.CopyTo(_pending);
        _pendingLength = tail.Length;
    }

    /// <summary>Writes the 16-byte MAC and wipes the intermediate state.</summary>
    public void Finish(Span<byte> mac)
    {
        if (_owner is null)
        {
            throw new InvalidOperationException("Start the computation with AesCmac.Begin().");
        }

        _owner.Complete(_state, ((ReadOnlySpan<byte>)_pending)[.._pendingLength], mac);
        _state = default;
        _pending = default;
        _pendingLength = 0;
    }

    [InlineArray(BlockSize)]
    private struct PendingBlock
    {
        private byte _element;
    }
}
