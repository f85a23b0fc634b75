using System.Security.Cryptography;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Tests.Crypto;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "Cross-checks the NTLM-only DES against the platform's.")]
public sealed class DesTests
{
    // Sources: the classic FIPS 46 worked example (J. Orlin Grabbe, "The DES Algorithm Illustrated"); the weak-key row
    // was produced with OpenSSL (`openssl enc -des-ecb -provider legacy`) on this machine.
    [Theory]
    [InlineData("133457799BBCDFF1", "0123456789ABCDEF", "85E813540F0AB405")]
    [InlineData("0101010101010101", "0000000000000000", "8CA64DE9C1B123A7")]
    public void EncryptBlock_KnownAnswer_Matches(string key, string plaintext, string expected)
    {
        byte[] output = new byte[8];

        Des.EncryptBlock(Convert.FromHexString(key), Convert.FromHexString(plaintext), output);

        Assert.Equal(expected, Convert.ToHexString(output));
    }

    [Fact]
    public void EncryptBlock_KnownAnswerWithOneBitFlipped_DoesNotMatch()
    {
        byte[] output = new byte[8];

        Des.EncryptBlock(Convert.FromHexString("133457799BBCDFF1"), TestVectors.FlipBit(Convert.FromHexString("0123456789ABCDEF"), 9), output);

        Assert.NotEqual("85E813540F0AB405", Convert.ToHexString(output));
    }

    [Fact]
    public void EncryptBlock_RandomKeys_MatchesPlatformDes()
    {
        var random = new Random(46);
        using DES des = DES.Create();
        int compared = 0;
        while (compared < 200)
        {
            byte[] key = new byte[8], block = new byte[8], ours = new byte[8];
            random.NextBytes(key);
            random.NextBytes(block);
            if (DES.IsWeakKey(key) || DES.IsSemiWeakKey(key))
            {
                continue;
            }

            des.Key = key;
            byte[] expected = des.EncryptEcb(block, PaddingMode.None);
            Des.EncryptBlock(key, block, ours);

            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(ours));
            compared++;
        }
    }

    [Fact]
    public void ExpandKey56_SpreadsSevenBitsPerByte()
    {
        byte[] key8 = new byte[8];

        Des.ExpandKey56(Convert.FromHexString("FFFFFFFFFFFFFF"), key8);
        Assert.All(key8, b => Assert.Equal(0xFE, b & 0xFE));

        Des.ExpandKey56(Convert.FromHexString("80000000000000"), key8);
        Assert.Equal(0x80, key8[0]);
        Assert.All(key8[1..], b => Assert.Equal(0, b & 0xFE));
    }
}
