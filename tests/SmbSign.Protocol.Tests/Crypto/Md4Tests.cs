using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Tests.Crypto;

public sealed class Md4Tests
{
    // Source: RFC 1320 appendix A.5 (test suite).
    [Theory]
    [InlineData("", "31d6cfe0d16ae931b73c59d7e0c089c0")]
    [InlineData("a", "bde52cb31de33e46245e05fbdbd6fb24")]
    [InlineData("abc", "a448017aaf21d8525fc10ae87aa6729d")]
    [InlineData("message digest", "d9130a8164549fe818874806e1c7014b")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "043f8582f241db351ce627e153e7f0e4")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "e33b4ddc9c38f2199c3e7b164fcc0536")]
    public void HashData_Rfc1320Suite_MatchesPublishedDigest(string message, string expected)
    {
        byte[] digest = Md4.HashData(System.Text.Encoding.ASCII.GetBytes(message));

        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Theory]
    [InlineData("abc", "a448017aaf21d8525fc10ae87aa6729d")]
    [InlineData("message digest", "d9130a8164549fe818874806e1c7014b")]
    public void HashData_OneBitFlipped_DoesNotMatch(string message, string expected)
    {
        byte[] digest = Md4.HashData(TestVectors.FlipBit(System.Text.Encoding.ASCII.GetBytes(message), 3));

        Assert.NotEqual(expected, Convert.ToHexStringLower(digest));
    }

    [Theory]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(119)]
    [InlineData(120)]
    public void HashData_PaddingBoundaries_EqualsByteByByteReference(int length)
    {
        // 55/56 and 119/120 bytes are where the length field moves to a second padding block.
        byte[] message = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        byte[] expected = ReferenceMd4(message);

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Md4.HashData(message)));
    }

    [Fact]
    public void HashData_DestinationTooSmall_Throws()
    {
        Assert.Throws<ArgumentException>(() => Md4.HashData([1], new byte[15]));
    }

    /// <summary>RFC 1320 written out literally, step by step (section 3), as an independent reference.</summary>
    private static byte[] ReferenceMd4(byte[] message)
    {
        var padded = new List<byte>(message) { 0x80 };
        while (padded.Count % 64 != 56)
        {
            padded.Add(0);
        }

        padded.AddRange(BitConverter.GetBytes((ulong)message.Length * 8));
        uint a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
        for (int block = 0; block < padded.Count; block += 64)
        {
            uint[] x = new uint[16];
            for (int j = 0; j < 16; j++)
            {
                x[j] = BitConverter.ToUInt32(padded.ToArray(), block + (4 * j));
            }

            uint a = a0, b = b0, c = c0, d = d0;
            static uint F(uint x, uint y, uint z) => (x & y) | (~x & z);
            static uint G(uint x, uint y, uint z) => (x & y) | (x & z) | (y & z);
            static uint H(uint x, uint y, uint z) => x ^ y ^ z;
            static uint Rol(uint v, int s) => (v << s) | (v >> (32 - s));
            int[] r1 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
            int[] r2 = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
            int[] r3 = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
            int[] s1 = [3, 7, 11, 19], s2 = [3, 5, 9, 13], s3 = [3, 9, 11, 15];
            for (int i = 0; i < 16; i++)
            {
                uint t = Rol(a + F(b, c, d) + x[r1[i]], s1[i % 4]);
                (a, b, c, d) = (d, t, b, c);
            }

            for (int i = 0; i < 16; i++)
            {
                uint t = Rol(a + G(b, c, d) + x[r2[i]] + 0x5A827999, s2[i % 4]);
                (a, b, c, d) = (d, t, b, c);
            }

            for (int i = 0; i < 16; i++)
            {
                uint t = Rol(a + H(b, c, d) + x[r3[i]] + 0x6ED9EBA1, s3[i % 4]);
                (a, b, c, d) = (d, t, b, c);
            }

            a0 += a;
            b0 += b;
            c0 += c;
            d0 += d;
        }

        return [.. BitConverter.GetBytes(a0), .. BitConverter.GetBytes(b0), .. BitConverter.GetBytes(c0), .. BitConverter.GetBytes(d0)];
    }
}
