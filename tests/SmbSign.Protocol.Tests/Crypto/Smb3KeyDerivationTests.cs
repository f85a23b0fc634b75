using System.Text.Json;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Tests.Crypto;

// Source: Microsoft Open Specifications blog, "SMB 2 and SMB 3 security in Windows 10: the anatomy of signing and
// cryptographic keys" (2017), appendix (ms-blog-anatomy-of-signing-2017.json).
public sealed class Smb3KeyDerivationTests
{
    private static readonly JsonElement Blog = TestVectors.Load(TestVectors.Smb2017);

    [Fact]
    public void Derive_Smb300MasterSession_MatchesPublishedKeyTable()
    {
        JsonElement master = Blog.GetProperty("smb300_multichannel").GetProperty("master_session");

        using Smb3SessionKeys keys = Smb3SessionKeys.Derive(Dialect.Smb300, master.Hex("SessionKey"));

        Assert.Equal(master.Text("SigningKey"), Convert.ToHexString(keys.SigningKey));
        Assert.Equal(master.Text("ApplicationKey"), Convert.ToHexString(keys.ApplicationKey));
        Assert.Equal(master.Text("EncryptionKey"), Convert.ToHexString(keys.ClientToServerCipherKey));
        Assert.Equal(master.Text("DecryptionKey"), Convert.ToHexString(keys.ServerToClientCipherKey));
        Assert.Equal(master.Text("EncryptionKey"), Convert.ToHexString(keys.EncryptionKeyFor(Smb2SenderRole.Client)));
        Assert.Equal(master.Text("EncryptionKey"), Convert.ToHexString(keys.DecryptionKeyFor(Smb2SenderRole.Server)));
    }

    [Fact]
    public void DeriveSigningKey_Smb300BindingChannel_MatchesPublishedChannelKey()
    {
        JsonElement channel = Blog.GetProperty("smb300_multichannel").GetProperty("second_channel_binding");

        byte[] key = Smb3KeyDerivation.DeriveSigningKey(Dialect.Smb300, channel.Hex("SessionKey"));

        Assert.Equal(channel.Text("Channel.SigningKey"), Convert.ToHexString(key));
        Assert.Equal(Convert.ToHexString(key), Convert.ToHexString(Smb3KeyDerivation.DeriveSigningKey(Dialect.Smb302, channel.Hex("SessionKey"))));
    }

    [Fact]
    public void DeriveSigningKey_Smb300SessionKeyWithOneBitFlipped_DoesNotMatch()
    {
        JsonElement master = Blog.GetProperty("smb300_multichannel").GetProperty("master_session");

        byte[] key = Smb3KeyDerivation.DeriveSigningKey(Dialect.Smb300, TestVectors.FlipBit(master.Hex("SessionKey"), 17));

        Assert.NotEqual(master.Text("SigningKey"), Convert.ToHexString(key));
    }

    [Theory]
    [InlineData("master_channel", "SigningKey")]
    [InlineData("second_channel_binding", "Channel.SigningKey")]
    public void Derive_Smb311_MatchesPublishedKeys(string channelName, string signingKeyName)
    {
        JsonElement channel = Blog.GetProperty("smb311_multichannel").GetProperty(channelName);

        using Smb3SessionKeys keys = Smb3SessionKeys.Derive(Dialect.Smb311, channel.Hex("SessionKey"), channel.Hex("PreauthIntegrityHashValue"));

        Assert.Equal(channel.Text(signingKeyName), Convert.ToHexString(keys.SigningKey));
        if (channelName == "master_channel")
        {
            // A binding channel copies these from the master session, so only the master's are derived from its own key.
            Assert.Equal(channel.Text("ApplicationKey"), Convert.ToHexString(keys.ApplicationKey));
            Assert.Equal(channel.Text("EncryptionKey"), Convert.ToHexString(keys.ClientToServerCipherKey));
            Assert.Equal(channel.Text("DecryptionKey"), Convert.ToHexString(keys.ServerToClientCipherKey));
        }
    }

    [Fact]
    public void DeriveSigningKey_Smb311PreauthHashWithOneBitFlipped_DoesNotMatch()
    {
        JsonElement master = Blog.GetProperty("smb311_multichannel").GetProperty("master_channel");

        byte[] key = Smb3KeyDerivation.DeriveSigningKey(Dialect.Smb311, master.Hex("SessionKey"), TestVectors.FlipBit(master.Hex("PreauthIntegrityHashValue"), 511));

        Assert.NotEqual(master.Text("SigningKey"), Convert.ToHexString(key));
    }

