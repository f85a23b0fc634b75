using System.Globalization;
using SmbSign.TestServers;
using SmbSign.Wire.Scanning;

namespace SmbSign.Benchmarks;

/// <summary><c>SmbSign.Benchmarks responder CIDR PORT</c>: runs the loopback SMB responder on every address of a
/// loopback block (each bound explicitly, so nothing listens beyond 127.0.0.0/8) until Ctrl+C or SIGTERM.</summary>
public static class ResponderHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 3)
        {
            await Console.Error.WriteLineAsync("usage: responder CIDR PORT (e.g. responder 127.77.0.0/24 44445)").ConfigureAwait(false);
            return 2;
        }

        TargetExpression block = TargetExpression.Parse(args[1]);
        int port = int.Parse(args[2], CultureInfo.InvariantCulture);
        var addresses = block.Expand().Select(t => t.Address!).ToList();
        await using LoopbackSmbResponder responder = LoopbackSmbResponder.Start(addresses, port);
        Console.WriteLine($"listening on {addresses.Count} address(es) of {args[1]} port {port}");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine($"served {responder.Connections} connection(s)");
        return 0;
    }
}
