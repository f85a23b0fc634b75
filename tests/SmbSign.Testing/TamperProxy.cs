using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using SmbSign.Protocol.Framing;

namespace SmbSign.Testing;

/// <summary>A server-to-client SMB message as the proxy sees it: its position among all responses and among the signed ones.</summary>
/// <param name="Index">0-based index among all server frames on this connection.</param>
/// <param name="SignedIndex">0-based index among signed server frames (SMB2 SIGNED flag, or SMB1 Flags2 SECURITY_SIGNATURE with a
/// non-zero signature), -1 for unsigned ones.</param>
/// <param name="IsSmb1">True for an SMB1 (0xFF 'SMB') message.</param>
/// <param name="Command">SMB2 command code, or the SMB1 command byte.</param>
/// <param name="MessageId">SMB2 MessageId, or the SMB1 MID.</param>
/// <param name="Status">NTSTATUS from the header.</param>
public sealed record ProxiedMessage(int Index, int SignedIndex, bool IsSmb1, ushort Command, ulong MessageId, uint Status)
{
    public bool IsSigned => SignedIndex >= 0;
}

/// <summary>A loopback TCP proxy between an SMB client and a server (the Samba fixture). Client bytes pass through
/// untouched; server bytes are split into NBSS frames and forwarded unchanged, except the frames the predicate picks:
/// in those one byte of the body (by default the message's last byte) is XOR-ed with 0x01 before forwarding.
/// The signature is left as it was, so a client that verifies must reject exactly that message.</summary>
public sealed class TamperProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly Func<ProxiedMessage, bool> _shouldTamper;
    private readonly Func<ProxiedMessage, int, int>? _chooseOffset;
    private readonly RewriteMessage? _rewrite;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly List<ProxiedMessage> _seen = [];
    private readonly List<ProxiedMessage> _tampered = [];
    private readonly Task _acceptLoop;

    /// <summary>Rewrites a server message in place; returns true when it changed it (it then counts as tampered).</summary>
    public delegate bool RewriteMessage(ProxiedMessage message, Span<byte> bytes);

    private TamperProxy(IPEndPoint upstream, Func<ProxiedMessage, bool> shouldTamper, Func<ProxiedMessage, int, int>? chooseOffset, RewriteMessage? rewrite = null)
    {
        _upstream = upstream;
        _shouldTamper = shouldTamper;
        _chooseOffset = chooseOffset;
        _rewrite = rewrite;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>Every server message forwarded so far, in order.</summary>
    public IReadOnlyList<ProxiedMessage> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>The messages whose body was altered.</summary>
    public IReadOnlyList<ProxiedMessage> Tampered
    {
        get
        {
            lock (_seen)
            {
                return [.. _tampered];
            }
        }
    }

    /// <summary>Starts a proxy.</summary>
    /// <param name="upstream">The real server.</param>
    /// <param name="shouldTamper">Picks the server messages to alter (called once per server frame).</param>
    /// <param name="chooseOffset">Optional: the offset inside the SMB message (header start = 0) of the byte to flip, given
    /// the message and its length; default = the last byte. Must be at or after the header (64 for SMB2, 32 for SMB1).</param>
    public static TamperProxy Start(IPEndPoint upstream, Func<ProxiedMessage, bool> shouldTamper, Func<ProxiedMessage, int, int>? chooseOffset = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(shouldTamper);
        return new TamperProxy(upstream, shouldTamper, chooseOffset);
    }

    /// <summary>Starts a proxy that hands every server message (NBSS prefix removed) to <paramref name="rewrite"/>, which
    /// may change it in place (e.g. set a bit in a NEGOTIATE response) without changing its length.</summary>
    public static TamperProxy StartRewriting(IPEndPoint upstream, RewriteMessage rewrite)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(rewrite);
        return new TamperProxy(upstream, _ => false, null, rewrite);
    }

    /// <summary>A predicate for "the <paramref name="n"/>th signed server message (0-based)".</summary>
    public static Func<ProxiedMessage, bool> NthSigned(int n) => m => m.SignedIndex == n;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(HandleAsync(client));
            }
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_upstream, _stop.Token).ConfigureAwait(false);
                client.NoDelay = true;
                server.NoDelay = true;
                NetworkStream clientStream = client.GetStream();
                NetworkStream serverStream = server.GetStream();
                using var connectionStop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                Task up = CopyAsync(clientStream, serverStream, connectionStop.Token);
                Task down = ForwardFramesAsync(serverStream, clientStream, connectionStop.Token);
                await Task.WhenAny(up, down).ConfigureAwait(false);
                await connectionStop.CancelAsync().ConfigureAwait(false);
                client.Client.Shutdown(SocketShutdown.Both);
                server.Client.Shutdown(SocketShutdown.Both);
                await Task.WhenAll(up, down).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // A side closed: the connection is over.
            }
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ForwardFramesAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[1024 * 1024];
        int filled = 0;
        int index = 0;
        int signedIndex = 0;
        try
        {
            while (true)
            {
                OperationStatus status = DirectTcpFraming.TryReadFrame(buffer.AsSpan(0, filled), out int payloadLength, out int consumed);
                if (status == OperationStatus.InvalidData)
                {
                    // Not SMB framing: pass the rest through untouched.
                    await to.WriteAsync(buffer.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
                    await CopyAsync(from, to, cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (status == OperationStatus.NeedMoreData)
                {
                    if (filled == buffer.Length)
                    {
                        Array.Resize(ref buffer, Math.Min(buffer.Length * 2, DirectTcpFraming.DefaultMaxFrameSize + DirectTcpFraming.PrefixSize));
                    }

                    int read = await from.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        if (filled > 0)
                        {
                            await to.WriteAsync(buffer.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
                        }

                        return;
                    }

                    filled += read;
                    continue;
                }

                if (payloadLength > 0)
                {
                    Memory<byte> message = buffer.AsMemory(DirectTcpFraming.PrefixSize, payloadLength);
                    ProxiedMessage? info = Describe(message.Span, index, ref signedIndex);
                    if (info is not null)
                    {
                        index++;
                        bool tamper = _shouldTamper(info);
                        if (_rewrite is not null)
                        {
                            tamper = _rewrite(info, message.Span);
                        }
                        else if (tamper)
                        {
                            int headerSize = info.IsSmb1 ? 32 : 64;
                            int offset = _chooseOffset?.Invoke(info, payloadLength) ?? payloadLength - 1;
                            if (offset < headerSize || offset >= payloadLength)
                            {
                                throw new InvalidOperationException($"tamper offset {offset} is outside the body ({headerSize}..{payloadLength - 1})");
                            }

                            message.Span[offset] ^= 0x01;
                        }

                        lock (_seen)
                        {
                            _seen.Add(info);
                            if (tamper)
                            {
                                _tampered.Add(info);
                            }
                        }
                    }
                }

                await to.WriteAsync(buffer.AsMemory(0, consumed), cancellationToken).ConfigureAwait(false);
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static ProxiedMessage? Describe(ReadOnlySpan<byte> message, int index, ref int signedIndex)
    {
        if (message.Length >= 64 && message[0] == 0xFE && message[1] == (byte)'S' && message[2] == (byte)'M' && message[3] == (byte)'B')
        {
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(message[16..]);
            bool signed = (flags & 0x8) != 0;
            return new ProxiedMessage(
                index,
                signed ? signedIndex++ : -1,
                IsSmb1: false,
                Command: BinaryPrimitives.ReadUInt16LittleEndian(message[12..]),
                MessageId: BinaryPrimitives.ReadUInt64LittleEndian(message[24..]),
                Status: BinaryPrimitives.ReadUInt32LittleEndian(message[8..]));
        }

        if (message.Length >= 32 && message[0] == 0xFF && message[1] == (byte)'S' && message[2] == (byte)'M' && message[3] == (byte)'B')
        {
            ushort flags2 = BinaryPrimitives.ReadUInt16LittleEndian(message[10..]);
            bool signed = (flags2 & 0x0004) != 0 && message.Slice(14, 8).IndexOfAnyExcept((byte)0) >= 0;
            return new ProxiedMessage(
                index,
                signed ? signedIndex++ : -1,
                IsSmb1: true,
                Command: message[4],
                MessageId: BinaryPrimitives.ReadUInt16LittleEndian(message[30..]),
                Status: BinaryPrimitives.ReadUInt32LittleEndian(message[5..]));
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stop.Dispose();
    }
}
