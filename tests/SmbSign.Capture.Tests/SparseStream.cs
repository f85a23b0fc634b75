namespace SmbSign.Capture.Tests;

/// <summary>A stream of <c>head</c>, then <c>zeros</c> zero bytes that are never stored, then <c>tail</c>: a capture
/// with a 256 MiB record costs the test no memory. Seekable or not (like a file or a pipe).</summary>
internal sealed class SparseStream(byte[] head, long zeros, byte[] tail, bool seekable) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => seekable;

    public override bool CanWrite => false;

    public override long Length => seekable ? head.Length + zeros + tail.Length : throw new NotSupportedException();

    /// <summary>Bytes handed out by <see cref="Read(byte[], int, int)"/> (a skip by seeking reads none).</summary>
    public long BytesRead { get; private set; }

    public override long Position
    {
        get => seekable ? _position : throw new NotSupportedException();
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int done = 0;
        while (done < count)
        {
            long at = _position;
            int take;
            if (at < head.Length)
            {
                take = (int)Math.Min(count - done, head.Length - at);
                head.AsSpan((int)at, take).CopyTo(buffer.AsSpan(offset + done));
            }
            else if (at < head.Length + zeros)
            {
                take = (int)Math.Min(count - done, head.Length + zeros - at);
                buffer.AsSpan(offset + done, take).Clear();
            }
            else
            {
                long inTail = at - head.Length - zeros;
                take = (int)Math.Min(count - done, tail.Length - inTail);
                if (take <= 0)
                {
                    break;
                }

                tail.AsSpan((int)inTail, take).CopyTo(buffer.AsSpan(offset + done));
            }

            _position += take;
            done += take;
        }

        BytesRead += done;
        return done;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!seekable)
        {
            throw new NotSupportedException();
        }

        _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
