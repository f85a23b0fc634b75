using System.Buffers;
using System.Net;
using System.Net.Sockets;
using SmbSign.Protocol.Framing;

namespace SmbSign.Wire.Transport;

/// <summary>A framed SMB connection ([MS-SMB2] 2.1 Direct TCP) over any <see cref="Stream"/>: sends whole messages
/// with their 4-byte prefix, receives one message at a time into a pooled buffer. Every receive has a deadline
/// (<see cref="ReadTimeout"/>) measured with the injected <see cref="TimeProvider"/>; an announced length above
/// <see cref="MaxFrameSize"/> is refused before anything is buffered. Not thread-safe: one sender and one reader at a time.</summary>
public sealed class SmbConnection : IAsyncDisposable, IDisposable
{
    private const int InitialBufferSize = 4096;

    private readonly Stream _stream;
    private readonly TimeProvider _time;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _disposed;

    public SmbConnection(Stream stream, TimeProvider? timeProvider = null, int maxFrameSize = DirectTcpFraming.DefaultMaxFrameSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, 64);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFrameSize, DirectTcpFraming.DefaultMaxFrameSize);
        _stream = stream;
        _time = timeProvider ?? TimeProvider.System;
        MaxFrameSize = maxFrameSize;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    }

    /// <summary>Largest payload accepted from the peer.</summary>
    public int MaxFrameSize { get; }

    /// <summary>Deadline for each <see cref="ReceiveAsync"/>; <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes received so far (prefixes included), for diagnostics.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Opens a TCP connection with a connect deadline and returns it framed. Failures throw
    /// <see cref="SmbTransportException"/> (Refused, Unreachable, Timeout); <paramref name="cancellationToken"/> throws
    /// <see cref="OperationCanceledException"/>.</summary>
    public static async Task<SmbConnection> ConnectAsync(
        IPEndPoint endPoint, TimeSpan connectTimeout, TimeProvider? timeProvider = null, int maxFrameSize = DirectTcpFraming.DefaultMaxFrameSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        timeProvider ??= TimeProvider.System;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // An infinite connect timeout leaves the deadline to the caller's token (a prober's per-target deadline):
            // no timer per connection.
            using CancellationTokenSource? timeout = connectTimeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(connectTimeout, timeProvider);
            using CancellationTokenSource? linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await socket.ConnectAsync(endPoint, linked?.Token ?? cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SmbTransportException(TransportErrorKind.Timeout, $"no TCP connection to {endPoint} within {connectTimeout.TotalMilliseconds:0} ms");
            }
            catch (SocketException e)
            {
                throw new SmbTransportException(
                    e.SocketErrorCode == SocketError.ConnectionRefused ? TransportErrorKind.Refused : TransportErrorKind.Unreachable,
                    e.SocketErrorCode == SocketError.ConnectionRefused ? $"connection refused by {endPoint}" : $"cannot connect to {endPoint}: {e.SocketErrorCode}",
                    e);
            }

            var connection = new SmbConnection(new NetworkStream(socket, ownsSocket: true), timeProvider, maxFrameSize);
            socket = null;
            return connection;
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>Sends one SMB message (without prefix) as a single frame.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int total = DirectTcpFraming.PrefixSize + message.Length;
        byte[] frame = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            DirectTcpFraming.WritePrefix(frame, message.Length);
            message.Span.CopyTo(frame.AsSpan(DirectTcpFraming.PrefixSize));
            await _stream.WriteAsync(frame.AsMemory(0, total), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw Translate(e, "sending");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Receives the next SMB message (prefix stripped; NBSS keep-alives skipped). The memory stays valid until
    /// the next call or disposal. Throws <see cref="SmbTransportException"/> for timeouts, resets, closes, oversize or
    /// invalid frames; <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/>.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Without a ReadTimeout the caller's token is the only deadline: no timer and no registration per receive.
        using CancellationTokenSource? timeout = ReadTimeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(ReadTimeout, _time);
        using CancellationTokenRegistration registration = timeout is null ? default : cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        CancellationToken readToken = timeout?.Token ?? cancellationToken;
        while (true)
        {
            OperationStatus status = DirectTcpFraming.TryReadFrame(_buffer.AsSpan(_start, _end - _start), out int payloadLength, out int consumed, MaxFrameSize);
            if (status == OperationStatus.Done)
            {
                int payloadStart = _start + DirectTcpFraming.PrefixSize;
                _start += consumed;
                if (payloadLength == 0 && _buffer[payloadStart - DirectTcpFraming.PrefixSize] == 0x85)
                {
                    continue;
                }

                return _buffer.AsMemory(payloadStart, payloadLength);
            }

            if (status == OperationStatus.InvalidData)
            {
                throw InvalidFrame(_buffer.AsSpan(_start, DirectTcpFraming.PrefixSize));
            }

            int needed = _end - _start >= DirectTcpFraming.PrefixSize
                ? DirectTcpFraming.PrefixSize + ((_buffer[_start + 1] << 16) | (_buffer[_start + 2] << 8) | _buffer[_start + 3])
                : DirectTcpFraming.PrefixSize;
            EnsureCapacity(needed);
            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), readToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SmbTransportException(
                    TransportErrorKind.Timeout,
                    _end == _start
                        ? $"no reply within {ReadTimeout.TotalMilliseconds:0} ms"
                        : $"reply incomplete after {ReadTimeout.TotalMilliseconds:0} ms ({_end - _start} of {needed} byte(s) received)");
            }
            catch (IOException e)
            {
                throw Translate(e, "receiving");
            }

            if (read == 0)
            {
                throw new SmbTransportException(
                    TransportErrorKind.ConnectionClosed,
                    _end == _start ? "the peer closed the connection without replying" : $"the peer closed the connection mid-reply ({_end - _start} of {needed} byte(s) received)");
            }

            _end += read;
            BytesReceived += read;
        }
    }

    /// <summary>Sends <paramref name="request"/> and receives the next message.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ExchangeAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken = default)
    {
        await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReceiveAsync(cancellationToken).ConfigureAwait(false);
    }

    private void EnsureCapacity(int frameLength)
    {
        if (_start > 0 && _buffer.Length - _start < frameLength)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_buffer.Length - _start >= frameLength && _end < _buffer.Length)
        {
            return;
        }

        // Grow to the announced frame (bounded by MaxFrameSize via TryReadFrame) or double for the prefix case.
        int size = Math.Max(frameLength, Math.Min(_buffer.Length * 2, MaxFrameSize + DirectTcpFraming.PrefixSize));
        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
        _end -= _start;
        _start = 0;
    }

    private SmbTransportException InvalidFrame(ReadOnlySpan<byte> prefix)
    {
        int length = (prefix[1] << 16) | (prefix[2] << 8) | prefix[3];
        if (prefix[0] == 0x00 && length > MaxFrameSize)
        {
            return new SmbTransportException(TransportErrorKind.FrameTooLarge, $"the peer announced a {length}-byte frame; the limit is {MaxFrameSize} bytes");
        }

        return new SmbTransportException(
            TransportErrorKind.InvalidFraming,
            $"not an SMB transport frame: prefix {Convert.ToHexString(prefix)} (expected type 00 and a 24-bit length)");
    }

    private static SmbTransportException Translate(IOException e, string doing) =>
        e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown }
            ? new SmbTransportException(TransportErrorKind.ConnectionReset, $"the peer reset the connection while {doing}", e)
            : new SmbTransportException(TransportErrorKind.ConnectionClosed, $"connection failed while {doing}: {e.Message}", e);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
