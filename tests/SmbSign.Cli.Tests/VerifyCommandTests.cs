using System.Globalization;
using System.Text.Json;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests;

/// <summary><c>smbsign verify</c> end to end against a real smbd: exit codes, JSON fields, table output, and the password
/// never leaving the process.</summary>
public sealed class VerifyCommandTests : IClassFixture<VerifyCommandTests.Servers>
{
    private readonly Servers _servers;

    public VerifyCommandTests(Servers servers) => _servers = servers;

    private static Dictionary<string, string> PasswordEnvironment => new() { ["SMBSIGN_PASSWORD"] = SambaServer.Password };

    [Fact]
    public async Task Verify_MandatoryServerJson_ExitZeroWithEveryField()
    {
        CliRun run = await CliHarness.RunAsync(
            ["verify", Target(_servers.Mandatory), "-u", _servers.Mandatory.User, "--dialect", "3.1.1", "--signing-algorithm", "gmac", "--read", SambaServer.FileName, "--format", "json"],
            PasswordEnvironment);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement root = json.RootElement;
        foreach (string field in new[] { "dialect", "signingAlgorithm", "sessionFlags", "messages", "signed", "verified", "failures", "enforced", "error" })
        {
            Assert.True(root.TryGetProperty(field, out _), $"missing {field}: {run.Output}");
        }

        Assert.Equal("3.1.1", root.GetProperty("dialect").GetString());
        Assert.Equal("AES-GMAC", root.GetProperty("signingAlgorithm").GetString());
        Assert.True(root.GetProperty("enforced").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
        Assert.Equal(0, root.GetProperty("failures").GetArrayLength());
        Assert.True(root.GetProperty("verified").GetInt32() >= 7);
        Assert.False(root.TryGetProperty("messageLog", out _));
        Assert.Contains(root.GetProperty("operations").EnumerateArray(), o => o.GetString()!.Contains(SambaServer.FileName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_MandatoryServerJson_ProbesBothRejected()
    {
        CliRun run = await CliHarness.RunAsync(["verify", Target(_servers.Mandatory), "-u", _servers.Mandatory.User, "--format", "json"], PasswordEnvironment);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement[] probes = [.. json.RootElement.GetProperty("probes").EnumerateArray()];
        Assert.Equal(["unsigned", "bad-signature"], probes.Select(p => p.GetProperty("kind").GetString()));
        Assert.All(probes, p =>
        {
            Assert.Equal("ECHO", p.GetProperty("command").GetString());
            Assert.True(p.GetProperty("rejected").GetBoolean());
            Assert.Equal("0xC0000022", p.GetProperty("status").GetString());
        });
        Assert.Equal("enforced", json.RootElement.GetProperty("verdict").GetString());
        Assert.False(json.RootElement.TryGetProperty("probesSkipped", out _));
    }

    [Fact]
    public async Task Verify_NoProbe_UntestedExitOne()
    {
        CliRun run = await CliHarness.RunAsync(["verify", Target(_servers.Mandatory), "-u", _servers.Mandatory.User, "--no-probe", "--format", "json"], PasswordEnvironment);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("enforced").GetBoolean());
        Assert.Equal("untested", json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("probes").GetArrayLength());
        Assert.Contains("--no-probe", json.RootElement.GetProperty("probesSkipped").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_VerboseJson_HasMessageLog()
    {
        CliRun run = await CliHarness.RunAsync(["verify", Target(_servers.Mandatory), "-u", _servers.Mandatory.User, "--verbose", "--format", "json"], PasswordEnvironment);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement log = json.RootElement.GetProperty("messageLog");
        Assert.Equal(json.RootElement.GetProperty("messages").GetInt32(), log.GetArrayLength());
        JsonElement treeConnect = log.EnumerateArray().First(m => m.GetProperty("command").GetString() == "TREE_CONNECT" && m.GetProperty("direction").GetString() == "response");
        Assert.True(treeConnect.GetProperty("signed").GetBoolean());
        Assert.True(treeConnect.GetProperty("verified").GetBoolean());
        Assert.Equal("0x00000000", treeConnect.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Verify_Table_ShowsDialectAlgorithmAndVerdict()
    {
        CliRun run = await CliHarness.RunAsync(["verify", Target(_servers.Mandatory), "-u", _servers.Mandatory.User, "--dialect", "3.0", "--verbose"], PasswordEnvironment);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("3.0", run.Output, StringComparison.Ordinal);
        Assert.Contains("AES-CMAC", run.Output, StringComparison.Ordinal);
        Assert.Contains("ENFORCED", run.Output, StringComparison.Ordinal);
        Assert.Contains("IOCTL", run.Output, StringComparison.Ordinal); // FSCTL_VALIDATE_NEGOTIATE_INFO at 3.0
        Assert.Contains("TREE_CONNECT", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Smb1_ExitZero()
    {
        CliRun run = await CliHarness.RunAsync(["verify", Target(_servers.Smb1), "-u", _servers.Smb1.User, "--dialect", "smb1", "--format", "json"], PasswordEnvironment);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        Assert.Equal("smb1", json.RootElement.GetProperty("dialect").GetString());
        Assert.Equal("MD5", json.RootElement.GetProperty("signingAlgorithm").GetString());
    }

    [Fact]
    public async Task Verify_SigningNotRequired_ExitOneWithReason()
    {
        CliRun run = await CliHarness.RunAsync(["verify", Target(_servers.Optional), "-u", _servers.Optional.User, "--dialect", "2.1", "--format", "json"], PasswordEnvironment);

        Assert.Equal(1, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("enforced").GetBoolean());
        Assert.Contains("the server does not require signing", json.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TamperedResponse_ExitOneNamingTheMessage()
    {
        await using var proxy = TamperProxy.Start(_servers.Mandatory.EndPoint, TamperProxy.NthSigned(1));

        CliRun run = await CliHarness.RunAsync(
            ["verify", $"//127.0.0.1:{proxy.Port.ToString(CultureInfo.InvariantCulture)}/{SambaServer.ShareName}", "-u", _servers.Mandatory.User, "--format", "json"],
            PasswordEnvironment);

        Assert.Equal(1, run.ExitCode);
        ProxiedMessage tampered = Assert.Single(proxy.Tampered);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement failure = Assert.Single(json.RootElement.GetProperty("failures").EnumerateArray());
        Assert.Equal(tampered.MessageId, failure.GetProperty("messageId").GetUInt64());
        Assert.Equal("response", failure.GetProperty("direction").GetString());
        Assert.False(json.RootElement.GetProperty("enforced").GetBoolean());
    }

    [Fact]
    public async Task Verify_WrongPassword_ExitTwoLogonFailure()
    {
        CliRun run = await CliHarness.RunAsync(["verify", Target(_servers.Mandatory), "-u", _servers.Mandatory.User],
            new Dictionary<string, string> { ["SMBSIGN_PASSWORD"] = "Wrong-Password-77" });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("logon failure", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Password-77", run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_UnknownShare_ExitTwoBadNetworkName()
    {
        CliRun run = await CliHarness.RunAsync(
            ["verify", $"//127.0.0.1:{_servers.Mandatory.Port.ToString(CultureInfo.InvariantCulture)}/nosuchshare", "-u", _servers.Mandatory.User, "--format", "json"],
            PasswordEnvironment);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no share named 'nosuchshare'", run.Error, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        Assert.Equal("bad-network-name", json.RootElement.GetProperty("errorKind").GetString());
    }

    [Fact]
    public async Task Verify_NothingListening_ExitTwo()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        CliRun run = await CliHarness.RunAsync(["verify", $"//127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/data", "-u", "a", "--timeout", "2000"], PasswordEnvironment);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("refused", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("json", false)]
    [InlineData("json", true)]
    [InlineData("table", true)]
    public async Task Verify_PasswordFromEnvironment_NeverPrinted(string format, bool verbose)
    {
        string[] args = ["verify", Target(_servers.Mandatory), "-u", _servers.Mandatory.User, "--format", format, .. verbose ? new[] { "--verbose" } : []];

        CliRun run = await CliHarness.RunAsync(args, PasswordEnvironment);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.DoesNotContain(SambaServer.Password, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(SambaServer.Password, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PasswordFile_AuthenticatesAndIsNeverPrinted()
    {
        string path = Path.Combine(Path.GetTempPath(), "smbsign-pw-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(path, SambaServer.Password + "\n");
        try
        {
            CliRun run = await CliHarness.RunAsync(["verify", Target(_servers.Mandatory), "-u", _servers.Mandatory.User, "--password-file", path, "--verbose", "--format", "json"]);

            Assert.True(run.ExitCode == 0, run.Output + run.Error);
            Assert.DoesNotContain(SambaServer.Password, run.Output + run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Target(SambaServer server) => $"//127.0.0.1:{server.Port.ToString(CultureInfo.InvariantCulture)}/{SambaServer.ShareName}";

    /// <summary>Three smbd instances shared by the class: mandatory signing (SMB2/3), mandatory SMB1 only, and signing not required.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        public SambaServer Mandatory { get; private set; } = null!;

        public SambaServer Smb1 { get; private set; } = null!;

        public SambaServer Optional { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Mandatory = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });
            Smb1 = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory", MinProtocol = "NT1", MaxProtocol = "NT1" });
            Optional = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "auto" });
        }

        public async Task DisposeAsync()
        {
            await Mandatory.DisposeAsync();
            await Smb1.DisposeAsync();
            await Optional.DisposeAsync();
        }
    }
}
