using System.Buffers;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Smb;

/// <summary>What a <see cref="SmbCaptureReader"/> item holds.</summary>
public enum CaptureItemKind : byte
{
    Message,
    StreamEvent,
    ConnectionClosed,
}

/// <summary>One item pulled from a capture: a message, a stream event, or a connection's end.</summary>
public readonly struct CaptureItem
{
    internal CaptureItem(CaptureItemKind kind, in CapturedSmbMessage message, in CaptureStreamEvent streamEvent, TcpConnectionInfo? connection)
    {
        Kind = kind;
        Message = message;
        StreamEvent = streamEvent;
        ClosedConnection = connection;
    }

    public CaptureItemKind Kind { get; }

    /// <summary>Valid when <see cref="Kind"/> is <see cref="CaptureItemKind.Message"/>; its bytes last until the next read.</summary>
    public CapturedSmbMessage Message { get; }

    public CaptureStreamEvent StreamEvent { get; }

    public TcpConnectionInfo? ClosedConnection { get; }
}

/// <summary>Pull-style access to the same pipeline: <c>while (reader.TryRead(out CaptureItem item))</c>. Items come in
/// the order the push sink would see them. Message bytes are copied into a pooled arena that is reused after each
/// packet's items have been read, so memory stays bounded by what one packet completes.</summary>
public sealed class SmbCaptureReader : IDisposable
{
    private readonly CaptureFileReader _file;
    private readonly SmbCapturePipeline _pipeline;
    private readonly QueueSink _queue = new();
    private bool _completed;

    private SmbCaptureReader(Stream stream, SmbCaptureOptions options)
    {
        _pipeline = new SmbCapturePipeline(_queue, options);
        _file = CaptureFileReader.Open(stream, options.Reader);
    }

    public static SmbCaptureReader Open(Stream stream, SmbCaptureOptions? options = null) => new(stream, options ?? new SmbCaptureOptions());

    public CaptureStatistics Statistics => _pipeline.Statistics;

    public CaptureFileReader File => _file;

    /// <summary>Next item, or false at the end of the capture.</summary>
    /// <exception cref="CaptureFormatException">The file is malformed.</exception>
    public bool TryRead(out CaptureItem item)
    {
        while (true)
        {
            if (_queue.TryDequeue(out item))
            {
                return true;
            }

            if (_completed)
            {
                return false;
            }

            _queue.Reset();
            if (_file.TryReadPacket(out CapturePacket packet))
            {
                _pipeline.ProcessPacket(packet);
            }
            else
            {
                _pipeline.Complete();
                _completed = true;
            }
        }
    }

    public void Dispose()
    {
        _file.Dispose();
        _queue.Dispose();
    }

    private sealed class QueueSink : ISmbCaptureSink, IDisposable
    {
        private readonly Queue<CaptureItem> _items = new();
        private byte[] _arena = [];
        private int _used;

        public void OnMessage(in CapturedSmbMessage message)
        {
            ReadOnlySpan<byte> bytes = message.Bytes.Span;
            if (_arena.Length - _used < bytes.Length)
            {
                Grow(bytes.Length);
            }

            bytes.CopyTo(_arena.AsSpan(_used));
            var copy = message.WithBytes(new ReadOnlyMemory<byte>(_arena, _used, bytes.Length));
            _used += bytes.Length;
            _items.Enqueue(new CaptureItem(CaptureItemKind.Message, copy, default, null));
        }

        public void OnStreamEvent(in CaptureStreamEvent streamEvent) =>
            _items.Enqueue(new CaptureItem(CaptureItemKind.StreamEvent, default, streamEvent, null));

        public void OnConnectionClosed(TcpConnectionInfo connection) =>
            _items.Enqueue(new CaptureItem(CaptureItemKind.ConnectionClosed, default, default, connection));

        public bool TryDequeue(out CaptureItem item) => _items.TryDequeue(out item);

        /// <summary>Called once every queued item was read: the arena is free again.</summary>
        public void Reset() => _used = 0;

        private void Grow(int needed)
        {
            // Earlier items of this packet still point into the old arena: keep it alive (the GC does), rent a new one.
            byte[] next = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(64 * 1024, _arena.Length * 2)));
            _arena = next;
            _used = 0;
        }

        public void Dispose()
        {
            if (_arena.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_arena);
                _arena = [];
            }
        }
    }
}
