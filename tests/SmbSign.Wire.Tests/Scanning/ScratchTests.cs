using SmbSign.Testing;
using SmbSign.Wire.Scanning;
using Xunit.Abstractions;

namespace SmbSign.Wire.Tests.Scanning;

public sealed class ScratchTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("NT1", "NT1", "auto", null)]
    [InlineData("NT1", "NT1", "mandatory", null)]
    [InlineData("NT1", "NT1", "disabled", null)]
    [InlineData("SMB2_02", "SMB3_11", "auto", null)]
    [InlineData("NT1", "SMB3_11", "auto", null)]
    [InlineData("SMB2_02", "SMB2_02", "auto", null)]
    [InlineData("SMB2_02", "SMB3_11", "mandatory", "HMAC-SHA256")]
    public async Task Dump(string min, string max, string signing, string? algs)
    {
        await using SambaServer s = await SambaServer.StartAsync(new SambaServerOptions { MinProtocol = min, MaxProtocol = max, ServerSigning = signing, Smb3SigningAlgorithms = algs });
        var prober = new SmbProber(new ProbeOptions { Deep = true, Timeout = TimeSpan.FromSeconds(5) });
        ServerPosture p = await prober.ProbeAsync(new ScanTarget("127.0.0.1", System.Net.IPAddress.Loopback, s.Port));
        output.WriteLine($"{p.Smb2} {p.Host} err={p.Error} ntlm={p.Ntlm}");
        output.WriteLine($"relay={p.RelayTarget} smb1={p.Smb1} mechs={string.Join(",", p.Smb2.Mechanisms ?? [])} dialects={string.Join(",", p.Smb2.Dialects ?? [])} algs={string.Join(",", p.Smb2.SigningAlgorithms ?? [])}");
    }
}
