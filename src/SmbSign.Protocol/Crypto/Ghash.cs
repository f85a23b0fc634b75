using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SmbSign.Protocol.Crypto;

/// <summary>H, H^2 … H^8 in the byte-reversed register form GHASH uses with PCLMULQDQ, plus their Karatsuba folds.</summary>
[InlineArray(Count)]
internal struct GhashPowers
{
    public const int Count = 8;

    private Vector128<ulong> _element;

    /// <summary>Power <paramref name="index"/> (0..7, not checked), read without the inline-array indexer, which
    /// NativeAOT compiled as a call (see <see cref="Aes128RoundKeys.At"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector128<ulong> At(int index) => Unsafe.Add(ref Unsafe.AsRef(in _element), index);
}

/// <summary>
/// GHASH (NIST SP 800-38D 6.4), the universal hash inside GCM and therefore GMAC. Two implementations:
/// a PCLMULQDQ one that multiplies eight blocks before each reduction (Intel, "Carry-Less Multiplication and Its
/// Usage for Computing the GCM Mode", algorithm 5 with aggregated reduction), and a constant-time bit-serial one
/// (SP 800-38D algorithm 1) that serves as the reference in tests and for the portable GMAC path.
/// </summary>
internal static class Ghash
{
    public const int BlockSize = 16;

    public static bool IsSupported => Pclmulqdq.IsSupported && Ssse3.IsSupported && Sse2.IsSupported;

