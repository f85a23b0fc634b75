using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Tests.Crypto;

public sealed class Rc4Tests
{
    // Source: RFC 6229 section 2 (keystream = encryption of zero bytes at the given offset); the rows were also
    // reproduced with OpenSSL's legacy-provider RC4 on this machine.
    [Theory]
    [InlineData("0102030405", 0, "b2396305f03dc027ccc3524a0a1118a8")]
    [InlineData("0102030405", 16, "6982944f18fc82d589c403a47a0d0919")]
    [InlineData("0102030405", 240, "28cb1132c96ce286421dcaadb8b69eae")]
    [InlineData("0102030405", 256, "1cfcf62b03eddb641d77dfcf7f8d8c93")]
    [InlineData("01020304050607", 0, "293f02d47f37c9b633f2af5285feb46b")]
    [InlineData("0102030405060708", 0, "97ab8a1bf0afb96132f2f67258da15a8")]
    [InlineData("0102030405060708090a", 0, "ede3b04643e586cc907dc21851709902")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 0, "9ac7cc9a609d1ef7b2932899cde41b97")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 16, "5248c4959014126a6e8a84f11d1a9e1c")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 240, "065902e4b620f6cc36c8589f66432f2b")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 256, "d39d566bc6bce3010768151549f3873f")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 1520, "b40110c4190b5622a96116b0017ed297")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 1536, "ffa0b514647ec04f6306b892ae661181")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 4080, "ff38265c1642c1abe8d3c2fe5e572bf8")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 4096, "a36a4c301ae8ac13610ccbc12256cacc")]
    public void Transform_Rfc6229Keystream_MatchesPublishedBytes(string keyHex, int offset, string expected)
    {
        byte[] keystream = Rc4.Apply(Convert.FromHexString(keyHex), new byte[offset + 16]);

        Assert.Equal(expected, Convert.ToHexStringLower(keystream.AsSpan(offset)));
    }

    [Theory]
    [InlineData("0102030405", "b2396305f03dc027ccc3524a0a1118a8")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", "9ac7cc9a609d1ef7b2932899cde41b97")]
    public void Transform_KeyWithOneBitFlipped_DoesNotMatch(string keyHex, string expected)
    {
        byte[] keystream = Rc4.Apply(TestVectors.FlipBit(Convert.FromHexString(keyHex), 0), new byte[16]);

        Assert.NotEqual(expected, Convert.ToHexStringLower(keystream));
    }

    [Fact]
    public void Transform_PiecewiseCalls_ContinueOneKeystream()
    {
        byte[] key = Convert.FromHexString("0102030405060708090a0b0c0d0e0f10");
        byte[] whole = Rc4.Apply(key, new byte[4112]);
        using var rc4 = new Rc4(key);
        byte[] pieces = new byte[4112];

        int offset = 0;
        foreach (int size in new[] { 1, 15, 240, 1264, 2592 })
        {
            rc4.Transform(new byte[size], pieces.AsSpan(offset, size));
            offset += size;
        }

        rc4.Transform(new byte[4112 - offset], pieces.AsSpan(offset));
        Assert.Equal(Convert.ToHexString(whole), Convert.ToHexString(pieces));
    }

    [Fact]
    public void Apply_Twice_RestoresPlaintext()
    {
        byte[] key = [1, 2, 3];
        byte[] plaintext = "NTLM session key"u8.ToArray();

        Assert.Equal(plaintext, Rc4.Apply(key, Rc4.Apply(key, plaintext)));
    }

    [Fact]
    public void Constructor_EmptyKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Rc4([]));
    }
}
