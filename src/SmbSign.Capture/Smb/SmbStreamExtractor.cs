using System.Buffers;

namespace SmbSign.Capture.Smb;

/// <summary>Why an extractor is searching for a frame start.</summary>
internal enum ResyncCause : byte
{
    /// <summary>The capture holds no SYN for the connection: it may start inside a frame.</summary>
    MidStream,

    /// <summary>The port is not a known SMB port: looking for SMB at all (auto-detection).</summary>
    Probe,
    Gap,
    InvalidFrame,
}

/// <summary>Cuts one direction's reassembled byte stream into SMB transport frames. A frame inside one delivered chunk
/// is handed up without copying; a frame spread over several segments is gathered in a pooled buffer that grows only as
/// bytes arrive (up to the frame size limit). After a gap, an invalid frame header or a mid-stream start it scans for the
/// next plausible frame: a zero type byte, a plausible 24-bit length, then FE/FD/FC/FF 'SMB'.</summary>
internal sealed class SmbStreamExtractor
{
    private const int CarrySize = SmbTransportFrame.RecognitionSize - 1;
    private const int RetainedBufferSize = 1024 * 1024;

    private readonly SmbCapturePipeline _owner;
    private readonly SmbConnectionState _connection;
    private readonly int _maxFrameSize;
    private readonly byte[] _carry = new byte[CarrySize];
    private Mode _mode;
    private byte[] _buffer = [];
    private int _length;
    private int _frameTotal;
    private long _frameStart;
    private long _frameFirstPacket;
    private long _skipRemaining;
    private long _position;
    private int _carryLength;
    private long _skipped;
    private ResyncCause _cause;

    public SmbStreamExtractor(SmbCapturePipeline owner, SmbConnectionState connection, bool fromA, int maxFrameSize)
    {
        _owner = owner;
        _connection = connection;
        FromA = fromA;
        _maxFrameSize = maxFrameSize;
    }

    private enum Mode : byte
    {
        Frame,
        Resync,
        SkipTail,
        Disabled,
    }

    public bool FromA { get; }

    public SmbConnectionState Connection => _connection;

    public bool IsProbing => _mode == Mode.Resync && _cause == ResyncCause.Probe;

    /// <summary>Position of the next byte in this direction's stream.</summary>
    public long Position => _position;

    public void StartResync(ResyncCause cause)
    {
        _mode = Mode.Resync;
        _cause = cause;
        _skipped = 0;
        _carryLength = 0;
    }

    /// <summary>Auto-detection succeeded on the other direction: keep searching, but as a mid-stream start.</summary>
    public void StopProbing()
    {
        if (IsProbing)
        {
            _cause = ResyncCause.MidStream;
        }
    }

    public void Disable()
    {
        _mode = Mode.Disabled;
        ReleaseBuffer();
    }

    public void Write(ReadOnlyMemory<byte> data, in CapturePacket packet)
    {
        long basePosition = _position;
        int length = data.Length;
        int position = 0;
        while (position < length)
        {
            switch (_mode)
            {
                case Mode.Frame:
                    position = _length == 0 ? AtBoundary(data, position, basePosition, packet) : Continue(data, position, basePosition, packet);
                    break;
                case Mode.SkipTail:
                    int take = (int)Math.Min(_skipRemaining, length - position);
                    position += take;
                    _skipRemaining -= take;
                    if (_skipRemaining == 0)
                    {
                        _mode = Mode.Frame;
                    }

                    break;
                case Mode.Resync:
                    position = Resync(data, position, basePosition, packet);
                    break;
                default:
                    position = length;
                    break;
            }
        }

        _position = basePosition + length;
    }

