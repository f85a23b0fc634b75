using System.Net;

namespace SmbSign.Wire.Scanning;

/// <summary>One host to probe: a literal address or a name resolved at probe time, with its port.
/// <see cref="Index"/> is the target's position in the (sharded) stream, used to emit results in input order.</summary>
public sealed record ScanTarget(string Host, IPAddress? Address, int Port, long Index = 0)
{
    /// <summary>The host as the user wrote it or as the expansion produced it (IPv6 without brackets).</summary>
    public override string ToString() => Address is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
