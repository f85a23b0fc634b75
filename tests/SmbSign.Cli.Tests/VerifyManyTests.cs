using System.Globalization;
using System.Text.Json;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests;

/// <summary><c>verify TARGETS... --share</c> against three smbd "hosts" (127.0.0.1, each on its own port: Samba binds only
/// addresses an interface holds, and lo holds only 127.0.0.1 here) with different signing settings,
/// and the NT-hash logon (<c>--nt-hash-file</c>) with the hash Samba itself stores for the user (pdbedit -w).</summary>
public sealed class VerifyManyTests : IClassFixture<VerifyManyTests.Hosts>
{
    private readonly Hosts _hosts;

    public VerifyManyTests(Hosts hosts) => _hosts = hosts;

    private static Dictionary<string, string> PasswordEnvironment => new() { ["SMBSIGN_PASSWORD"] = SambaServer.Password };

    private static string HostPort(SambaServer server) => SambaServer.Host + ":" + server.Port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task ManyHosts_Jsonl_OneLinePerHostInOrderThenSummary()
    {
        CliRun run = await CliHarness.RunAsync(
            ["verify", HostPort(_hosts.Mandatory), HostPort(_hosts.Auto), HostPort(_hosts.Disabled), "--share", SambaServer.ShareName,
             "-u", _hosts.Mandatory.User, "--format", "jsonl", "--concurrency", "3"],
            PasswordEnvironment);

        Assert.True(run.ExitCode == 1, run.Output + run.Error);
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        JsonElement[] hosts = [.. lines.Take(3).Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.True(
            new[] { $"//{HostPort(_hosts.Mandatory)}/{SambaServer.ShareName}", $"//{HostPort(_hosts.Auto)}/{SambaServer.ShareName}", $"//{HostPort(_hosts.Disabled)}/{SambaServer.ShareName}" }
                .SequenceEqual(hosts.Select(h => h.GetProperty("target").GetString())),
            run.Output);
        Assert.Equal(["enforced", "not-enforced", "not-enforced"], hosts.Select(h => h.GetProperty("verdict").GetString()));
        Assert.All(hosts, h => Assert.True(h.TryGetProperty("generatedAt", out _)));
        Assert.All(hosts, h => Assert.Equal(JsonValueKind.Null, h.GetProperty("error").ValueKind));
        JsonElement summary = JsonDocument.Parse(lines[3]).RootElement.GetProperty("summary");
        Assert.Equal(3, summary.GetProperty("hosts").GetInt32());
        Assert.Equal(1, summary.GetProperty("enforced").GetInt32());
        Assert.Equal(2, summary.GetProperty("notEnforced").GetInt32());
        Assert.Equal(0, summary.GetProperty("errors").GetInt32());
    }

    [Fact]
    public async Task ManyHosts_UnreachableHostIsAnErrorVerdict_TableSummary()
    {
        CliRun run = await CliHarness.RunAsync(
            ["verify", HostPort(_hosts.Mandatory), "127.0.0.5:" + _hosts.Mandatory.Port.ToString(CultureInfo.InvariantCulture), "--share", SambaServer.ShareName,
             "-u", _hosts.Mandatory.User, "--timeout", "3000"],
            PasswordEnvironment);

        Assert.True(run.ExitCode == 1, run.Output + run.Error);
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines[0].Contains(" enforced ", StringComparison.Ordinal), run.Output);
        Assert.Contains("error", lines[1], StringComparison.Ordinal);
        Assert.Equal("2 hosts: 1 enforced, 0 not enforced, 0 untested, 0 with signature failures, 1 errors", lines[2]);
    }

    [Fact]
    public async Task NtHashFile_SameResultAsThePassword()
    {
        string hashFile = Path.Combine(_hosts.Mandatory.Root, "nt.hash");
        await File.WriteAllTextAsync(hashFile, await NtHashFromSambaAsync(_hosts.Mandatory) + "\n");
        string target = $"//{HostPort(_hosts.Mandatory)}/{SambaServer.ShareName}";

        CliRun withPassword = await CliHarness.RunAsync(["verify", target, "-u", _hosts.Mandatory.User, "--dialect", "3.1.1", "--format", "json"], PasswordEnvironment);
        CliRun withHash = await CliHarness.RunAsync(["verify", target, "-u", _hosts.Mandatory.User, "--dialect", "3.1.1", "--format", "json", "--nt-hash-file", hashFile]);

        Assert.True(withHash.ExitCode == 0, withHash.Output + withHash.Error);
        Assert.True(withPassword.ExitCode == withHash.ExitCode, withPassword.Output + withPassword.Error);
        using JsonDocument a = JsonDocument.Parse(withPassword.Output);
        using JsonDocument b = JsonDocument.Parse(withHash.Output);
        foreach (string field in new[] { "dialect", "signingAlgorithm", "verdict", "messages", "signed", "verified", "enforced" })
        {
            Assert.Equal(a.RootElement.GetProperty(field).ToString(), b.RootElement.GetProperty(field).ToString());
        }
    }

    [Fact]
    public async Task NtHashFile_WrongHash_LogonFailure()
    {
        string hashFile = Path.Combine(_hosts.Mandatory.Root, "wrong.hash");
        await File.WriteAllTextAsync(hashFile, new string('0', 32));

        CliRun run = await CliHarness.RunAsync(["verify", $"//{HostPort(_hosts.Mandatory)}/{SambaServer.ShareName}", "-u", _hosts.Mandatory.User, "--nt-hash-file", hashFile]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("logon failure", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz112233445566778899aabbccddeeff")]
    public async Task NtHashFile_NotAHash_OneLineWithoutEchoingIt(string content)
    {
        string hashFile = Path.Combine(_hosts.Mandatory.Root, "bad-" + content.Length.ToString(CultureInfo.InvariantCulture) + ".hash");
        await File.WriteAllTextAsync(hashFile, content);

        CliRun run = await CliHarness.RunAsync(["verify", $"//{HostPort(_hosts.Mandatory)}/{SambaServer.ShareName}", "-u", _hosts.Mandatory.User, "--nt-hash-file", hashFile]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"--nt-hash-file: {hashFile} line 1: expected 32 hexadecimal digits", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(content, run.Error, StringComparison.Ordinal);
    }

    /// <summary>The NT hash Samba stored for the fixture's user (<c>pdbedit -L -w</c>: user:uid:LM:NT:flags:lct).</summary>
    private static async Task<string> NtHashFromSambaAsync(SambaServer server)
    {
        (int code, string output) = await ProcessRunner.RunAsync(
            ToolLocator.Require("pdbedit", "samba"), ["-s", server.ConfigPath, "-L", "-w", "-u", server.User], null, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, output);
        string line = output.Split('\n').First(l => l.StartsWith(server.User + ":", StringComparison.Ordinal));
        return line.Split(':')[3];
    }

    /// <summary>Three smbd: signing mandatory, auto (offered, not required), disabled.</summary>
    public sealed class Hosts : IAsyncLifetime
    {
        public SambaServer Mandatory { get; private set; } = null!;

        public SambaServer Auto { get; private set; } = null!;

        public SambaServer Disabled { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Mandatory = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });
            Auto = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "auto" });
            Disabled = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "disabled" });
        }

        public async Task DisposeAsync()
        {
            await Mandatory.DisposeAsync();
            await Auto.DisposeAsync();
            await Disabled.DisposeAsync();
        }
    }
}
