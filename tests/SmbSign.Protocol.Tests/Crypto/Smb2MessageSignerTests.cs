using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Smb2;

namespace SmbSign.Protocol.Tests.Crypto;

public sealed class Smb2MessageSignerTests
{
    public static TheoryData<SigningAlgorithm, bool> AlgorithmsAndEngines => new()
    {
        { SigningAlgorithm.HmacSha256, false },
        { SigningAlgorithm.AesCmac, false },
        { SigningAlgorithm.AesCmac, true },
        { SigningAlgorithm.AesGmac, false },
        { SigningAlgorithm.AesGmac, true },
    };

    public static TheoryData<int> PublishedSignatures()
    {
        var data = new TheoryData<int>();
        int count = TestVectors.Load(TestVectors.Smb2017).GetProperty("smb311_multichannel").GetProperty("signatures").GetArrayLength();
        for (int i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    // Source: the five AES-128-CMAC signatures of the 2017 Microsoft Open Specifications blog trace.
    [Theory]
    [MemberData(nameof(PublishedSignatures))]
    public void Verify_PublishedCmacSignature_Succeeds_AndSignReproducesIt(int index)
    {
        JsonElement v = SignatureVector(index);
        byte[] message = v.Hex("message_hex");
        foreach (bool portable in new[] { false, true })
        {
            using var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, v.Hex("key"), portable);
            byte[] resigned = message.ToArray();
            resigned.AsSpan(48, 16).Fill(0xAA);

            Assert.True(signer.Verify(message));
            signer.Sign(resigned);

            Assert.Equal(v.Text("expected_signature"), Convert.ToHexString(resigned.AsSpan(48, 16)));
            Assert.Equal(Convert.ToHexString(message), Convert.ToHexString(resigned));
        }
    }

    [Theory]
    [MemberData(nameof(PublishedSignatures))]
    public void Verify_PublishedCmacSignatureWithOneBitFlipped_Fails(int index)
    {
        JsonElement v = SignatureVector(index);
        byte[] message = v.Hex("message_hex");
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, v.Hex("key"));

        Assert.False(signer.Verify(TestVectors.FlipBit(message, (message.Length * 8) - 1)), "last body bit");
        Assert.False(signer.Verify(TestVectors.FlipBit(message, 8 * 24)), "MessageId bit");
        Assert.False(signer.Verify(TestVectors.FlipBit(message, (8 * 48) + 3)), "signature bit");
        Assert.False(signer.Verify(TestVectors.FlipBit(message, 8 * 16)), "SERVER_TO_REDIR flag");
        using var wrongKey = new Smb2MessageSigner(SigningAlgorithm.AesCmac, TestVectors.FlipBit(v.Hex("key"), 0));
        Assert.False(wrongKey.Verify(message), "key bit");
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void Sign_MatchesIndependentComputation(SigningAlgorithm algorithm, bool forcePortable)
    {
        var random = new Random((int)algorithm + 100);
        byte[] key = RandomNumberGenerator.GetBytes(16);
        using var signer = new Smb2MessageSigner(algorithm, key, forcePortable);
        foreach (int length in new[] { 64, 65, 100, 128, 4096 + 3 })
        {
            byte[] message = Smb2TestMessages.Create(random, length, flags: length % 2 == 0 ? Smb2Flags.ServerToRedir : Smb2Flags.None);

            signer.Sign(message);

            Assert.True(Smb2Signing.IsSigned(message));
            byte[] zeroed = message.ToArray();
            zeroed.AsSpan(48, 16).Clear();
            Assert.Equal(Convert.ToHexString(ReferenceMac(algorithm, key, zeroed)), Convert.ToHexString(message.AsSpan(48, 16)));
            Assert.True(signer.Verify(message));
        }
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void Verify_AnyBitFlipped_Fails(SigningAlgorithm algorithm, bool forcePortable)
    {
        var random = new Random(5);
        using var signer = new Smb2MessageSigner(algorithm, RandomNumberGenerator.GetBytes(16), forcePortable);
        byte[] message = Smb2TestMessages.Create(random, 150);
        signer.Sign(message);

        for (int bit = 0; bit < message.Length * 8; bit += 13)
        {
            Assert.False(signer.Verify(TestVectors.FlipBit(message, bit)), $"bit {bit}");
        }

        Assert.True(signer.Verify(message));
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void Verify_NeverModifiesTheCallersBuffer(SigningAlgorithm algorithm, bool forcePortable)
    {
        var random = new Random(9);
        using var signer = new Smb2MessageSigner(algorithm, RandomNumberGenerator.GetBytes(16), forcePortable);
        foreach (int length in new[] { 64, 200, 1 << 20 })
        {
            byte[] message = Smb2TestMessages.Create(random, length);
            signer.Sign(message);
            byte[] tampered = TestVectors.FlipBit(message, (length * 8) - 1);
            byte[] messageBefore = message.ToArray();
            byte[] tamperedBefore = tampered.ToArray();
            byte[] signature = new byte[16];

            Assert.True(signer.Verify(message));
            Assert.False(signer.Verify(tampered));
            signer.ComputeSignature(message, signature);

            Assert.True(messageBefore.AsSpan().SequenceEqual(message), $"Verify modified a {length}-byte message");
            Assert.True(tamperedBefore.AsSpan().SequenceEqual(tampered), $"Verify modified a tampered {length}-byte message");
            Assert.Equal(Convert.ToHexString(message.AsSpan(48, 16)), Convert.ToHexString(signature));
        }
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void Verify_UnsignedOrMalformed_ReturnsFalse(SigningAlgorithm algorithm, bool forcePortable)
    {
        var random = new Random(11);
        using var signer = new Smb2MessageSigner(algorithm, RandomNumberGenerator.GetBytes(16), forcePortable);
        byte[] message = Smb2TestMessages.Create(random, 100);
        signer.Sign(message);
        byte[] unsigned = message.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(unsigned.AsSpan(16), 0);
        byte[] smb1 = message.ToArray();
        smb1[0] = 0xFF;

        Assert.False(signer.Verify(unsigned), "SIGNED flag clear");
        Assert.False(signer.Verify(message.AsSpan(0, 63)), "shorter than a header");
        Assert.False(signer.Verify([]), "empty");
        Assert.False(signer.Verify(smb1), "not FE 'SMB'");
    }

    [Fact]
    public void Sign_SetsSignedFlagAndOverwritesOldSignature()
    {
        var random = new Random(12);
        byte[] message = Smb2TestMessages.Create(random, 80, flags: Smb2Flags.ServerToRedir);
        message.AsSpan(48, 16).Fill(0xEE);
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, new byte[16]);

        signer.Sign(message);

        Assert.Equal((uint)(Smb2Flags.ServerToRedir | Smb2Flags.Signed), BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(16)));
        Assert.True(signer.Verify(message));
    }

    [Theory]
    [InlineData(Smb2Command.Read, Smb2Flags.None, Smb2SenderRole.FromFlags, "2A000000000000F000000000")]
    [InlineData(Smb2Command.Read, Smb2Flags.ServerToRedir, Smb2SenderRole.FromFlags, "2A000000000000F001000000")]
    [InlineData(Smb2Command.Cancel, Smb2Flags.None, Smb2SenderRole.FromFlags, "2A000000000000F002000000")]
    [InlineData(Smb2Command.Cancel, Smb2Flags.AsyncCommand, Smb2SenderRole.FromFlags, "2A000000000000F002000000")]
    [InlineData(Smb2Command.Read, Smb2Flags.None, Smb2SenderRole.Server, "2A000000000000F001000000")]
    [InlineData(Smb2Command.Read, Smb2Flags.ServerToRedir, Smb2SenderRole.Client, "2A000000000000F000000000")]
    public void WriteGmacNonce_MessageIdRoleAndCancelBits(Smb2Command command, Smb2Flags flags, Smb2SenderRole role, string expected)
    {
        // [MS-SMB2] 3.1.4.1 / protocol.md §4: MessageId (LE u64) || LE u32 {bit 0: server, bit 1: CANCEL}.
        byte[] message = Smb2TestMessages.Create(new Random(1), 64, command, flags, messageId: 0xF00000000000002A);
        byte[] nonce = new byte[12];

        Smb2Signing.WriteGmacNonce(message, nonce, role);

        Assert.Equal(expected, Convert.ToHexString(nonce));
    }

    [Fact]
    public void WriteGmacNonce_PublishedExample_FinalSessionSetupResponse()
    {
        // protocol.md §4: final SESSION_SETUP response of the 2017 trace, MessageId 3, sent by the server.
        byte[] message = SignatureVector(0).Hex("message_hex");
        byte[] nonce = new byte[12];

        Smb2Signing.WriteGmacNonce(message, nonce);

        Assert.Equal("030000000000000001000000", Convert.ToHexString(nonce));
    }

    [Fact]
    public void Gmac_RequestAndResponseWithSameMessageId_GetDifferentSignatures()
    {
        // The role bit keeps (key, nonce) unique between a request and its response, which GCM requires.
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] request = Smb2TestMessages.Create(new Random(3), 96, messageId: 9);
        byte[] response = request.ToArray();
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesGmac, key);

        signer.Sign(request, Smb2SenderRole.Client);
        signer.Sign(response, Smb2SenderRole.Server);

        Assert.NotEqual(Convert.ToHexString(request.AsSpan(48, 16)), Convert.ToHexString(response.AsSpan(48, 16)));
        Assert.True(signer.Verify(response, Smb2SenderRole.Server));
        Assert.False(signer.Verify(response, Smb2SenderRole.Client));
        Assert.False(signer.Verify(response), "flags say client, so FromFlags must not accept the server nonce");
    }

