using System.Buffers;

namespace SmbSign.Capture;

/// <summary>Forward-only buffered view of a capture stream (a file or a non-seekable pipe such as stdin). Reads in large
/// sequential chunks into one pooled buffer and never holds more than the largest record plus one read. The buffer only
/// grows while real bytes arrive (it at most doubles per fill), so a lying length field cannot force a large
/// allocation: a 1 GiB "record" in a 1 KiB file allocates nothing beyond the initial buffer.</summary>
internal sealed class CaptureInput : IDisposable
{
    private readonly Stream _stream;
    private readonly int _maxBufferSize;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _endOfStream;

    public CaptureInput(Stream stream, int initialBufferSize, int maxBufferSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialBufferSize, 64);
        _stream = stream;
        _maxBufferSize = Math.Max(maxBufferSize, initialBufferSize);
        _buffer = ArrayPool<byte>.Shared.Rent(initialBufferSize);
    }

    /// <summary>Absolute offset of the next unread byte.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>Bytes buffered and not yet consumed.</summary>
    public int Available => _end - _start;

    /// <summary>Total bytes pulled from the stream so far (for progress reporting).</summary>
    public long BytesFetched => _bufferOffset + _end;

    /// <summary>Makes <paramref name="count"/> contiguous bytes available at <see cref="Position"/>.</summary>
    /// <returns>false when the stream ended first; <see cref="Available"/> then tells how many bytes there were.</returns>
    public bool TryEnsure(int count)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        return Fill(count);
    }

    /// <summary>The next <paramref name="count"/> buffered bytes (call <see cref="TryEnsure"/> first).</summary>
    public ReadOnlySpan<byte> Peek(int count) => _buffer.AsSpan(_start, count);

    /// <summary>The buffered bytes at [<paramref name="offset"/>, +<paramref name="count"/>) from <see cref="Position"/> as memory
    /// over the pooled buffer: valid until the next <see cref="TryEnsure"/> or <see cref="Skip"/>.</summary>
    public ReadOnlyMemory<byte> PeekMemory(int offset, int count) => new(_buffer, _start + offset, count);

    public void Advance(int count)
    {
        _start += count;
    }

    /// <summary>Consumes <paramref name="count"/> bytes without buffering them all (unknown pcapng blocks).</summary>
    /// <returns>false when the stream ended first.</returns>
    public bool Skip(long count)
    {
        while (count > 0)
        {
            int available = _end - _start;
            if (available > 0)
            {
                int take = (int)Math.Min(available, count);
                _start += take;
                count -= take;
                continue;
            }

            if (_endOfStream)
            {
                return false;
            }

            if (count > _buffer.Length && _stream.CanSeek)
            {
                long target = Position + count;
                if (target > _stream.Length)
                {
                    _stream.Seek(0, SeekOrigin.End);
                    _bufferOffset = _stream.Length;
                    _start = _end = 0;
                    _endOfStream = true;
                    return false;
                }

                _stream.Seek(target, SeekOrigin.Begin);
                _bufferOffset = target;
                _start = _end = 0;
                return true;
            }

            _bufferOffset += _end;
            _start = _end = 0;
            if (!ReadMore())
            {
                return false;
            }
        }

        return true;
    }

    private bool Fill(int count)
    {
        while (_end - _start < count)
        {
            if (_endOfStream)
            {
                return false;
            }

            if (_start > 0 && _buffer.Length - _start < count)
            {
                // Compact: move the unconsumed tail to the front (it is at most one partial record).
                int pending = _end - _start;
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
                _bufferOffset += _start;
                _start = 0;
                _end = pending;
            }

            if (_end == _buffer.Length)
            {
                // Full of real data and still short: grow, at most doubling, never past the cap or the need.
                int newSize = (int)Math.Min(Math.Min((long)_buffer.Length * 2, _maxBufferSize), Math.Max(count, _buffer.Length));
                if (newSize <= _buffer.Length)
                {
                    throw new InvalidOperationException("capture input buffer cannot grow past its limit");
                }

                byte[] bigger = ArrayPool<byte>.Shared.Rent(newSize);
                Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
                _end -= _start;
                _bufferOffset += _start;
                _start = 0;
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            if (!ReadMore())
            {
                return false;
            }
        }

        return true;
    }

    private bool ReadMore()
    {
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read <= 0)
        {
            _endOfStream = true;
            return false;
        }

        _end += read;
        return true;
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
