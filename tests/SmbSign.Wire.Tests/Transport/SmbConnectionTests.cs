using SmbSign.Testing;
using SmbSign.Wire.Transport;

namespace SmbSign.Wire.Tests.Transport;

public sealed class SmbConnectionTests
{
    /// <summary>Returns exactly the given chunk sizes per read, then end of stream.</summary>
    private sealed class ChunkedStream(byte[] data, int[] chunks) : Stream
    {
        private int _position;
        private int _chunk;
        private int _leftInChunk = -1;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_leftInChunk <= 0)
            {
                if (_chunk >= chunks.Length)
                {
                    return ValueTask.FromResult(0);
                }

                _leftInChunk = chunks[_chunk++];
            }

            int count = Math.Min(_leftInChunk, buffer.Length);
            _leftInChunk -= count;
            data.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return ValueTask.FromResult(count);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Theory]
    [WireData("00000004FE534D42" + "85000000" + "00000002ABCD")]
    public async Task ReceiveAsync_AnyChunking_TwoMessagesAndKeepAliveSkipped(string description, byte[] wire, int[] chunks)
    {
        using var connection = new SmbConnection(new ChunkedStream(wire, chunks));

        ReadOnlyMemory<byte> first = await connection.ReceiveAsync();
        Assert.Equal("FE534D42", Convert.ToHexString(first.Span));
        ReadOnlyMemory<byte> second = await connection.ReceiveAsync();

        Assert.True(Convert.ToHexString(second.Span) == "ABCD", description);
        SmbTransportException end = await Assert.ThrowsAsync<SmbTransportException>(async () => await connection.ReceiveAsync());
        Assert.Equal(TransportErrorKind.ConnectionClosed, end.Kind);
    }

    [Theory]
    [InlineData("cut in the prefix", "0000", TransportErrorKind.ConnectionClosed)]
    [InlineData("cut in the payload", "00000010FE53", TransportErrorKind.ConnectionClosed)]
    [InlineData("frame above the limit", "00100000", TransportErrorKind.FrameTooLarge)]
    [InlineData("4 GB length", "FFFFFFFF", TransportErrorKind.InvalidFraming)]
    [InlineData("HTTP", "48545450", TransportErrorKind.InvalidFraming)]
    public async Task ReceiveAsync_BadStream_SpecificKind(string description, string hex, TransportErrorKind expected)
    {
        byte[] wire = Convert.FromHexString(hex);
        using var connection = new SmbConnection(new ChunkedStream(wire, [wire.Length]), maxFrameSize: 64 * 1024);

        SmbTransportException e = await Assert.ThrowsAsync<SmbTransportException>(async () => await connection.ReceiveAsync());

        Assert.True(e.Kind == expected, $"{description}: {e.Kind} {e.Message}");
    }

    [Fact]
    public async Task ReceiveAsync_LargeFrame_GrowsPooledBuffer()
    {
        byte[] wire = new byte[4 + 100_000];
        wire[1] = 0x01;
        wire[2] = 0x86;
        wire[3] = 0xA0;
        wire[^1] = 0x7F;
        using var connection = new SmbConnection(new ChunkedStream(wire, [1000, 50_000, 49_004]));

        ReadOnlyMemory<byte> message = await connection.ReceiveAsync();

        Assert.Equal(100_000, message.Length);
        Assert.Equal(0x7F, message.Span[^1]);
    }
}
