using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace SmbSign.Protocol.Crypto;

/// <summary>The eleven AES-128 round keys (FIPS 197 5.2), expanded once per key and reused for every message.</summary>
[InlineArray(Count)]
internal struct Aes128RoundKeys
{
    public const int Count = 11;

    private Vector128<byte> _element;

    /// <summary>Round key <paramref name="index"/> (0..10, not checked). Hot paths read through this instead of the
    /// language's inline-array indexer: NativeAOT compiled that indexer as a call, and every call spilled the live
    /// vector registers around it (seen in the disassembly of the native build's CBC-MAC and GMAC).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector128<byte> At(int index) => Unsafe.Add(ref Unsafe.AsRef(in _element), index);
}

/// <summary>
/// AES-128 encryption on the AES-NI instructions (FIPS 197): key expansion with AESKEYGENASSIST, one block with
/// AESENC/AESENCLAST, and a CBC-MAC loop that keeps the round keys in registers. Used by <see cref="AesCmac"/> and
/// <see cref="AesGmac"/> when <see cref="IsSupported"/>; otherwise they use the BCL's <c>Aes</c>/<c>AesGcm</c>.
/// </summary>
internal static class Aes128Ni
{
    public const int BlockSize = 16;

    public static bool IsSupported => X86Aes.IsSupported && Sse2.IsSupported;

    public static void ExpandKey(ReadOnlySpan<byte> key, ref Aes128RoundKeys roundKeys)
    {
        Debug.Assert(IsSupported);
        Debug.Assert(key.Length == 16);
        Vector128<byte> k = Vector128.Create(key);
        roundKeys[0] = k;
        k = Step(k, X86Aes.KeygenAssist(k, 0x01));
        roundKeys[1] = k;
        k = Step(k, X86Aes.KeygenAssist(k, 0x02));
        roundKeys[2] = k;
        k = Step(k, X86Aes.KeygenAssist(k, 0x04));
        roundKeys[3] = k;
        k = Step(k, X86Aes.KeygenAssist(k, 0x08));
        roundKeys[4] = k;
        k = Step(k, X86Aes.KeygenAssist(k, 0x10));
        roundKeys[5] = k;
        k = Step(k, X86Aes.KeygenAssist(k, 0x20));
        roundKeys[6] = k;
        k = Step(k, X86Aes.KeygenAssist(k, 0x40));
        roundKeys[7] = k;
        k = Step(k, X86Aes.KeygenAssist(k, 0x80));
        roundKeys[8] = k;
        k = Step(k, X86Aes.KeygenAssist(k, 0x1B));
        roundKeys[9] = k;
        k = Step(k, X86Aes.KeygenAssist(k, 0x36));
        roundKeys[10] = k;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> EncryptBlock(Vector128<byte> block, in Aes128RoundKeys roundKeys)
    {
        block ^= roundKeys.At(0);
        block = X86Aes.Encrypt(block, roundKeys.At(1));
        block = X86Aes.Encrypt(block, roundKeys.At(2));
        block = X86Aes.Encrypt(block, roundKeys.At(3));
        block = X86Aes.Encrypt(block, roundKeys.At(4));
        block = X86Aes.Encrypt(block, roundKeys.At(5));
        block = X86Aes.Encrypt(block, roundKeys.At(6));
        block = X86Aes.Encrypt(block, roundKeys.At(7));
        block = X86Aes.Encrypt(block, roundKeys.At(8));
        block = X86Aes.Encrypt(block, roundKeys.At(9));
        return X86Aes.EncryptLast(block, roundKeys.At(10));
    }

    /// <summary>CBC-MAC chaining over whole blocks: <c>state = E(state XOR block)</c> for each block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<byte> CbcMac(Vector128<byte> state, ReadOnlySpan<byte> blocks, in Aes128RoundKeys roundKeys)
    {
        Debug.Assert(blocks.Length % BlockSize == 0);
        Vector128<byte> k0 = roundKeys.At(0);
        Vector128<byte> k1 = roundKeys.At(1);
        Vector128<byte> k2 = roundKeys.At(2);
        Vector128<byte> k3 = roundKeys.At(3);
        Vector128<byte> k4 = roundKeys.At(4);
        Vector128<byte> k5 = roundKeys.At(5);
        Vector128<byte> k6 = roundKeys.At(6);
        Vector128<byte> k7 = roundKeys.At(7);
        Vector128<byte> k8 = roundKeys.At(8);
        Vector128<byte> k9 = roundKeys.At(9);
        Vector128<byte> k10 = roundKeys.At(10);
        ref byte source = ref MemoryMarshal.GetReference(blocks);
        nuint length = (nuint)blocks.Length;
        for (nuint offset = 0; offset < length; offset += BlockSize)
        {
            state ^= Vector128.LoadUnsafe(ref source, offset) ^ k0;
            state = X86Aes.Encrypt(state, k1);
            state = X86Aes.Encrypt(state, k2);
            state = X86Aes.Encrypt(state, k3);
            state = X86Aes.Encrypt(state, k4);
            state = X86Aes.Encrypt(state, k5);
            state = X86Aes.Encrypt(state, k6);
            state = X86Aes.Encrypt(state, k7);
            state = X86Aes.Encrypt(state, k8);
            state = X86Aes.Encrypt(state, k9);
            state = X86Aes.EncryptLast(state, k10);
        }

        return state;
    }

    private static Vector128<byte> Step(Vector128<byte> key, Vector128<byte> assist)
    {
        assist = Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 4);
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 4);
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 4);
        return key ^ assist;
    }
}
