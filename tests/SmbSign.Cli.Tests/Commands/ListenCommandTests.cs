using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Testing;
using SmbSign.Wire.Listen;

namespace SmbSign.Cli.Tests.Commands;

/// <summary><c>smbsign listen</c> in-process with real smbclient clients on loopback.</summary>
public sealed class ListenCommandTests
{
    private const string User = "probeuser";
    private const string Password = "Cli-Listen-Pa55";

    [Theory]
    [InlineData("required", 0, true)]
    [InlineData("if_required", 1, false)]
    public async Task Unsigned_test_exit_code_and_json_follow_the_client(string signing, int expectedExit, bool enforces)
    {
        (CliRun run, string client) = await RunWithClientAsync(["--test", "unsigned", "--format", "json"], signing);
        Assert.True(run.ExitCode == expectedExit, $"{run.Error}\n{run.Output}\n{client}");
        using JsonDocument json = JsonDocument.Parse(run.Output);
        Assert.EndsWith("Z", json.RootElement.GetProperty("generatedAt").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("0.", json.RootElement.GetProperty("toolVersion").GetString(), StringComparison.Ordinal);
        JsonElement c = json.RootElement.GetProperty("clients")[0];
        Assert.Equal(signing == "required", c.GetProperty("requiresSigning").GetBoolean());
        Assert.Equal(enforces, c.GetProperty("enforcesSigning").GetBoolean());
        Assert.Equal("3.1.1", c.GetProperty("dialect").GetString());
        Assert.Equal("user", c.GetProperty("authentication").GetString());
        Assert.Equal(User, c.GetProperty("ntlm").GetProperty("user").GetString());
        Assert.True(c.GetProperty("prediction").GetProperty("agrees").GetBoolean());
        Assert.DoesNotContain(Password, run.Output + run.Error, StringComparison.Ordinal);
    }

    /// <summary>smbclient forced to NT1 is served at SMB1 and judged in JSON like an SMB2 client: SMB1 Flags2 from its
    /// SESSION_SETUP_ANDX, the SMB1 commands, and the engine's SMB1 prediction (both sides enable → signed).</summary>
    [Theory]
    [InlineData("required", 0, true)]
    [InlineData("if_required", 1, false)]
    public async Task Smb1_client_unsigned_test_json(string signing, int expectedExit, bool enforces)
    {
        (CliRun run, string client) = await RunWithClientAsync(["--test", "unsigned", "--format", "json"], signing, protocol: "NT1");
        Assert.True(run.ExitCode == expectedExit, $"{run.Error}\n{run.Output}\n{client}");
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement c = json.RootElement.GetProperty("clients")[0];
        Assert.Equal("smb1", c.GetProperty("dialect").GetString());
        Assert.Equal(signing == "required", c.GetProperty("requiresSigning").GetBoolean());
        Assert.Equal(enforces, c.GetProperty("enforcesSigning").GetBoolean());
        Assert.Contains("NT LM 0.12", c.GetProperty("dialectsOffered").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(signing == "required", c.GetProperty("smb1").GetProperty("sessionSetupFlags2").GetString()!.Contains("SecuritySignatureRequired", StringComparison.Ordinal));
        Assert.Contains("NT_CREATE_ANDX", c.GetProperty("commands").EnumerateArray().Select(d => d.GetString()));
        JsonElement prediction = c.GetProperty("prediction");
        Assert.Equal(signing == "required" ? "signed" : "not-signed", prediction.GetProperty("predicted").GetString());
        Assert.True(prediction.GetProperty("agrees").GetBoolean());
        Assert.DoesNotContain(Password, run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expect_required_fails_a_client_that_does_not_require_signing()
    {
        (CliRun run, _) = await RunWithClientAsync(["--expect-required", "--format", "jsonl"], "if_required");
        Assert.Equal(1, run.ExitCode);
        using JsonDocument line = JsonDocument.Parse(run.Output.Trim());
        Assert.Equal(JsonValueKind.String, line.RootElement.GetProperty("generatedAt").ValueKind);
        Assert.False(line.RootElement.GetProperty("requiresSigning").GetBoolean());
        Assert.Equal(JsonValueKind.Null, line.RootElement.GetProperty("enforcesSigning").ValueKind);
    }

    [Fact]
    public async Task Table_goes_to_a_new_file_and_an_existing_file_is_never_overwritten()
    {
        string path = Path.Combine(Path.GetTempPath(), $"smbsign-listen-{Guid.NewGuid():N}.txt");
        try
        {
            (CliRun run, _) = await RunWithClientAsync(["-o", path], "required");
            Assert.Equal(0, run.ExitCode);
            string table = await File.ReadAllTextAsync(path);
            Assert.Contains("3.1.1", table, StringComparison.Ordinal);
            Assert.Contains("observe mode answers correctly", table, StringComparison.Ordinal);

            CliRun again = await CliHarness.RunAsync(["listen", "--address", "127.0.0.1", "--port", "0", "-o", path, "--duration", "1"]);
            Assert.Equal(2, again.ExitCode);
            Assert.Contains("never overwrites", again.Error, StringComparison.Ordinal);
            Assert.Equal(table, await File.ReadAllTextAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new[] { "--password-file", "/nonexistent" }, "--password-file needs --user")]
    [InlineData(new[] { "--address", "not-an-ip" }, "is not an IP address")]
    [InlineData(new[] { "--test", "sideways" }, "sideways")]
    [InlineData(new[] { "--clients", "0" }, "--clients")]
    public async Task Usage_errors_exit_2_with_one_line(string[] extra, string message)
    {
        CliRun run = await CliHarness.RunAsync(["listen", "--port", "0", "--duration", "1", .. extra]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duration_stops_an_idle_listener_with_an_empty_report()
    {
        CliRun run = await CliHarness.RunAsync(["listen", "--address", "127.0.0.1", "--port", "0", "--duration", "0.5", "--format", "json"]);
        Assert.Equal(0, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        Assert.Equal(0, json.RootElement.GetProperty("clients").GetArrayLength());
        Assert.Equal("guest only (no --user)", json.RootElement.GetProperty("authentication").GetString());
    }

    [Fact]
    public void Engine_disagreement_is_noted_when_an_advertised_requirement_is_not_enforced()
    {
        var report = new ListenClientReport
        {
            Connection = 1,
            Remote = new IPEndPoint(IPAddress.Loopback, 50000),
            Started = DateTimeOffset.UnixEpoch,
            Duration = TimeSpan.FromSeconds(1),
            Mode = ListenTestMode.Unsigned,
            Dialect = Protocol.Dialect.Smb311,
            Authentication = ListenAuthentication.User,
            RequiresSigning = true,
            Enforcement = ClientEnforcementVerdict.NotEnforced,
            EnforcementReason = "used an unsigned CREATE response",
            End = "client closed",
        };
        ListenPredictionJson prediction = ListenRendering.Predict(report)!;
        Assert.Equal("signed", prediction.Predicted);
        Assert.Equal("not-signed", prediction.Observed);
        Assert.False(prediction.Agrees);
        Assert.Contains("advertised, not enforced", prediction.Note, StringComparison.Ordinal);

        ListenPredictionJson agreeing = ListenRendering.Predict(report with { RequiresSigning = false })!;
        Assert.Equal("not-signed", agreeing.Predicted);
        Assert.True(agreeing.Agrees);
        Assert.Null(agreeing.Note);
        Assert.Null(ListenRendering.Predict(report with { RequiresSigning = null }));
    }

    /// <summary>Runs <c>smbsign listen --clients 1</c> on a free loopback port with the password in SMBSIGN_PASSWORD, and one
    /// smbclient (<paramref name="protocol"/>, <paramref name="signing"/>) reading probe.txt with the password in an authentication file.</summary>
    private static async Task<(CliRun Run, string Client)> RunWithClientAsync(string[] extra, string signing, string protocol = "SMB3_11")
    {
        int port = FreePort();
        Task<CliRun> listen = CliHarness.RunAsync(
            ["listen", "--address", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--user", User, "--clients", "1", "--duration", "30", .. extra],
            new Dictionary<string, string> { ["SMBSIGN_PASSWORD"] = Password });
        string authFile = Path.Combine(Path.GetTempPath(), $"smbsign-listen-cli-{Guid.NewGuid():N}.auth");
        await File.WriteAllTextAsync(authFile, $"username = {User}\npassword = {Password}\ndomain = WORKGROUP\n");
        try
        {
            string smbclient = ToolLocator.Require("smbclient", "smbclient");
            string[] arguments =
            [
                "-s", "/dev/null", "//127.0.0.1/probe", "-p", port.ToString(CultureInfo.InvariantCulture), "-A", authFile, "-m", protocol,
                $"--option=client min protocol={protocol}", $"--option=client signing={signing}", "-c", "get probe.txt -",
            ];
            (int _, string output) = (0, string.Empty);
            for (int attempt = 0; attempt < 50; attempt++)
            {
                (_, output) = await ProcessRunner.RunAsync(smbclient, arguments, null, TimeSpan.FromSeconds(30));
                if (!output.Contains("NT_STATUS_CONNECTION_REFUSED", StringComparison.Ordinal))
                {
                    break;
                }

                await Task.Delay(100);
            }

            return (await listen, output);
        }
        finally
        {
            File.Delete(authFile);
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
