using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace SmbSign.Wire.Listen;

/// <summary>
/// The SMB test server behind <c>smbsign listen</c>: accepts clients on one address and port, serves each on its own
/// <see cref="ListenConnection"/> (at most <see cref="ListenOptions.MaxConcurrentConnections"/> at once; more are closed
/// at accept), and hands out one <see cref="ListenClientReport"/> per connection as it ends.
/// </summary>
public sealed class ListenServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly ListenOptions _options;
    private readonly string? _password;
    private readonly TimeProvider _time;
    private readonly Channel<ListenClientReport> _reports = Channel.CreateUnbounded<ListenClientReport>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private Task? _acceptLoop;
    private int _active;
    private int _accepted;
    private int _refused;

    private ListenServer(Socket listener, ListenOptions options, string? password, TimeProvider time)
    {
        _listener = listener;
        _options = options;
        _password = password;
        _time = time;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
    }

    /// <summary>The address and port actually bound (port 0 resolved).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections closed at accept because <see cref="ListenOptions.MaxConcurrentConnections"/> were being served.</summary>
    public int RefusedConnections => Volatile.Read(ref _refused);

    /// <summary>Reports, one per connection, in the order connections end.</summary>
    public ChannelReader<ListenClientReport> Reports => _reports.Reader;

    /// <summary>Binds and starts accepting. <paramref name="password"/> is the password of <see cref="ListenOptions.User"/>
    /// (null: guest only). Throws <see cref="SocketException"/> when the address cannot be bound.</summary>
    public static ListenServer Start(ListenOptions options, string? password, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.User is not null && string.IsNullOrEmpty(password))
        {
            throw new ArgumentException("A user needs a password.", nameof(password));
        }

        var listener = new Socket(options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (options.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(new IPEndPoint(options.Address, options.Port));
            listener.Listen(64);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        var server = new ListenServer(listener, options, options.User is null ? null : password, time ?? TimeProvider.System);
        server._acceptLoop = server.AcceptLoopAsync();
        return server;
    }

    /// <summary>Stops accepting, closes the connections being served (each still reports), and completes <see cref="Reports"/>.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        _listener.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] pending;
        lock (_connections)
        {
            pending = [.. _connections];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        _reports.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A client that reset before accept completed; keep listening.
                continue;
            }

            if (Interlocked.Increment(ref _active) > _options.MaxConcurrentConnections)
            {
                Interlocked.Decrement(ref _active);
                Interlocked.Increment(ref _refused);
                client.Dispose();
                continue;
            }

            int number = Interlocked.Increment(ref _accepted);
            Task task = ServeAsync(client, number);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    private async Task ServeAsync(Socket client, int number)
    {
        await Task.Yield();
        try
        {
            client.NoDelay = true;
            using var connection = new ListenConnection(client, number, _options, _password, _time);
            ListenClientReport report = await connection.RunAsync(_stop.Token).ConfigureAwait(false);
            _reports.Writer.TryWrite(report);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
