using System.Buffers.Binary;
using System.Security.Cryptography;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Tests.Crypto;

// [MS-CIFS] 3.1.4.1: signature = first 8 bytes of MD5(MAC key || message with the sequence number in SecuritySignature).
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "SMB1 signing is MD5; the test recomputes it.")]
public sealed class Smb1SigningTests
{
    internal static byte[] CreateMessage(Random random, int bodyLength, byte command = 0x2E)
    {
        byte[] message = new byte[32 + bodyLength];
        random.NextBytes(message);
        message[0] = 0xFF;
        message[1] = (byte)'S';
        message[2] = (byte)'M';
        message[3] = (byte)'B';
        message[4] = command;
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(10), 0xC801); // UNICODE | NT_STATUS | EXTENDED_SECURITY | LONG_NAMES
        message.AsSpan(14, 8).Clear();
        return message;
    }

    [Fact]
    public void Sign_MatchesMd5OfKeyAndMessageWithSequenceNumber()
    {
        byte[] macKey = RandomNumberGenerator.GetBytes(16);
        byte[] message = CreateMessage(new Random(1), 50);
        using var signer = new Smb1MessageSigner(macKey);

        signer.Sign(message, 6);

        Assert.True(Smb1Signing.IsSigned(message));
        byte[] withSequence = message.ToArray();
        withSequence.AsSpan(14, 8).Clear();
        withSequence[14] = 6;
        byte[] expected = MD5.HashData([.. macKey, .. withSequence])[..8];
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(message.AsSpan(14, 8)));
    }

    [Fact]
    public void Verify_RightSequence_Succeeds_WrongSequenceOrFlippedBit_Fails()
    {
        byte[] macKey = Smb1Signing.CreateMacKey(RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(24));
        byte[] message = CreateMessage(new Random(2), 70);
        using var signer = new Smb1MessageSigner(macKey);
        signer.Sign(message, 41);

        Assert.True(signer.Verify(message, 41));
        Assert.False(signer.Verify(message, 40));
        Assert.False(signer.Verify(message, 42));
        Assert.False(signer.Verify(TestVectors.FlipBit(message, (message.Length * 8) - 1), 41));
        Assert.False(signer.Verify(TestVectors.FlipBit(message, 14 * 8), 41));
        using var otherKey = new Smb1MessageSigner(TestVectors.FlipBit(macKey, 3));
        Assert.False(otherKey.Verify(message, 41));
    }

    [Fact]
    public void Verify_NeverModifiesTheCallersBuffer()
    {
        byte[] message = CreateMessage(new Random(3), 1000);
        using var signer = new Smb1MessageSigner(new byte[16]);
        signer.Sign(message, 2);
        byte[] before = message.ToArray();
        byte[] signature = new byte[8];

        Assert.True(signer.Verify(message, 2));
        Assert.False(signer.Verify(message, 3));
        signer.ComputeSignature(message, 2, signature);

        Assert.Equal(before, message);
        Assert.Equal(Convert.ToHexString(message.AsSpan(14, 8)), Convert.ToHexString(signature));
    }

    [Fact]
    public void Verify_NotSmb1_ReturnsFalse()
    {
        using var signer = new Smb1MessageSigner(new byte[16]);
        byte[] message = CreateMessage(new Random(4), 10);
        signer.Sign(message, 0);
        message[0] = 0xFE;

        Assert.False(signer.Verify(message, 0));
        Assert.False(signer.Verify(new byte[31], 0));
    }

    [Fact]
    public void StaticHelpers_AgreeWithSigner()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] message = CreateMessage(new Random(5), 33);
        byte[] signature = new byte[8];

        Smb1Signing.Sign(key, message, 9);
        Smb1Signing.ComputeSignature(key, message, 9, signature);

        Assert.True(Smb1Signing.Verify(key, message, 9));
        Assert.Equal(Convert.ToHexString(message.AsSpan(14, 8)), Convert.ToHexString(signature));
    }

    [Fact]
    public void CreateMacKey_ConcatenatesSessionKeyAndResponse()
    {
        Assert.Equal("0102AABBCC", Convert.ToHexString(Smb1Signing.CreateMacKey([1, 2], [0xAA, 0xBB, 0xCC])));
        Assert.Equal("0102", Convert.ToHexString(Smb1Signing.CreateMacKey([1, 2])));
    }

    [Fact]
    public void Sequence_RequestResponsePairsAndCancel_FollowSambaRules()
    {
        var sequence = new Smb1SigningSequence();

        Assert.Equal(new Smb1SequenceNumbers(0, 1), sequence.NextRequest()); // SESSION_SETUP_ANDX that activates signing
        Assert.Equal(new Smb1SequenceNumbers(2, 3), sequence.NextRequest());
        Assert.Equal(new Smb1SequenceNumbers(4, null), sequence.NextCancel()); // NT_CANCEL: no response
        Assert.Equal(new Smb1SequenceNumbers(5, 6), sequence.NextRequest());
        Assert.Equal(7u, sequence.Next);
        Assert.Equal(6u, Smb1SigningSequence.ResponseFor(5));
    }

    [Fact]
    public void Sequence_Wraps_AtUInt32Max()
    {
        var sequence = new Smb1SigningSequence(uint.MaxValue);

        Assert.Equal(new Smb1SequenceNumbers(uint.MaxValue, 0), sequence.NextRequest());
        Assert.Equal(1u, sequence.Next);
    }

    [Fact]
    public void Sign_NotSmb1_Throws()
    {
        using var signer = new Smb1MessageSigner(new byte[16]);

        Assert.Throws<ArgumentException>(() => signer.Sign(new byte[20], 0));
    }
}
