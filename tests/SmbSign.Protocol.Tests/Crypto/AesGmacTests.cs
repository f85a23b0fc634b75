using System.Security.Cryptography;
using System.Text.Json;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Tests.Crypto;

// Source: NIST CAVP gcmEncryptExtIV128.rsp (AAD-only counts 0 and 1) and McGrew & Viega GCM test case 1 (nist-gcm-gmac.json).
public sealed class AesGmacTests
{
    public static TheoryData<bool, int> Vectors()
    {
        var data = new TheoryData<bool, int>();
        int count = TestVectors.Load(TestVectors.Gmac).GetProperty("vectors").GetArrayLength();
        foreach (bool portable in new[] { false, true })
        {
            for (int i = 0; i < count; i++)
            {
                data.Add(portable, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Compute_NistVector_MatchesPublishedTag(bool forcePortable, int index)
    {
        JsonElement v = TestVectors.Load(TestVectors.Gmac).GetProperty("vectors")[index];
        using var gmac = new AesGmac(v.Hex("key"), forcePortable);
        byte[] tag = new byte[16];

        gmac.Compute(v.Hex("iv"), v.Hex("aad"), tag);

        Assert.Equal(TestVectors.ToHex(v.Hex("tag")), TestVectors.ToHex(tag));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Compute_NistVectorWithOneBitFlipped_DoesNotMatch(bool forcePortable, int index)
    {
        JsonElement v = TestVectors.Load(TestVectors.Gmac).GetProperty("vectors")[index];
        byte[] aad = v.Hex("aad");
        using var gmac = new AesGmac(v.Hex("key"), forcePortable);
        byte[] tag = new byte[16];

        // Flip an AAD bit where there is AAD, else a nonce bit.
        gmac.Compute(aad.Length == 0 ? TestVectors.FlipBit(v.Hex("iv"), 95) : v.Hex("iv"), aad.Length == 0 ? aad : TestVectors.FlipBit(aad, 7), tag);

        Assert.NotEqual(TestVectors.ToHex(v.Hex("tag")), TestVectors.ToHex(tag));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Compute_RandomLengths_MatchesPlatformAesGcm(bool forcePortable)
    {
        var random = new Random(38_000 + (forcePortable ? 1 : 0));
        byte[] key = new byte[16], nonce = new byte[12];
        random.NextBytes(key);
        using var gmac = new AesGmac(key, forcePortable);
        using var gcm = new AesGcm(key, 16);
        for (int length = 0; length < 600; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            random.NextBytes(nonce);
            byte[] tag = new byte[16], expected = new byte[16];

            gmac.Compute(nonce, data, tag);
            gcm.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, expected, data);

            Assert.True(expected.AsSpan().SequenceEqual(tag), $"length {length}");
        }
    }

    [Theory]
    [InlineData(false, 64, 48)]
    [InlineData(true, 64, 48)]
    [InlineData(false, 65, 48)]
    [InlineData(true, 65, 48)]
    [InlineData(false, 200, 48)]
    [InlineData(true, 200, 48)]
    [InlineData(false, 16, 0)]
    [InlineData(true, 16, 0)]
    [InlineData(false, 4099, 4080)]
    [InlineData(true, 4099, 4080)]
    [InlineData(false, (1 << 20) + 3, 48)]
    [InlineData(true, (1 << 20) + 3, 48)]
    public void ComputeWithZeroedBlock_EqualsTagOfZeroedCopy_AndLeavesDataAlone(bool forcePortable, int length, int zeroedOffset)
    {
        var random = new Random(length);
        byte[] key = new byte[16], nonce = new byte[12], data = new byte[length];
        random.NextBytes(key);
        random.NextBytes(nonce);
        random.NextBytes(data);
        byte[] original = data.ToArray();
        using var gmac = new AesGmac(key, forcePortable);
        using var gcm = new AesGcm(key, 16);
        byte[] zeroed = data.ToArray();
        zeroed.AsSpan(zeroedOffset, 16).Clear();
        byte[] expected = new byte[16], tag = new byte[16];
        gcm.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, expected, zeroed);

        gmac.ComputeWithZeroedBlock(nonce, data, zeroedOffset, tag);

        Assert.Equal(TestVectors.ToHex(expected), TestVectors.ToHex(tag));
        Assert.True(original.AsSpan().SequenceEqual(data));
    }

    [Theory]
    [InlineData("negative", 64, -16)]
    [InlineData("not a multiple of 16", 64, 40)]
    [InlineData("block runs past the end", 64, 64)]
    [InlineData("partial block at the end", 60, 48)]
    public void ComputeWithZeroedBlock_BadOffset_Throws(string description, int length, int offset)
    {
        using var gmac = new AesGmac(new byte[16]);

        Assert.Throws<ArgumentOutOfRangeException>(() => gmac.ComputeWithZeroedBlock(new byte[12], new byte[length], offset, new byte[16]));
        Assert.NotEmpty(description);
    }

    [Fact]
    public void Compute_NonceNotTwelveBytes_Throws()
    {
        using var gmac = new AesGmac(new byte[16]);

        Assert.Throws<ArgumentException>(() => gmac.Compute(new byte[16], [1], new byte[16]));
    }
}
