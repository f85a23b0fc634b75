using System.Runtime.Intrinsics;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Tests.Crypto;

public sealed class GhashTests
{
    // H = AES(0^128, 0^128) from McGrew & Viega, GCM specification, test case 2.
    [Fact]
    public void MultiplyPortable_IdentityElement_ReturnsOperand()
    {
        byte[] one = new byte[16];
        one[0] = 0x80; // the polynomial 1 in GCM's reflected bit order
        byte[] x = Convert.FromHexString("66E94BD4EF8A2C3B884CFA59CA342B2E");
        byte[] result = new byte[16];

        Ghash.MultiplyPortable(x, one, result);

        Assert.Equal(TestVectors.ToHex(x), TestVectors.ToHex(result));
    }

    [Fact]
    public void Multiply_Pclmulqdq_AgreesWithBitSerialReference()
    {
        Assert.True(Ghash.IsSupported || !System.Runtime.Intrinsics.X86.X86Base.IsSupported, "x86-64 machines running these tests have PCLMULQDQ");
        if (!Ghash.IsSupported)
        {
            return;
        }

        var random = new Random(128);
        byte[] a = new byte[16], b = new byte[16], expected = new byte[16];
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(a);
            random.NextBytes(b);
            Ghash.MultiplyPortable(a, b, expected);

            Vector128<byte> product = Ghash.Unreflect(Ghash.Multiply(Ghash.Reflect(Vector128.Create(a)), Ghash.Reflect(Vector128.Create(b))));

            Assert.Equal(TestVectors.ToHex(expected), TestVectors.ToHex(ToArray(product)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(65534)]
    public void PowerPortable_EqualsRepeatedMultiplication(long exponent)
    {
        byte[] h = Convert.FromHexString("66E94BD4EF8A2C3B884CFA59CA342B2E");
        byte[] expected = h.ToArray();
        for (long i = 1; i < exponent; i++)
        {
            Ghash.MultiplyPortable(expected, h, expected);
        }

        (ulong hi, ulong lo) = Ghash.PowerPortable(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(h),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(h.AsSpan(8)),
            exponent);

        byte[] actual = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(actual, hi);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(actual.AsSpan(8), lo);
        Assert.Equal(TestVectors.ToHex(expected), TestVectors.ToHex(actual));
    }

    private static byte[] ToArray(Vector128<byte> value)
    {
        byte[] bytes = new byte[16];
        value.CopyTo(bytes);
        return bytes;
    }
}
