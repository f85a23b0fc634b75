using System.Globalization;
using SmbSign.Testing;

namespace SmbSign.Wire.Tests.Fixture;

/// <summary>Proves the test tamper proxy with a client that is not ours: smbclient works through an idle proxy and fails
/// when one signed server message has a flipped body byte.</summary>
public sealed class TamperProxyTests
{
    [Fact]
    public async Task Proxy_NoTampering_SmbclientReadsFile()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });
        await using var proxy = TamperProxy.Start(server.EndPoint, _ => false);

        (int code, string output) = await RunSmbclientAsync(server, proxy.Port);

        Assert.True(code == 0, output);
        Assert.Contains(SambaServer.FileContent.Trim(), output, StringComparison.Ordinal);
        Assert.Empty(proxy.Tampered);
        Assert.Contains(proxy.Seen, m => m.IsSigned && m.Command == 0x01); // the final SESSION_SETUP response is signed
    }

    [Fact]
    public async Task Proxy_FirstSignedResponseFlipped_SmbclientRejectsIt()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });
        await using var proxy = TamperProxy.Start(server.EndPoint, TamperProxy.NthSigned(0));

        (int code, string output) = await RunSmbclientAsync(server, proxy.Port);

        Assert.NotEqual(0, code);
        Assert.DoesNotContain(SambaServer.FileContent.Trim(), output, StringComparison.Ordinal);
        ProxiedMessage tampered = Assert.Single(proxy.Tampered);
        Assert.Equal(0x01, tampered.Command);
        Assert.Equal(0u, tampered.Status);
    }

    private static Task<(int ExitCode, string Output)> RunSmbclientAsync(SambaServer server, int port) =>
        ProcessRunner.RunAsync(
            ToolLocator.Require("smbclient", "smbclient"),
            ["-s", "/dev/null", "-p", port.ToString(CultureInfo.InvariantCulture), $"//127.0.0.1/{SambaServer.ShareName}",
             "-U", server.User, "--client-protection=sign", "-c", $"get {SambaServer.FileName} -"],
            null,
            TimeSpan.FromSeconds(30),
            environment: new Dictionary<string, string> { ["PASSWD"] = SambaServer.Password });
}