    // A property the JIT inlines as a constant, but NativeAOT compiled as a call per block, spilling the
    // accumulators around it (GMAC ran at half the JIT's speed): hence AggressiveInlining on its getter.
    private static Vector128<byte> ReverseMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    }

    /// <summary>A 16-byte block as GHASH's register form (bytes reversed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> Reflect(Vector128<byte> block) => Ssse3.Shuffle(block, ReverseMask).AsUInt64();

    /// <summary>The inverse of <see cref="Reflect"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Unreflect(Vector128<ulong> value) => Ssse3.Shuffle(value.AsByte(), ReverseMask);

    /// <summary>Fills H^1 … H^8 (register form) from the hash subkey H = E(K, 0^128).</summary>
    public static void ComputePowers(Vector128<byte> hashSubkey, ref GhashPowers powers, ref GhashPowers folds)
    {
        Debug.Assert(IsSupported);
        Vector128<ulong> h = Reflect(hashSubkey);
        powers[0] = h;
        for (int i = 1; i < GhashPowers.Count; i++)
        {
            powers[i] = Multiply(powers[i - 1], h);
        }

        for (int i = 0; i < GhashPowers.Count; i++)
        {
            folds[i] = Fold(powers[i]);
        }
    }

    /// <summary>One field multiplication in register form.</summary>
    public static Vector128<ulong> Multiply(Vector128<ulong> a, Vector128<ulong> b)
    {
        Vector128<ulong> lo = Vector128<ulong>.Zero;
        Vector128<ulong> mid = Vector128<ulong>.Zero;
        Vector128<ulong> hi = Vector128<ulong>.Zero;
        MultiplyAccumulate(a, b, Fold(b), ref lo, ref mid, ref hi);
        return Reduce(lo, mid, hi);
    }

    /// <summary>Absorbs whole blocks: <c>Y = (Y XOR X_i) · H</c> for each block, eight blocks per reduction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<ulong> Update(Vector128<ulong> y, ReadOnlySpan<byte> blocks, in GhashPowers powers, in GhashPowers folds)
    {
        Debug.Assert(blocks.Length % BlockSize == 0);
        ref byte source = ref MemoryMarshal.GetReference(blocks);
        nuint length = (nuint)blocks.Length;
        nuint offset = 0;
        if (length >= 8 * BlockSize)
        {
            Vector128<ulong> h1 = powers.At(0), h2 = powers.At(1), h3 = powers.At(2), h4 = powers.At(3);
            Vector128<ulong> h5 = powers.At(4), h6 = powers.At(5), h7 = powers.At(6), h8 = powers.At(7);
            Vector128<ulong> f1 = folds.At(0), f2 = folds.At(1), f3 = folds.At(2), f4 = folds.At(3);
            Vector128<ulong> f5 = folds.At(4), f6 = folds.At(5), f7 = folds.At(6), f8 = folds.At(7);
            for (; length - offset >= 8 * BlockSize; offset += 8 * BlockSize)
            {
                Vector128<ulong> lo = Vector128<ulong>.Zero;
                Vector128<ulong> mid = Vector128<ulong>.Zero;
                Vector128<ulong> hi = Vector128<ulong>.Zero;
                MultiplyAccumulate(y ^ Load(ref source, offset), h8, f8, ref lo, ref mid, ref hi);
                MultiplyAccumulate(Load(ref source, offset + 16), h7, f7, ref lo, ref mid, ref hi);
                MultiplyAccumulate(Load(ref source, offset + 32), h6, f6, ref lo, ref mid, ref hi);
                MultiplyAccumulate(Load(ref source, offset + 48), h5, f5, ref lo, ref mid, ref hi);
                MultiplyAccumulate(Load(ref source, offset + 64), h4, f4, ref lo, ref mid, ref hi);
                MultiplyAccumulate(Load(ref source, offset + 80), h3, f3, ref lo, ref mid, ref hi);
                MultiplyAccumulate(Load(ref source, offset + 96), h2, f2, ref lo, ref mid, ref hi);
                MultiplyAccumulate(Load(ref source, offset + 112), h1, f1, ref lo, ref mid, ref hi);
                y = Reduce(lo, mid, hi);
            }
        }

        int remaining = (int)((length - offset) / BlockSize);
        if (remaining > 0)
        {
            // 1..7 blocks left: one aggregated product with H^remaining … H^1.
            Vector128<ulong> lo = Vector128<ulong>.Zero;
            Vector128<ulong> mid = Vector128<ulong>.Zero;
            Vector128<ulong> hi = Vector128<ulong>.Zero;
            Vector128<ulong> x = y ^ Load(ref source, offset);
            for (int i = remaining - 1; ; i--)
            {
                MultiplyAccumulate(x, powers.At(i), folds.At(i), ref lo, ref mid, ref hi);
                if (i == 0)
                {
                    break;
                }

                offset += BlockSize;
                x = Load(ref source, offset);
            }

            y = Reduce(lo, mid, hi);
        }

        return y;
    }

    /// <summary>Absorbs one block given in register form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> UpdateBlock(Vector128<ulong> y, Vector128<ulong> block, in GhashPowers powers, in GhashPowers folds)
    {
        Vector128<ulong> lo = Vector128<ulong>.Zero;
        Vector128<ulong> mid = Vector128<ulong>.Zero;
        Vector128<ulong> hi = Vector128<ulong>.Zero;
        MultiplyAccumulate(y ^ block, powers.At(0), folds.At(0), ref lo, ref mid, ref hi);
        return Reduce(lo, mid, hi);
    }

    /// <summary>The final GHASH block for AAD-only input: <c>[len(A) in bits]_64 || [0]_64</c>, in register form.</summary>
    public static Vector128<ulong> LengthBlock(long aadBytes) => Vector128.Create(0UL, (ulong)aadBytes * 8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load(ref byte source, nuint offset) =>
        Reflect(Vector128.LoadUnsafe(ref source, offset));

    /// <summary>Both 64-bit halves XORed into the low lane, for the Karatsuba middle product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> value) => value ^ Sse2.Shuffle(value.AsUInt32(), 0x4E).AsUInt64();

    /// <summary>Adds the unreduced 256-bit product a·b (Karatsuba: three carry-less multiplications).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAccumulate(
        Vector128<ulong> a, Vector128<ulong> b, Vector128<ulong> bFold,
        ref Vector128<ulong> lo, ref Vector128<ulong> mid, ref Vector128<ulong> hi)
    {
        lo ^= Pclmulqdq.CarrylessMultiply(a, b, 0x00);
        hi ^= Pclmulqdq.CarrylessMultiply(a, b, 0x11);
        mid ^= Pclmulqdq.CarrylessMultiply(Fold(a), bFold, 0x00);
    }

    /// <summary>Shifts the 256-bit product left by one (bit reflection) and reduces it modulo x^128 + x^7 + x^2 + x + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Reduce(Vector128<ulong> lo, Vector128<ulong> mid, Vector128<ulong> hi)
    {
        mid ^= lo ^ hi;
        Vector128<uint> t3 = (lo ^ Sse2.ShiftLeftLogical128BitLane(mid, 8)).AsUInt32();
        Vector128<uint> t6 = (hi ^ Sse2.ShiftRightLogical128BitLane(mid, 8)).AsUInt32();

        Vector128<uint> t7 = Sse2.ShiftRightLogical(t3, 31);
        Vector128<uint> t8 = Sse2.ShiftRightLogical(t6, 31);
        t3 = Sse2.ShiftLeftLogical(t3, 1);
        t6 = Sse2.ShiftLeftLogical(t6, 1);
        Vector128<uint> t9 = Sse2.ShiftRightLogical128BitLane(t7, 12);
        t8 = Sse2.ShiftLeftLogical128BitLane(t8, 4);
        t7 = Sse2.ShiftLeftLogical128BitLane(t7, 4);
        t3 |= t7;
        t6 |= t8 | t9;

        t7 = Sse2.ShiftLeftLogical(t3, 31) ^ Sse2.ShiftLeftLogical(t3, 30) ^ Sse2.ShiftLeftLogical(t3, 25);
        t8 = Sse2.ShiftRightLogical128BitLane(t7, 4);
        t7 = Sse2.ShiftLeftLogical128BitLane(t7, 12);
        t3 ^= t7;
        Vector128<uint> t2 = Sse2.ShiftRightLogical(t3, 1) ^ Sse2.ShiftRightLogical(t3, 2) ^ Sse2.ShiftRightLogical(t3, 7) ^ t8;
        t3 ^= t2;
        return (t6 ^ t3).AsUInt64();
    }

    // ---- Portable, constant-time reference (SP 800-38D 6.3, algorithm 1), blocks in wire byte order ----

    /// <summary>X · Y in GF(2^128) with GCM's bit order; 16-byte blocks in wire order.</summary>
    public static void MultiplyPortable(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> result)
    {
        (ulong hi, ulong lo) = MultiplyPortable(
            BinaryPrimitives.ReadUInt64BigEndian(x), BinaryPrimitives.ReadUInt64BigEndian(x[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(y), BinaryPrimitives.ReadUInt64BigEndian(y[8..]));
        BinaryPrimitives.WriteUInt64BigEndian(result, hi);
        BinaryPrimitives.WriteUInt64BigEndian(result[8..], lo);
    }

    /// <summary>X · Y with each block as two big-endian 64-bit halves. No secret-dependent branches or lookups.</summary>
    public static (ulong Hi, ulong Lo) MultiplyPortable(ulong xHi, ulong xLo, ulong yHi, ulong yLo)
    {
        ulong zHi = 0, zLo = 0;
        ulong vHi = yHi, vLo = yLo;
        for (int i = 0; i < 128; i++)
        {
            ulong bit = i < 64 ? (xHi >> (63 - i)) & 1 : (xLo >> (127 - i)) & 1;
            ulong mask = 0 - bit;
            zHi ^= vHi & mask;
            zLo ^= vLo & mask;
            ulong carry = 0 - (vLo & 1);
            vLo = (vLo >> 1) | (vHi << 63);
            vHi = (vHi >> 1) ^ (0xE100_0000_0000_0000UL & carry);
        }

        return (zHi, zLo);
    }

    /// <summary>H^exponent (exponent ≥ 1) by square-and-multiply; the exponent is public, H is not.</summary>
    public static (ulong Hi, ulong Lo) PowerPortable(ulong hHi, ulong hLo, long exponent)
    {
        Debug.Assert(exponent >= 1);
        (ulong Hi, ulong Lo) result = (hHi, hLo);
        int top = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)exponent);
        for (int bit = top - 1; bit >= 0; bit--)
        {
            result = MultiplyPortable(result.Hi, result.Lo, result.Hi, result.Lo);
            if (((exponent >> bit) & 1) != 0)
            {
                result = MultiplyPortable(result.Hi, result.Lo, hHi, hLo);
            }
        }

        return result;
    }
}
