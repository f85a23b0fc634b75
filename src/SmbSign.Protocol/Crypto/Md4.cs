using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace SmbSign.Protocol.Crypto;

/// <summary>
/// MD4 (RFC 1320). Obsolete as a hash; SMB needs it only for the NT hash (NTOWFv1 = MD4(UTF-16LE(password)),
/// [MS-NLMP] 3.3.1) and the NTLMv1 session base key. The BCL has no MD4, so this is a straightforward implementation.
/// </summary>
public static class Md4
{
    public const int HashSize = 16;
    private const int BlockSize = 64;

    /// <summary>MD4 of <paramref name="source"/>.</summary>
    public static byte[] HashData(ReadOnlySpan<byte> source)
    {
        byte[] hash = new byte[HashSize];
        HashData(source, hash);
        return hash;
    }

    /// <summary>MD4 of <paramref name="source"/> into the first 16 bytes of <paramref name="destination"/>.</summary>
    public static void HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < HashSize)
        {
            throw new ArgumentException($"The destination needs {HashSize} bytes.", nameof(destination));
        }

        Span<uint> state = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476];
        long bitLength = (long)source.Length * 8;
        while (source.Length >= BlockSize)
        {
            Compress(state, source[..BlockSize]);
            source = source[BlockSize..];
        }

        // Padding (RFC 1320 3.1, 3.2): 0x80, zeros to 56 mod 64, then the bit length as a little-endian 64-bit value.
        Span<byte> tail = stackalloc byte[2 * BlockSize];
        tail.Clear();
        source.CopyTo(tail);
        tail[source.Length] = 0x80;
        int tailLength = source.Length + 1 + 8 <= BlockSize ? BlockSize : 2 * BlockSize;
        BinaryPrimitives.WriteInt64LittleEndian(tail[(tailLength - 8)..], bitLength);
        Compress(state, tail[..BlockSize]);
        if (tailLength == 2 * BlockSize)
        {
            Compress(state, tail[BlockSize..]);
        }

        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[(4 * i)..], state[i]);
        }

        CryptographicOperations.ZeroMemory(tail);
    }

    private static void Compress(Span<uint> state, ReadOnlySpan<byte> block)
    {
        Span<uint> x = stackalloc uint[16];
        for (int i = 0; i < 16; i++)
        {
            x[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(4 * i)..]);
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3];

        // Round 1: F(x, y, z) = (x & y) | (~x & z).
        for (int i = 0; i < 16; i += 4)
        {
            a = BitOperations.RotateLeft(a + ((b & c) | (~b & d)) + x[i], 3);
            d = BitOperations.RotateLeft(d + ((a & b) | (~a & c)) + x[i + 1], 7);
            c = BitOperations.RotateLeft(c + ((d & a) | (~d & b)) + x[i + 2], 11);
            b = BitOperations.RotateLeft(b + ((c & d) | (~c & a)) + x[i + 3], 19);
        }

        // Round 2: G(x, y, z) = (x & y) | (x & z) | (y & z), constant 0x5A827999, word order 0,4,8,12,1,5,...
        for (int i = 0; i < 4; i++)
        {
            a = BitOperations.RotateLeft(a + ((b & c) | (b & d) | (c & d)) + x[i] + 0x5A827999, 3);
            d = BitOperations.RotateLeft(d + ((a & b) | (a & c) | (b & c)) + x[i + 4] + 0x5A827999, 5);
            c = BitOperations.RotateLeft(c + ((d & a) | (d & b) | (a & b)) + x[i + 8] + 0x5A827999, 9);
            b = BitOperations.RotateLeft(b + ((c & d) | (c & a) | (d & a)) + x[i + 12] + 0x5A827999, 13);
        }

        // Round 3: H(x, y, z) = x ^ y ^ z, constant 0x6ED9EBA1, word order 0,8,4,12,2,10,6,14,1,9,5,13,3,11,7,15.
        ReadOnlySpan<int> order = [0, 2, 1, 3];
        foreach (int i in order)
        {
            a = BitOperations.RotateLeft(a + (b ^ c ^ d) + x[i] + 0x6ED9EBA1, 3);
            d = BitOperations.RotateLeft(d + (a ^ b ^ c) + x[i + 8] + 0x6ED9EBA1, 9);
            c = BitOperations.RotateLeft(c + (d ^ a ^ b) + x[i + 4] + 0x6ED9EBA1, 11);
            b = BitOperations.RotateLeft(b + (c ^ d ^ a) + x[i + 12] + 0x6ED9EBA1, 15);
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        x.Clear();
    }
}