    [Fact]
    public void Gmac_SignatureEqualsAesGcmTagWithSmbNonce()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] message = Smb2TestMessages.Create(new Random(4), 333, Smb2Command.Cancel, Smb2Flags.ServerToRedir, messageId: 0x0102030405060708);
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesGmac, key);

        signer.Sign(message);

        byte[] zeroed = message.ToArray();
        zeroed.AsSpan(48, 16).Clear();
        byte[] nonce = Convert.FromHexString("080706050403020103000000");
        byte[] tag = new byte[16];
        using var gcm = new AesGcm(key, 16);
        gcm.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, tag, zeroed);
        Assert.Equal(Convert.ToHexString(tag), Convert.ToHexString(message.AsSpan(48, 16)));
    }

    [Fact]
    public void Hmac_SignatureIsFirstSixteenBytesOfHmacSha256()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] message = Smb2TestMessages.Create(new Random(6), 120);
        using var signer = new Smb2MessageSigner(SigningAlgorithm.HmacSha256, key);

        signer.Sign(message);

        byte[] zeroed = message.ToArray();
        zeroed.AsSpan(48, 16).Clear();
        Assert.Equal(Convert.ToHexString(HMACSHA256.HashData(key, zeroed).AsSpan(0, 16)), Convert.ToHexString(message.AsSpan(48, 16)));
    }

    [Fact]
    public void StaticHelpers_AgreeWithSigner()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] message = Smb2TestMessages.Create(new Random(7), 77);
        byte[] signature = new byte[16];

        Smb2Signing.Sign(SigningAlgorithm.AesGmac, key, message);
        Smb2Signing.ComputeSignature(SigningAlgorithm.AesGmac, key, message, signature);

        Assert.True(Smb2Signing.Verify(SigningAlgorithm.AesGmac, key, message));
        Assert.Equal(Convert.ToHexString(message.AsSpan(48, 16)), Convert.ToHexString(signature));
    }

    [Theory]
    [InlineData("MD5 is SMB1", SigningAlgorithm.Md5Smb1, 16)]
    [InlineData("CMAC key too short", SigningAlgorithm.AesCmac, 15)]
    [InlineData("GMAC key too long", SigningAlgorithm.AesGmac, 32)]
    [InlineData("HMAC empty key", SigningAlgorithm.HmacSha256, 0)]
    public void Constructor_BadAlgorithmOrKey_Throws(string description, SigningAlgorithm algorithm, int keyLength)
    {
        Assert.Throws<ArgumentException>(() => new Smb2MessageSigner(algorithm, new byte[keyLength]));
        Assert.NotEmpty(description);
    }

    [Theory]
    [InlineData("too short", "FE534D42")]
    [InlineData("SMB1 header", "FF534D424000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public void Sign_NotAnSmb2Message_ThrowsArgumentException(string description, string hex)
    {
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, new byte[16]);

        ArgumentException e = Assert.Throws<ArgumentException>(() => signer.Sign(Convert.FromHexString(hex)));
        Assert.Contains("SMB2", e.Message, StringComparison.Ordinal);
        Assert.NotEmpty(description);
    }

    [Fact]
    public void Sign_AfterDispose_Throws()
    {
        var signer = new Smb2MessageSigner(SigningAlgorithm.AesGmac, new byte[16]);
        signer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => signer.Sign(new byte[64] { 0xFE, 0x53, 0x4D, 0x42, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }));
    }

    [Theory]
    [InlineData(SigningAlgorithm.HmacSha256)]
    [InlineData(SigningAlgorithm.AesCmac)]
    [InlineData(SigningAlgorithm.AesGmac)]
    public void SignAndVerify_AfterWarmUp_AllocateNothing(SigningAlgorithm algorithm)
    {
        using var signer = new Smb2MessageSigner(algorithm, RandomNumberGenerator.GetBytes(16));
        byte[] small = Smb2TestMessages.Create(new Random(1), 128);
        byte[] large = Smb2TestMessages.Create(new Random(2), 1 << 20);
        byte[] signature = new byte[16];
        for (int i = 0; i < 50; i++)
        {
            signer.Sign(small);
            signer.Verify(small);
            signer.Sign(large);
            signer.Verify(large);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            signer.Sign(small);
            Assert.True(signer.Verify(small));
            signer.Sign(large);
            Assert.True(signer.Verify(large));
            signer.ComputeSignature(large, signature);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Verify_ConcurrentCallers_AllSucceed()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        foreach (SigningAlgorithm algorithm in new[] { SigningAlgorithm.HmacSha256, SigningAlgorithm.AesCmac, SigningAlgorithm.AesGmac })
        {
            using var signer = new Smb2MessageSigner(algorithm, key);
            byte[][] messages = [.. Enumerable.Range(0, 64).Select(i => Smb2TestMessages.Create(new Random(i), 64 + (i * 37)))];
            foreach (byte[] m in messages)
            {
                signer.Sign(m);
            }

            bool[] results = new bool[messages.Length * 20];
            Parallel.For(0, results.Length, i => results[i] = signer.Verify(messages[i % messages.Length]));

            Assert.All(results, Assert.True);
        }
    }

    private static JsonElement SignatureVector(int index) =>
        TestVectors.Load(TestVectors.Smb2017).GetProperty("smb311_multichannel").GetProperty("signatures")[index];

    private static byte[] ReferenceMac(SigningAlgorithm algorithm, byte[] key, byte[] zeroedMessage)
    {
        switch (algorithm)
        {
            case SigningAlgorithm.HmacSha256:
                return HMACSHA256.HashData(key, zeroedMessage)[..16];
            case SigningAlgorithm.AesGmac:
                byte[] nonce = new byte[12];
                zeroedMessage.AsSpan(24, 8).CopyTo(nonce);
                nonce[8] = (byte)(zeroedMessage[16] & 1);
                byte[] tag = new byte[16];
                using (var gcm = new AesGcm(key, 16))
                {
                    gcm.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, tag, zeroedMessage);
                }

                return tag;
            default:
                return ReferenceCmac(key, zeroedMessage);
        }
    }

    /// <summary>RFC 4493 figure 2.3 written out with the platform's AES-ECB, block by block (independent of AesCmac).</summary>
    private static byte[] ReferenceCmac(byte[] key, byte[] message)
    {
        using Aes aes = Aes.Create();
        aes.Key = key;
        byte[] l = aes.EncryptEcb(new byte[16], PaddingMode.None);
        byte[] k1 = Double(l), k2 = Double(k1);
        int n = Math.Max(1, (message.Length + 15) / 16);
        bool complete = message.Length > 0 && message.Length % 16 == 0;
        byte[] last = new byte[16];
        int lastStart = (n - 1) * 16;
        message.AsSpan(lastStart).CopyTo(last);
        if (!complete)
        {
            last[message.Length - lastStart] = 0x80;
        }

        byte[] mask = complete ? k1 : k2;
        for (int i = 0; i < 16; i++)
        {
            last[i] ^= mask[i];
        }

        byte[] x = new byte[16];
        for (int block = 0; block < n; block++)
        {
            ReadOnlySpan<byte> m = block == n - 1 ? last : message.AsSpan(block * 16, 16);
            for (int i = 0; i < 16; i++)
            {
                x[i] ^= m[i];
            }

            x = aes.EncryptEcb(x, PaddingMode.None);
        }

        return x;

        static byte[] Double(byte[] v)
        {
            byte[] r = new byte[16];
            for (int i = 0; i < 16; i++)
            {
                r[i] = (byte)((v[i] << 1) | (i < 15 ? v[i + 1] >> 7 : 0));
            }

            if ((v[0] & 0x80) != 0)
            {
                r[15] ^= 0x87;
            }

            return r;
        }
    }
}
