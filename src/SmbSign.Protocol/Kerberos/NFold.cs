namespace SmbSign.Protocol.Kerberos;

/// <summary>The n-fold operation of RFC 3961 §5.1: stretches or shrinks a string to n bits by concatenating copies of
/// it, each rotated right by 13 bits more than the previous, up to the least common multiple of both lengths, and adding
/// the n-bit blocks with one's-complement (end-around carry) addition. Only used on short constants (usage numbers,
/// "kerberos"), so it is written bit by bit, as the RFC describes it, rather than fast.</summary>
public static class NFold
{
    private const int MaxInputBytes = 1024;

    /// <summary>n-fold of <paramref name="input"/> into <paramref name="output"/> (n = 8 · output length).</summary>
    public static void Fold(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.IsEmpty || output.IsEmpty || input.Length > MaxInputBytes || output.Length > MaxInputBytes)
        {
            throw new ArgumentException($"n-fold needs an input and output of 1..{MaxInputBytes} bytes.");
        }

        int inBits = input.Length * 8;
        int lcmBytes = output.Length / Gcd(input.Length, output.Length) * input.Length;
        int copies = lcmBytes / input.Length;
        byte[] rotated = new byte[input.Length];
        output.Clear();
        Span<byte> block = stackalloc byte[output.Length];
        int filled = 0;
        for (int copy = 0; copy < copies; copy++)
        {
            // Copy number c is the input rotated right by 13·c bits (RFC 3961 §5.1).
            int shift = (int)((13L * copy) % inBits);
            for (int bit = 0; bit < inBits; bit++)
            {
                int source = (bit - shift + inBits) % inBits;
                int value = (input[source >> 3] >> (7 - (source & 7))) & 1;
                if (bit % 8 == 0)
                {
                    rotated[bit >> 3] = 0;
                }

                rotated[bit >> 3] |= (byte)(value << (7 - (bit & 7)));
            }

            foreach (byte b in rotated)
            {
                block[filled++] = b;
                if (filled == output.Length)
                {
                    OnesComplementAdd(output, block);
                    filled = 0;
                }
            }
        }
    }

    public static byte[] Fold(ReadOnlySpan<byte> input, int outputBytes)
    {
        byte[] output = new byte[outputBytes];
        Fold(input, output);
        return output;
    }

    /// <summary>accumulator += addend, big-endian, with the carry out of the top byte added back at the bottom.</summary>
    private static void OnesComplementAdd(Span<byte> accumulator, ReadOnlySpan<byte> addend)
    {
        int carry = 0;
        for (int i = accumulator.Length - 1; i >= 0; i--)
        {
            carry += accumulator[i] + addend[i];
            accumulator[i] = (byte)carry;
            carry >>= 8;
        }

        while (carry != 0)
        {
            for (int i = accumulator.Length - 1; i >= 0 && carry != 0; i--)
            {
                carry += accumulator[i];
                accumulator[i] = (byte)carry;
                carry >>= 8;
            }
        }
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
