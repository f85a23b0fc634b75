using System.Globalization;
using SmbSign.Protocol.Smb2;
using SmbSign.TestServers;
using SmbSign.Wire.Scanning;

namespace SmbSign.Benchmarks;

/// <summary><c>SmbSign.Benchmarks responder CIDR PORT [open|required]</c>: runs the loopback SMB responder on every address
/// of a loopback block (each bound explicitly, so nothing listens beyond 127.0.0.0/8) until Ctrl+C or SIGTERM. <c>open</c>
/// (default): SMB 3.1.1, signing enabled but not required, SMB1 off. <c>required</c>: SMB2 signing required, so a prober
/// also asks whether SMB1 is on (a second connection per target).</summary>
public static class ResponderHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 3)
        {
            await Console.Error.WriteLineAsync("usage: responder CIDR PORT [open|required] (e.g. responder 127.77.0.0/24 44445)").ConfigureAwait(false);
            return 2;
        }

        TargetExpression block = TargetExpression.Parse(args[1]);
        int port = int.Parse(args[2], CultureInfo.InvariantCulture);
        ResponderProfile profile = (args.Length > 3 ? args[3] : "open") switch
        {
            "open" => new ResponderProfile(),
            "required" => new ResponderProfile { Smb2SecurityMode = Smb2SecurityMode.SigningEnabled | Smb2SecurityMode.SigningRequired },
            string other => throw new ArgumentException($"unknown responder profile '{other}' (open or required)", nameof(args)),
        };
        var addresses = block.Expand().Select(t => t.Address!).ToList();
        await using LoopbackSmbResponder responder = LoopbackSmbResponder.Start(addresses, port, profile);
        Console.WriteLine($"listening on {addresses.Count} address(es) of {args[1]} port {port} ({(args.Length > 3 ? args[3] : "open")})");
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