    public void Gap(long missing, in CapturePacket packet)
    {
        _position += missing;
        switch (_mode)
        {
            case Mode.Frame when _length > 0 && _frameTotal > 0:
                long remaining = _frameTotal - _length;
                _owner.OnFrameLost(this, _frameStart, _frameTotal, _frameFirstPacket, packet);
                _length = 0;
                _frameTotal = 0;
                if (missing < remaining)
                {
                    _skipRemaining = remaining - missing;
                    _mode = Mode.SkipTail;
                }
                else if (missing > remaining)
                {
                    StartResync(ResyncCause.Gap);
                }

                break;
            case Mode.Frame:
                long partial = _length;
                _length = 0;
                StartResync(ResyncCause.Gap);
                _skipped = partial;
                break;
            case Mode.SkipTail:
                if (missing < _skipRemaining)
                {
                    _skipRemaining -= missing;
                }
                else if (missing == _skipRemaining)
                {
                    _mode = Mode.Frame;
                }
                else
                {
                    StartResync(ResyncCause.Gap);
                }

                break;
            case Mode.Resync:
                // Bytes held for a candidate cannot join bytes after a hole.
                _skipped += _carryLength;
                _carryLength = 0;
                if (_cause is ResyncCause.MidStream or ResyncCause.InvalidFrame)
                {
                    _cause = ResyncCause.Gap;
                }

                break;
        }
    }

    /// <summary>The stream ended (connection closed or end of capture).</summary>
    public void End(in CapturePacket packet)
    {
        switch (_mode)
        {
            case Mode.Frame when _length > 0:
                _owner.OnIncompleteAtEnd(this, _frameStart, _length, _frameTotal, packet);
                break;
            case Mode.Resync when _cause != ResyncCause.Probe:
                _skipped += _carryLength;
                if (_skipped > 0)
                {
                    _owner.OnUnsynchronisedAtEnd(this, _skipped, packet);
                }

                break;
        }

        _length = 0;
        _carryLength = 0;
        _mode = Mode.Disabled;
        ReleaseBuffer();
    }

    private int AtBoundary(ReadOnlyMemory<byte> data, int position, long basePosition, in CapturePacket packet)
    {
        ReadOnlySpan<byte> rest = data.Span[position..];
        switch (SmbTransportFrame.Classify(rest, _maxFrameSize, out int total))
        {
            case FrameClass.Smb:
                if (rest.Length >= total)
                {
                    _owner.OnFrame(this, data.Slice(position + 4, total - 4), basePosition + position, packet.FrameNumber, packet);
                    return position + total;
                }

                _frameTotal = total;
                Hold(rest, basePosition + position, packet);
                return data.Length;
            case FrameClass.Skip:
                if (rest.Length >= total)
                {
                    return position + total;
                }

                _skipRemaining = total - rest.Length;
                _mode = Mode.SkipTail;
                return data.Length;
            case FrameClass.NeedMoreData:
                _frameTotal = 0;
                Hold(rest, basePosition + position, packet);
                return data.Length;
            default:
                _owner.OnInvalidFrame(this, basePosition + position, rest[..Math.Min(rest.Length, SmbTransportFrame.RecognitionSize)], packet);
                StartResync(ResyncCause.InvalidFrame);
                _skipped = 1;
                return position + 1;
        }
    }

    private int Continue(ReadOnlyMemory<byte> data, int position, long basePosition, in CapturePacket packet)
    {
        ReadOnlySpan<byte> rest = data.Span[position..];
        if (_frameTotal == 0)
        {
            // Still gathering the first bytes of a frame header.
            int take = Math.Min(SmbTransportFrame.RecognitionSize - _length, rest.Length);
            Append(rest[..take]);
            position += take;
            switch (SmbTransportFrame.Classify(_buffer.AsSpan(0, _length), _maxFrameSize, out int total))
            {
                case FrameClass.NeedMoreData:
                    return position;
                case FrameClass.Smb:
                    _frameTotal = total;
                    break;
                case FrameClass.Skip:
                    if (total <= _length)
                    {
                        // A keep-alive or control frame inside the held bytes: drop it, keep the rest.
                        _buffer.AsSpan(total, _length - total).CopyTo(_buffer);
                        _length -= total;
                        _frameStart += total;
                        return position;
                    }

                    _skipRemaining = total - _length;
                    _length = 0;
                    _mode = Mode.SkipTail;
                    return position;
                default:
                    _owner.OnInvalidFrame(this, _frameStart, _buffer.AsSpan(0, _length), packet);
                    StartResync(ResyncCause.InvalidFrame);
                    _skipped = 1;

                    // The held bytes after the first may begin a frame: rescan them as carry.
                    int held = _length - 1;
                    _buffer.AsSpan(1, held).CopyTo(_carry);
                    _carryLength = held;
                    _length = 0;
                    return position;
            }

            rest = data.Span[position..];
        }

        int needed = _frameTotal - _length;
        int copy = Math.Min(needed, rest.Length);
        Append(rest[..copy]);
        position += copy;
        if (_length == _frameTotal)
        {
            _owner.OnFrame(this, new ReadOnlyMemory<byte>(_buffer, 4, _frameTotal - 4), _frameStart, _frameFirstPacket, packet);
            _length = 0;
            _frameTotal = 0;
            if (_buffer.Length > RetainedBufferSize)
            {
                ReleaseBuffer();
            }
        }

        return position;
    }

