using System.Net;
using System.Net.Sockets;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;

namespace SmbSign.Wire.Tests.Scanning;

/// <summary>The ways a hostile or broken server answers the first NEGOTIATE.</summary>
public enum HostileBehavior
{
    /// <summary>Accepts, reads, never answers.</summary>
    Silent,

    /// <summary>Sends a valid reply one byte per second.</summary>
    DripFeed,

    /// <summary>Prefix FF FF FF FF: a 4 GB length to a reader that takes 32 bits.</summary>
    Announces4GB,

    /// <summary>Prefix 00 FF FF FF: a 16 MB frame, above the prober's limit.</summary>
    Announces16MB,

    /// <summary>Sends 20 bytes of a valid reply, then a TCP RST.</summary>
    ResetMidReply,

    /// <summary>Answers with an HTTP error.</summary>
    Garbage,

    /// <summary>A well-framed SMB2 NEGOTIATE response cut after 80 bytes.</summary>
    TruncatedNegotiate,

    /// <summary>A well-framed message of random bytes.</summary>
    FramedGarbage,

    /// <summary>A TCP RST right after accept, before reading anything.</summary>
    ResetOnAccept,

    /// <summary>An SMB2 NEGOTIATE response choosing dialect 0xFFFF, which no client offers.</summary>
    UnofferedDialect,

    /// <summary>The 0x02FF reply, then an SMB2 NEGOTIATE response choosing dialect 0xFFFF to the full SMB2 NEGOTIATE.</summary>
    UnofferedDialectAfterWildcard,
}

/// <summary>A scripted server on 127.0.0.1 that misbehaves in one way on every connection.</summary>
public sealed class HostileResponder : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly HostileBehavior _behavior;

    private HostileResponder(HostileBehavior behavior)
    {
        _behavior = behavior;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _ = AcceptLoopAsync();
    }

    public int Port { get; }

    public static HostileResponder Start(HostileBehavior behavior) => new(behavior);

    /// <summary>A valid 0x02FF NEGOTIATE response frame (what an SMB2 server sends to the multi-protocol NEGOTIATE).</summary>
    public static byte[] ValidWildcardFrame() => NegotiateFrame(Dialect.Smb2Wildcard, 0);

    /// <summary>An SMB2 NEGOTIATE response frame choosing <paramref name="dialect"/>.</summary>
    public static byte[] NegotiateFrame(Dialect dialect, ulong messageId)
    {
        byte[] message = new Smb2NegotiateResponse { SecurityMode = Smb2SecurityMode.SigningEnabled, DialectRevision = dialect }
            .ToArray(Smb2Requests.ResponseHeader(Smb2Command.Negotiate, messageId, NtStatus.Success));
        byte[] frame = new byte[message.Length + 4];
        frame[2] = (byte)(message.Length >> 8);
        frame[3] = (byte)message.Length;
        message.CopyTo(frame, 4);
        return frame;
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            if (_behavior == HostileBehavior.ResetOnAccept)
            {
                client.LingerState = new LingerOption(true, 0);
                return;
            }

            byte[] request = new byte[4096];
            await client.ReceiveAsync(request, _stop.Token);
            byte[] valid = ValidWildcardFrame();
            switch (_behavior)
            {
                case HostileBehavior.Silent:
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
                case HostileBehavior.DripFeed:
                    foreach (byte b in valid)
                    {
                        await client.SendAsync(new[] { b }, _stop.Token);
                        await Task.Delay(1000, _stop.Token);
                    }

                    break;
                case HostileBehavior.Announces4GB:
                    await client.SendAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0x53, 0x4D, 0x42 }, _stop.Token);
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
                case HostileBehavior.Announces16MB:
                    await client.SendAsync(new byte[] { 0x00, 0xFF, 0xFF, 0xFF, 0xFE, 0x53, 0x4D, 0x42 }, _stop.Token);
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
                case HostileBehavior.ResetMidReply:
                    await client.SendAsync(valid.AsMemory(0, 20), _stop.Token);
                    await Task.Delay(100, _stop.Token);
                    client.LingerState = new LingerOption(true, 0);
                    break;
                case HostileBehavior.Garbage:
                    await client.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), _stop.Token);
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
                case HostileBehavior.TruncatedNegotiate:
                {
                    byte[] frame = valid.AsSpan(0, 84).ToArray();
                    frame[1] = 0;
                    frame[2] = 0;
                    frame[3] = 80;
                    await client.SendAsync(frame, _stop.Token);
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
                }

                case HostileBehavior.UnofferedDialect:
                    await client.SendAsync(NegotiateFrame((Dialect)0xFFFF, 0), _stop.Token);
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
                case HostileBehavior.UnofferedDialectAfterWildcard:
                    await client.SendAsync(valid, _stop.Token);
                    await client.ReceiveAsync(request, _stop.Token);
                    await client.SendAsync(NegotiateFrame((Dialect)0xFFFF, 1), _stop.Token);
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
                case HostileBehavior.FramedGarbage:
                {
                    byte[] frame = new byte[4 + 100];
                    frame[3] = 100;
                    new Random(42).NextBytes(frame.AsSpan(4));
                    await client.SendAsync(frame, _stop.Token);
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        _stop.Dispose();
    }
}
