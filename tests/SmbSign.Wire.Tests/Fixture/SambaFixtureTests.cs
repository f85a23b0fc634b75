using System.Net.Sockets;
using SmbSign.Testing;

namespace SmbSign.Wire.Tests.Fixture;

/// <summary>Proves the shared Samba fixture itself: a real smbd that a real client can log on to and read from.</summary>
public sealed class SambaFixtureTests
{
    [Fact]
    public async Task Start_ServesKnownFileToSmbclient_WithMandatorySigning()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });
        string smbclient = ToolLocator.Require("smbclient", "smbclient");

        (int code, string output) = await ProcessRunner.RunAsync(
            smbclient,
            ["-s", "/dev/null", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"//127.0.0.1/{SambaServer.ShareName}",
             "-U", server.User, "--client-protection=sign", "-c", $"get {SambaServer.FileName} -"],
            null, TimeSpan.FromSeconds(30),
            environment: new Dictionary<string, string> { ["PASSWD"] = SambaServer.Password });

        Assert.True(code == 0, output + server.Log);
        Assert.Contains(SambaServer.FileContent.Trim(), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_StopsServerAndRemovesState()
    {
        SambaServer server = await SambaServer.StartAsync();
        string root = server.Root;
        int port = server.Port;

        await server.DisposeAsync();

        Assert.False(Directory.Exists(root));
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", port));
    }
}
