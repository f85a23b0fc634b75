using System.Buffers;
using SmbSign.Protocol.Framing;
using SmbSign.Testing;

namespace SmbSign.Protocol.Tests.Framing;

public sealed class DirectTcpFramingTests
{
    [Theory]
    [WireData("00000004FE534D42")]
    [WireData("00000004FE534D42FFFF")]
    public void TryReadFrame_AnyChunking_NeedsMoreDataUntilTheLastByte(string description, byte[] wire, int[] chunks)
    {
        var buffer = new List<byte>();
        OperationStatus status = OperationStatus.NeedMoreData;
        int payload = 0;
        int consumed = 0;
        int delivered = 0;

        foreach (int chunk in chunks)
        {
            buffer.AddRange(wire.AsSpan(delivered, chunk).ToArray());
            delivered += chunk;
            status = DirectTcpFraming.TryReadFrame(buffer.ToArray(), out payload, out consumed);
            Assert.True(status == (delivered < 8 ? OperationStatus.NeedMoreData : OperationStatus.Done), description);
        }

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(4, payload);
        Assert.Equal(8, consumed);
    }

    [Theory]
    [InlineData("wrong frame type", "01000004")]
    [InlineData("length above the limit", "00FFFFFF")]
    [InlineData("keep-alive with a length", "85000001")]
    public void TryReadFrame_Malformed_InvalidData(string description, string hex)
    {
        OperationStatus status = DirectTcpFraming.TryReadFrame(Convert.FromHexString(hex), out _, out _, maxFrameSize: 1 << 20);

        Assert.True(status == OperationStatus.InvalidData, description);
    }

    [Fact]
    public void TryReadFrame_KeepAlive_ConsumesPrefixOnly()
    {
        OperationStatus status = DirectTcpFraming.TryReadFrame(Convert.FromHexString("85000000FE"), out int payload, out int consumed);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(0, payload);
        Assert.Equal(4, consumed);
    }
}