    [Fact]
    public void DeriveKey_MatchesKdfWrittenOut()
    {
        // SP 800-108 counter mode written out: HMAC-SHA256(Ki, [1]_32 || Label || 0x00 || Context || [128]_32)[0..16].
        byte[] sessionKey = Blog.GetProperty("smb300_multichannel").GetProperty("master_session").Hex("SessionKey");
        byte[] input = [0, 0, 0, 1, .. "SMB2AESCMAC\0"u8, 0, .. "SmbSign\0"u8, 0, 0, 0, 128];
        byte[] expected = System.Security.Cryptography.HMACSHA256.HashData(sessionKey, input)[..16];
        byte[] actual = new byte[16];

        Smb3KeyDerivation.DeriveKey(sessionKey, Smb3KeyDerivation.Smb30SigningLabel, Smb3KeyDerivation.Smb30SigningContext, actual);

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Theory]
    [InlineData(Dialect.Smb202)]
    [InlineData(Dialect.Smb210)]
    public void Derive_Smb2x_UsesSessionKeyItself(Dialect dialect)
    {
        byte[] sessionKey = Convert.FromHexString("00112233445566778899AABBCCDDEEFF0011");

        using Smb3SessionKeys keys = Smb3SessionKeys.Derive(dialect, sessionKey);

        Assert.Equal("00112233445566778899AABBCCDDEEFF", Convert.ToHexString(keys.SigningKey));
        Assert.Equal("00112233445566778899AABBCCDDEEFF", Convert.ToHexString(keys.ApplicationKey));
        Assert.True(keys.ClientToServerCipherKey.IsEmpty);
    }

    /// <summary>[MS-SMB2] 3.2.5.3.1: a Kerberos AES-256 session key is 32 bytes; the SMB session key is its first 16.
    /// A KDF keyed with all 32 bytes gives another signing key (this test fails if Derive stops truncating); the
    /// end-to-end proof is Wire's KerberosSessionTests, whose AES-256 sessions verify Samba's signatures.</summary>
    [Theory]
    [InlineData(Dialect.Smb300)]
    [InlineData(Dialect.Smb311)]
    public void Derive_Aes256KerberosSessionKey_SignsWithFirst16BytesNotTheWholeKey(Dialect dialect)
    {
        byte[] aes256Key = [.. Enumerable.Range(0x40, 32).Select(i => (byte)i)];
        byte[] preauthHash = [.. Enumerable.Range(0, 64).Select(i => (byte)(i * 3))];

        using Smb3SessionKeys keys = Smb3SessionKeys.Derive(dialect, aes256Key, preauthHash);
        using Smb3SessionKeys first16 = Smb3SessionKeys.Derive(dialect, aes256Key.AsSpan(0, 16), preauthHash);
        byte[] wholeKey = Smb3KeyDerivation.Derive(
            aes256Key,
            dialect == Dialect.Smb311 ? Smb3KeyDerivation.Smb311SigningLabel : Smb3KeyDerivation.Smb30SigningLabel,
            dialect == Dialect.Smb311 ? preauthHash : Smb3KeyDerivation.Smb30SigningContext,
            16);

        Assert.Equal(Convert.ToHexString(first16.SigningKey), Convert.ToHexString(keys.SigningKey));
        Assert.NotEqual(Convert.ToHexString(wholeKey), Convert.ToHexString(keys.SigningKey));
    }

    [Fact]
    public void NormalizeSessionKey_ShortKey_IsZeroPadded()
    {
        Assert.Equal("01020300000000000000000000000000", Convert.ToHexString(Smb3SessionKeys.NormalizeSessionKey([1, 2, 3])));
    }

    [Theory]
    [InlineData("no preauth hash", 0)]
    [InlineData("truncated preauth hash", 63)]
    public void Derive_Smb311WithoutFullPreauthHash_Throws(string description, int hashLength)
    {
        Assert.Throws<ArgumentException>(() => Smb3SessionKeys.Derive(Dialect.Smb311, new byte[16], new byte[hashLength]));
        Assert.NotEmpty(description);
    }

    [Fact]
    public void Derive_Aes256CipherKeys_Use32ByteOutputFromFullKey()
    {
        byte[] gssKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        byte[] preauth = new byte[64];
        byte[] expected = new byte[32];
        Smb3KeyDerivation.DeriveKey(gssKey, Smb3KeyDerivation.Smb311ClientToServerLabel, preauth, expected);

        using Smb3SessionKeys keys = Smb3SessionKeys.Derive(Dialect.Smb311, gssKey, preauth, cipherKeyLength: 32);

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(keys.ClientToServerCipherKey));
        Assert.Equal(16, keys.SigningKey.Length);
    }
}
