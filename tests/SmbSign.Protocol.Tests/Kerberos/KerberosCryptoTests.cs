using Text = System.Text;
using SmbSign.Protocol.Kerberos;

namespace SmbSign.Protocol.Tests.Kerberos;

public sealed class KerberosCryptoTests
{
    // RFC 3961 Appendix A.1 (n-fold), all seven published rows.
    [Theory]
    [InlineData("012345", 64, "be072631276b1955")]
    [InlineData("password", 56, "78a07b6caf85fa")]
    [InlineData("Rough Consensus, and Running Code", 64, "bb6ed30870b7f0e0")]
    [InlineData("password", 168, "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e")]
    [InlineData("MASSACHVSETTS INSTITVTE OF TECHNOLOGY", 192, "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b")]
    [InlineData("Q", 168, "518a54a215a8452a518a54a215a8452a518a54a215")]
    [InlineData("ba", 168, "fb25d531ae8974499f52fd92ea9857c4ba24cf297e")]
    // RFC 3961 A.1 also lists the "kerberos" folds used by string-to-key.
    [InlineData("kerberos", 64, "6b65726265726f73")]
    [InlineData("kerberos", 128, "6b65726265726f737b9b5b2b93132b93")]
    [InlineData("kerberos", 168, "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4")]
    [InlineData("kerberos", 256, "6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4")]
    public void Fold_Rfc3961AppendixA1_MatchesPublishedBytes(string input, int bits, string expected)
    {
        Assert.Equal(expected, Convert.ToHexStringLower(NFold.Fold(Text.Encoding.ASCII.GetBytes(input), bits / 8)));
    }

    // RFC 3962 Appendix B: AES-128 key "chicken teriyaki", IV zero, CBC-CTS (last two blocks swapped).
    [Theory]
    [InlineData("4920776f756c64206c696b652074686520", "c6353568f2bf8cb4d8a580362da7ff7f97")]
    [InlineData("4920776f756c64206c696b65207468652047656e6572616c20476175277320", "fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5")]
    [InlineData("4920776f756c64206c696b65207468652047656e6572616c2047617527732043", "39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584")]
    [InlineData("4920776f756c64206c696b65207468652047656e6572616c20476175277320436869636b656e2c20706c656173652c", "97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5")]
    [InlineData("4920776f756c64206c696b65207468652047656e6572616c20476175277320436869636b656e2c20706c656173652c20", "97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8")]
    [InlineData("4920776f756c64206c696b65207468652047656e6572616c20476175277320436869636b656e2c20706c656173652c20616e6420776f6e746f6e20736f75702e", "97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8")]
    public void Cts_Rfc3962AppendixB_EncryptsAndDecrypts(string plainHex, string cipherHex)
    {
        byte[] key = "chicken teriyaki"u8.ToArray();

        Assert.Equal(cipherHex, Convert.ToHexStringLower(KerberosCrypto.CtsEncrypt(key, Convert.FromHexString(plainHex))));
        Assert.Equal(plainHex, Convert.ToHexStringLower(KerberosCrypto.CtsDecrypt(key, Convert.FromHexString(cipherHex))));
    }

    // RFC 3962 Appendix B string-to-key rows: PBKDF2-HMAC-SHA1 then DK(tkey, "kerberos"), which exercises the DK
    // derivation (n-fold + chained AES) that every key usage relies on.
    [Theory]
    [InlineData(1, "password", "ATHENA.MIT.EDUraeburn", "42263c6e89f4fc28b8df68ee09799f15")]
    [InlineData(1, "password", "ATHENA.MIT.EDUraeburn", "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161")]
    [InlineData(2, "password", "ATHENA.MIT.EDUraeburn", "c651bf29e2300ac27fa469d693bdda13")]
    [InlineData(2, "password", "ATHENA.MIT.EDUraeburn", "a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff")]
    [InlineData(1200, "password", "ATHENA.MIT.EDUraeburn", "4c01cd46d632d01e6dbe230a01ed642a")]
    [InlineData(1200, "password", "ATHENA.MIT.EDUraeburn", "55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a")]
    [InlineData(1200, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "pass phrase equals block size", "59d1bb789a828b1aa54ef9c2883f69ed")]
    [InlineData(1200, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "pass phrase exceeds block size", "cb8005dc5f90179a7f02104c0018751d")]
    public void AesStringToKey_Rfc3962AppendixB_MatchesPublishedKeys(int iterations, string password, string salt, string expected)
    {
        byte[] key = KerberosCrypto.AesStringToKey(Text.Encoding.UTF8.GetBytes(password), Text.Encoding.UTF8.GetBytes(salt), iterations, expected.Length / 2);

        Assert.Equal(expected, Convert.ToHexStringLower(key));
    }

