using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SmbSign.Testing;

/// <summary>What every server fixture (Samba, the AD DC, PostgreSQL) shares: ports and the log of its processes.</summary>
public static class LoopbackPorts
{
    // One set for all fixtures: two fixtures started in parallel once talked to each other's server when each kept its own.
    private static readonly HashSet<int> s_handedOut = [];

    /// <summary>A free loopback port never handed out before in this process, whichever fixture asked.</summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (s_handedOut)
            {
                if (s_handedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    /// <summary>Appends one line of a fixture process's output to its log (thread-safe, capped at 1,000,000 characters).</summary>
    public static void AppendLog(StringBuilder log, string? line)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.Length < 1_000_000)
            {
                log.AppendLine(line);
            }
        }
    }
}
