using System.Text.Json;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Protocol.Tests.Crypto;

// Source: the SMB 3.1.1 trace of the 2017 Microsoft Open Specifications blog (ms-blog-anatomy-of-signing-2017.json).
public sealed class PreauthIntegrityHashTests
{
    private static readonly JsonElement Trace = TestVectors.Load(TestVectors.Smb2017).GetProperty("smb311_multichannel");

    [Theory]
    [InlineData("master_channel")]
    [InlineData("second_channel_binding")]
    public void Update_PublishedPackets_ReproducesEveryIntermediateValue(string channelName)
    {
        JsonElement[] packets = [.. Trace.GetProperty(channelName).GetProperty("packets").EnumerateArray()];
        using var connection = new PreauthIntegrityHash();

        connection.Update(packets[0].Hex("hex"));
        Assert.Equal(packets[0].Text("preauth_hash_after"), Convert.ToHexString(connection.Value));
        connection.Update(packets[1].Hex("hex"));
        Assert.Equal(packets[1].Text("preauth_hash_after"), Convert.ToHexString(connection.Value));

        using PreauthIntegrityHash session = connection.Clone();
        for (int i = 2; i <= 4; i++)
        {
            session.Update(packets[i].Hex("hex"));
            Assert.Equal(packets[i].Text("preauth_hash_after"), Convert.ToHexString(session.Value));
        }

        Assert.Equal(Trace.GetProperty(channelName).Text("PreauthIntegrityHashValue"), Convert.ToHexString(session.Value));
        Assert.Equal(packets[1].Text("preauth_hash_after"), Convert.ToHexString(connection.Value)); // the clone is independent
    }

    [Fact]
    public void Update_PacketWithOneBitFlipped_DivergesFromPublishedValue()
    {
        JsonElement[] packets = [.. Trace.GetProperty("master_channel").GetProperty("packets").EnumerateArray()];
        using var hash = new PreauthIntegrityHash();

        hash.Update(TestVectors.FlipBit(packets[0].Hex("hex"), 800));

        Assert.NotEqual(packets[0].Text("preauth_hash_after"), Convert.ToHexString(hash.Value));
    }

    [Fact]
    public void NewAndReset_StartAtSixtyFourZeroBytes()
    {
        using var hash = new PreauthIntegrityHash();
        Assert.Equal(new string('0', 128), Convert.ToHexString(hash.Value));

        hash.Update([1, 2, 3]);
        hash.Reset();

        Assert.Equal(new string('0', 128), Convert.ToHexString(hash.Value));
    }

    [Fact]
    public void Update_EqualsSha512OfPreviousValueAndMessage()
    {
        byte[] message = [0xFE, 0x53, 0x4D, 0x42, 1, 2, 3];
        using var hash = new PreauthIntegrityHash();

        hash.Update(message);

        byte[] expected = System.Security.Cryptography.SHA512.HashData([.. new byte[64], .. message]);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(hash.Value));
    }

    [Fact]
    public void Constructor_ValueNotSixtyFourBytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PreauthIntegrityHash(new byte[32]));
    }
}