    [Fact]
    public void AesStringToKey_Rfc3962AppendixB_BinarySalt()
    {
        byte[] salt = Convert.FromHexString("1234567878563412");

        Assert.Equal("e9b23d52273747dd5c35cb55be619d8e", Convert.ToHexStringLower(KerberosCrypto.AesStringToKey("password"u8, salt, 5, 16)));
        Assert.Equal("97a4e786be20d81a382d5ebc96d5909cabcdadc87ca48f574504159f16c36e31", Convert.ToHexStringLower(KerberosCrypto.AesStringToKey("password"u8, salt, 5, 32)));
    }

    [Theory]
    [InlineData(17, 16)]
    [InlineData(18, 32)]
    [InlineData(23, 16)]
    public void Decrypt_OwnEncryption_RoundTripsAtEveryLength(int etype, int keyLength)
    {
        byte[] key = Enumerable.Range(1, keyLength).Select(i => (byte)(i * 7)).ToArray();
        byte[] confounder = new byte[etype == 23 ? 8 : 16];
        for (int length = 0; length < 70; length++)
        {
            byte[] plain = Enumerable.Range(0, length).Select(i => (byte)(i ^ length)).ToArray();
            byte[] cipher = KerberosCrypto.Encrypt(etype, key, 2, plain, confounder);

            Assert.True(KerberosCrypto.TryDecrypt(etype, key, 2, cipher, out byte[] back));
            Assert.Equal(plain, back);
        }
    }

    /// <summary>A wrong checksum must never give plaintext: every single-bit change of the ciphertext, the wrong
    /// key usage and a wrong key are all rejected.</summary>
    [Theory]
    [InlineData(17, 16)]
    [InlineData(18, 32)]
    [InlineData(23, 16)]
    public void TryDecrypt_AnyAlteration_IsRejected(int etype, int keyLength)
    {
        byte[] key = Enumerable.Range(1, keyLength).Select(i => (byte)i).ToArray();
        byte[] cipher = KerberosCrypto.Encrypt(etype, key, 11, "authenticator bytes, 35 of them...."u8, new byte[etype == 23 ? 8 : 16]);
        for (int i = 0; i < cipher.Length; i++)
        {
            byte[] altered = (byte[])cipher.Clone();
            altered[i] ^= 0x01;

            Assert.False(KerberosCrypto.TryDecrypt(etype, key, 11, altered, out byte[] plain));
            Assert.Empty(plain);
        }

        Assert.False(KerberosCrypto.TryDecrypt(etype, key, 12, cipher, out _));
        key[0] ^= 0x80;
        Assert.False(KerberosCrypto.TryDecrypt(etype, key, 11, cipher, out _));
        Assert.False(KerberosCrypto.TryDecrypt(etype, key, 11, cipher.AsSpan(0, 20), out _));
    }

    /// <summary>RFC 4757 §4 with an independent computation of each step from the BCL (HMAC-MD5) and the RFC 6229-tested
    /// RC4: K1 = HMAC(K, usage LE), checksum = HMAC(K1, confounder|data), K3 = HMAC(K1, checksum).</summary>
    [Fact]
    public void Rc4Hmac_FollowsRfc4757Section4()
    {
        byte[] key = Convert.FromHexString("8846f7eaee8fb117ad06bdd830b7586c"); // NT hash of "password"
        byte[] confounder = Convert.FromHexString("0102030405060708");
        byte[] data = "ticket"u8.ToArray();
#pragma warning disable CA5351 // RC4-HMAC is defined with HMAC-MD5
        byte[] k1 = System.Security.Cryptography.HMACMD5.HashData(key, (byte[])[2, 0, 0, 0]);
        byte[] checksum = System.Security.Cryptography.HMACMD5.HashData(k1, (byte[])[.. confounder, .. data]);
        byte[] k3 = System.Security.Cryptography.HMACMD5.HashData(k1, checksum);
#pragma warning restore CA5351
        byte[] expected = [.. checksum, .. SmbSign.Protocol.Crypto.Rc4.Apply(k3, [.. confounder, .. data])];

        Assert.Equal(expected, KerberosCrypto.Encrypt(23, key, 2, data, confounder));
    }
}
