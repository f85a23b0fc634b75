using System.Security.Cryptography;
using System.Text.Json;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Tests.Crypto;

// Source: RFC 4493 section 4 (rfc4493-aes-cmac.json).
public sealed class AesCmacTests
{
    public static TheoryData<bool> Engines => new() { false, true };

    public static TheoryData<bool, int> Examples()
    {
        var data = new TheoryData<bool, int>();
        int count = TestVectors.Load(TestVectors.Cmac).GetProperty("examples").GetArrayLength();
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
    [MemberData(nameof(Engines))]
    public void Subkeys_Rfc4493_MatchK1AndK2(bool forcePortable)
    {
        JsonElement v = TestVectors.Load(TestVectors.Cmac);
        using var cmac = new AesCmac(v.Hex("key"), forcePortable);
        byte[] k1 = new byte[16], k2 = new byte[16];

        cmac.GetSubkeys(k1, k2);

        Assert.Equal(TestVectors.ToHex(v.Hex("K1")), TestVectors.ToHex(k1));
        Assert.Equal(TestVectors.ToHex(v.Hex("K2")), TestVectors.ToHex(k2));
        byte[] l = new byte[16];
        using Aes aes = Aes.Create();
        aes.Key = v.Hex("key");
        aes.EncryptEcb(new byte[16], l, PaddingMode.None);
        Assert.Equal(TestVectors.ToHex(v.Hex("AES_128(key, 0^128)")), TestVectors.ToHex(l));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Compute_Rfc4493Example_MatchesPublishedMac(bool forcePortable, int index)
    {
        JsonElement v = TestVectors.Load(TestVectors.Cmac);
        JsonElement example = v.GetProperty("examples")[index];
        using var cmac = new AesCmac(v.Hex("key"), forcePortable);
        byte[] mac = new byte[16];

        cmac.Compute(example.Hex("message"), mac);

        Assert.Equal(cmac.IsHardwareAccelerated, !forcePortable && System.Runtime.Intrinsics.X86.Aes.IsSupported);
        Assert.Equal(TestVectors.ToHex(example.Hex("cmac")), TestVectors.ToHex(mac));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Compute_Rfc4493ExampleWithOneBitFlipped_DoesNotMatch(bool forcePortable, int index)
    {
        JsonElement v = TestVectors.Load(TestVectors.Cmac);
        JsonElement example = v.GetProperty("examples")[index];
        byte[] message = example.Hex("message");
        byte[] key = TestVectors.FlipBit(v.Hex("key"), 0);
        using var cmac = new AesCmac(message.Length == 0 ? key : v.Hex("key"), forcePortable);
        byte[] mac = new byte[16];

        cmac.Compute(message.Length == 0 ? message : TestVectors.FlipBit(message, (message.Length * 8) - 1), mac);

        Assert.NotEqual(TestVectors.ToHex(example.Hex("cmac")), TestVectors.ToHex(mac));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Accumulator_SplitAtEveryOffset_EqualsOneShot(bool forcePortable)
    {
        JsonElement v = TestVectors.Load(TestVectors.Cmac);
        byte[] message = v.GetProperty("examples")[3].Hex("message");
        string expected = TestVectors.ToHex(v.GetProperty("examples")[3].Hex("cmac"));
        using var cmac = new AesCmac(v.Hex("key"), forcePortable);

        for (int first = 0; first <= message.Length; first++)
        {
            for (int second = first; second <= message.Length; second += 7)
            {
                AesCmacAccumulator accumulator = cmac.Begin();
                accumulator.Append(message.AsSpan(0, first));
                accumulator.Append(message.AsSpan(first, second - first));
                accumulator.Append(message.AsSpan(second));
                byte[] mac = new byte[16];
                accumulator.Finish(mac);
                Assert.Equal(expected, TestVectors.ToHex(mac));
            }
        }
    }

    [Fact]
    public void Compute_HardwareAndPortable_AgreeOnRandomLengths()
    {
        var random = new Random(4493);
        byte[] key = new byte[16];
        random.NextBytes(key);
        using var hardware = new AesCmac(key);
        using var portable = new AesCmac(key, forcePortable: true);
        foreach (int length in new[] { 0, 1, 15, 16, 17, 31, 32, 33, 48, 64, 65, 1000, 4096, 65536 + 5, (1 << 20) + 16 })
        {
            byte[] message = new byte[length];
            random.NextBytes(message);
            byte[] a = new byte[16], b = new byte[16];

            hardware.Compute(message, a);
            portable.Compute(message, b);

            Assert.True(a.AsSpan().SequenceEqual(b), $"length {length}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(24)]
    [InlineData(32)]
    public void Constructor_KeyNotSixteenBytes_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => new AesCmac(new byte[length]));
    }

    [Fact]
    public void Compute_AfterDispose_Throws()
    {
        var cmac = new AesCmac(new byte[16]);
        cmac.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cmac.Compute([1, 2, 3], new byte[16]));
    }
}
