using System.Buffers.Binary;
using System.Security.Cryptography;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Tests.Crypto;

// [MS-SMB2] 3.1.4.1: each message of a compound is signed separately, from its header up to the next header
// (8-byte alignment padding included); the last one runs to the end of the frame.
public sealed class Smb2CompoundTests
{
    [Fact]
    public void Enumerate_ThreeMessages_YieldsPaddedRanges()
    {
        byte[] frame = Smb2TestMessages.CreateCompound(new Random(1), 100, 64, 77);

        Smb2CompoundMessage[] messages = Collect(frame);

        Assert.Equal(
            [new(0, 0, 104), new(1, 104, 64), new(2, 168, 77)],
            messages);
        Assert.Equal(3, Smb2Compound.Count(frame));
    }

    [Fact]
    public void Enumerate_SingleMessage_RunsToFrameEnd()
    {
        byte[] frame = Smb2TestMessages.Create(new Random(2), 90);

        Assert.Equal([new Smb2CompoundMessage(0, 0, 90)], Collect(frame));
    }

    [Theory]
    [InlineData(SigningAlgorithm.HmacSha256)]
    [InlineData(SigningAlgorithm.AesCmac)]
    [InlineData(SigningAlgorithm.AesGmac)]
    public void SignCompound_EachMessageVerifiesOnItsOwn(SigningAlgorithm algorithm)
    {
        byte[] frame = Smb2TestMessages.CreateCompound(new Random(3), 100, 64, 77);
        using var signer = new Smb2MessageSigner(algorithm, RandomNumberGenerator.GetBytes(16));

        int signed = signer.SignCompound(frame);

        Assert.Equal(3, signed);
        Assert.True(signer.VerifyCompound(frame));
        foreach (Smb2CompoundMessage message in Collect(frame))
        {
            Assert.True(signer.Verify(frame.AsSpan(message.Range)), $"message {message.Index}");
            Assert.False(signer.Verify(frame.AsSpan(message.Offset, message.Length - 1)), $"message {message.Index} without its last byte");
        }
    }

    [Fact]
    public void SignCompound_PaddingIsCovered_TamperingBreaksOnlyThatMessage()
    {
        byte[] frame = Smb2TestMessages.CreateCompound(new Random(4), 100, 64, 77);
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, RandomNumberGenerator.GetBytes(16));
        signer.SignCompound(frame);

        frame[102] ^= 0x01; // a padding byte between message 0 (100 bytes) and message 1 (at 104)

        Smb2CompoundMessage[] messages = Collect(frame);
        Assert.False(signer.Verify(frame.AsSpan(messages[0].Range)));
        Assert.True(signer.Verify(frame.AsSpan(messages[1].Range)));
        Assert.True(signer.Verify(frame.AsSpan(messages[2].Range)));
        Assert.False(signer.VerifyCompound(frame));
    }

    public static TheoryData<string, int, uint, int, long> Malformed => new()
    {
        // description, index of the message whose NextCommand is replaced, new NextCommand, frame length (-1 = keep), expected offset
        { "NextCommand smaller than a header", 0, 32, -1, 20 },
        { "NextCommand not a multiple of 8", 0, 108, -1, 20 },
        { "NextCommand beyond the frame", 0, 4096, -1, 20 },
        { "NextCommand leaves less than a header", 1, 64 + 40, -1, 104 + 20 },
        { "frame cut inside the next header", 0, 104, 150, 20 },
        { "NextCommand far beyond int range", 0, 0xFFFF_FFF8, -1, 20 },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Enumerate_MalformedChain_ThrowsWithOffset(string description, int message, uint nextCommand, int frameLength, long expectedOffset)
    {
        byte[] frame = Smb2TestMessages.CreateCompound(new Random(5), 100, 64, 77);
        int[] headers = [0, 104, 168];
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(headers[message] + 20), nextCommand);
        if (frameLength >= 0)
        {
            frame = frame[..frameLength];
        }

        SmbProtocolException e = Assert.Throws<SmbProtocolException>(() => Collect(frame));

        Assert.Equal(expectedOffset, e.Offset);
        Assert.Contains("compound message", e.Message, StringComparison.Ordinal);
        Assert.NotEmpty(description);
    }

    [Fact]
    public void Enumerate_NextMessageWithoutProtocolId_Throws()
    {
        byte[] frame = Smb2TestMessages.CreateCompound(new Random(6), 100, 64);
        frame[104] = 0xFD;

        SmbProtocolException e = Assert.Throws<SmbProtocolException>(() => Collect(frame));

        Assert.Equal(104, e.Offset);
        Assert.Contains("FE 53 4D 42", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SignCompound_MalformedChain_ThrowsBeforeTouchingLaterMessages()
    {
        byte[] frame = Smb2TestMessages.CreateCompound(new Random(7), 100, 64);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(104 + 20), 12);
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, new byte[16]);

        Assert.Throws<SmbProtocolException>(() => signer.SignCompound(frame));
    }

    private static Smb2CompoundMessage[] Collect(byte[] frame)
    {
        var list = new List<Smb2CompoundMessage>();
        foreach (Smb2CompoundMessage message in Smb2Compound.Enumerate(frame))
        {
            list.Add(message);
        }

        return [.. list];
    }
}