    private int Resync(ReadOnlyMemory<byte> data, int position, long basePosition, in CapturePacket packet)
    {
        ReadOnlySpan<byte> rest = data.Span[position..];
        if (_carryLength > 0)
        {
            // Candidates that start in the held bytes and continue into this chunk.
            Span<byte> window = stackalloc byte[CarrySize + 16];
            _carry.AsSpan(0, _carryLength).CopyTo(window);
            int extra = Math.Min(rest.Length, 16);
            rest[..extra].CopyTo(window[_carryLength..]);
            int windowLength = _carryLength + extra;
            for (int start = 0; start < _carryLength; start++)
            {
                if (windowLength - start < SmbTransportFrame.RecognitionSize)
                {
                    break;
                }

                if (SmbTransportFrame.IsResyncCandidate(window[start..windowLength], _maxFrameSize))
                {
                    _skipped += start;
                    int held = _carryLength - start;
                    _carryLength = 0;
                    Synchronised(basePosition + position - held, packet);
                    _frameTotal = 0;
                    _frameStart = basePosition + position - held;
                    _frameFirstPacket = packet.FrameNumber;
                    Append(window.Slice(start, held));
                    return position;
                }
            }
        }

        int searchFrom = 0;
        while (searchFrom < rest.Length)
        {
            int found = rest[searchFrom..].IndexOf("SMB"u8);
            if (found < 0)
            {
                break;
            }

            int candidate = searchFrom + found - 5;
            if (candidate >= 0 && SmbTransportFrame.IsResyncCandidate(rest[candidate..], _maxFrameSize))
            {
                _skipped += _carryLength + candidate;
                _carryLength = 0;
                Synchronised(basePosition + position + candidate, packet);
                return position + candidate;
            }

            searchFrom += found + 1;
        }

        // Nothing here: keep the last bytes, which may begin a frame that the next chunk completes.
        int total = _carryLength + rest.Length;
        int keep = Math.Min(CarrySize, total);
        if (rest.Length >= keep)
        {
            rest[^keep..].CopyTo(_carry);
        }
        else
        {
            int fromCarry = keep - rest.Length;
            _carry.AsSpan(_carryLength - fromCarry, fromCarry).CopyTo(_carry);
            rest.CopyTo(_carry.AsSpan(fromCarry));
        }

        _skipped += total - keep;
        _carryLength = keep;
        if (_cause == ResyncCause.Probe)
        {
            _owner.OnProbed(this, rest.Length);
        }

        return data.Length;
    }

    private void Synchronised(long frameStart, in CapturePacket packet)
    {
        _mode = Mode.Frame;
        _length = 0;
        _frameTotal = 0;
        ResyncCause cause = _cause;
        long skipped = _skipped;
        _skipped = 0;
        _owner.OnSynchronised(this, cause, skipped, frameStart, packet);
    }

    private void Hold(ReadOnlySpan<byte> bytes, long frameStart, in CapturePacket packet)
    {
        _frameStart = frameStart;
        _frameFirstPacket = packet.FrameNumber;
        _length = 0;
        Append(bytes);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        int needed = _length + bytes.Length;
        if (needed > _buffer.Length)
        {
            // A frame of known length gets its whole buffer at once (no doubling copies); the length was checked against
            // MaxFrameSize, and pooled arrays are not zeroed, so pages of bytes that never arrive are never touched.
            // Header bytes of a frame of unknown length grow geometrically.
            long target = _frameTotal > 0 ? _frameTotal : Math.Max(needed, Math.Max(64L, (long)_buffer.Length * 2));

            byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Max(target, needed));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = bigger;
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length = needed;
    }

    private void ReleaseBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
