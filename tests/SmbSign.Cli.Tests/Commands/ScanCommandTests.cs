using System.Globalization;
using System.Text.Json;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Commands;

/// <summary><c>smbsign scan</c> end to end against a real smbd (SMB1 + SMB2, signing auto) and a closed port.</summary>
public sealed class ScanCommandTests : IAsyncLifetime
{
    private SambaServer? _server;

    private string Port => _server!.Port.ToString(CultureInfo.InvariantCulture);

    public async Task InitializeAsync() =>
        _server = await SambaServer.StartAsync(new SambaServerOptions { MinProtocol = "NT1", MaxProtocol = "SMB3_11", ServerSigning = "auto" });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Json_HasExactlyTheDocumentedFields()
    {
        CliRun run = await CliHarness.RunAsync(["scan", "127.0.0.1", "-p", Port, "--format", "json", "--timeout", "5000"]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement row = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.Equal(["generatedAt", "toolVersion", "target", "port", "reachable", "smb1", "smb2", "host", "relayTarget", "clientOutcome", "error"], row.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["enabled", "signing"], row.GetProperty("smb1").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["enabled", "dialect", "dialects", "signing", "signingAlgorithm", "signingAlgorithms", "cipher", "serverGuid", "mechanisms", "capabilities"],
            row.GetProperty("smb2").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["netbiosName", "dnsName", "domain", "osVersion"], row.GetProperty("host").EnumerateObject().Select(p => p.Name));
        Assert.Equal("127.0.0.1", row.GetProperty("target").GetString());
        // SMB2 does not require signing, so without --deep SMB1 is not asked (it cannot change the relay verdict): null.
        Assert.Equal(JsonValueKind.Null, row.GetProperty("smb1").GetProperty("enabled").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("smb1").GetProperty("signing").ValueKind);
        Assert.Equal("3.1.1", row.GetProperty("smb2").GetProperty("dialect").GetString());
        Assert.Equal("enabled", row.GetProperty("smb2").GetProperty("signing").GetString());
        Assert.Equal("AES-GMAC", row.GetProperty("smb2").GetProperty("signingAlgorithm").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("smb2").GetProperty("dialects").ValueKind);
        Assert.Contains("NTLMSSP", row.GetProperty("smb2").GetProperty("mechanisms").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("SMBSIGNFIX", row.GetProperty("host").GetProperty("netbiosName").GetString());
        Assert.True(row.GetProperty("relayTarget").GetBoolean());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("clientOutcome").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Json_Deep_ReportsSmb1AndEveryAcceptedDialectAndAlgorithm()
    {
        CliRun run = await CliHarness.RunAsync(["scan", "127.0.0.1", "-p", Port, "--format", "json", "--timeout", "5000", "--deep"]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement row = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.True(row.GetProperty("smb1").GetProperty("enabled").GetBoolean());
        Assert.Equal("enabled", row.GetProperty("smb1").GetProperty("signing").GetString());
        Assert.Equal(["2.0.2", "2.1", "3.0", "3.0.2", "3.1.1"], row.GetProperty("smb2").GetProperty("dialects").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["AES-GMAC", "AES-CMAC", "HMAC-SHA256"], row.GetProperty("smb2").GetProperty("signingAlgorithms").EnumerateArray().Select(e => e.GetString()));
        Assert.True(row.GetProperty("relayTarget").GetBoolean());
    }

    [Theory]
    [InlineData("win10", "not-signed")] // neither side requires signing: SMB 2/3 sessions go unsigned
    [InlineData("win11-24h2-enterprise", "signed")] // 24H2 Enterprise requires client signing by default
    public async Task ClientOs_JoinsOutcomeEngine(string clientOs, string expected)
    {
        CliRun run = await CliHarness.RunAsync(["scan", "127.0.0.1", "-p", Port, "--format", "json", "--timeout", "5000", "--client-os", clientOs]);

        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement row = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.Equal(expected, row.GetProperty("clientOutcome").GetString());
    }

    [Fact]
    public async Task ClientConfig_RequireSigningInRegExport_Signed()
    {
        string reg = Path.Combine(Path.GetTempPath(), $"smbsign-client-{Guid.NewGuid():N}.reg");
        await File.WriteAllTextAsync(reg, "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n\"RequireSecuritySignature\"=dword:00000001\r\n");
        try
        {
            CliRun run = await CliHarness.RunAsync(["scan", "127.0.0.1", "-p", Port, "--format", "json", "--timeout", "5000", "--client-os", "win10", "--client-config", reg]);

            Assert.True(run.Output.Length > 0, run.Error);
            using JsonDocument doc = JsonDocument.Parse(run.Output);
            Assert.Equal("signed", Assert.Single(doc.RootElement.EnumerateArray().ToList()).GetProperty("clientOutcome").GetString());
        }
        finally
        {
            File.Delete(reg);
        }
    }

    [Fact]
    public async Task ClientOs_Unknown_ExitsTwo()
    {
        CliRun run = await CliHarness.RunAsync(["scan", "127.0.0.1", "-p", Port, "--client-os", "win95"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("win95", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jsonl_UnreachableTarget_HasErrorAndNullFields()
    {
        CliRun run = await CliHarness.RunAsync(["scan", "127.0.0.1:1", "--format", "jsonl", "--timeout", "2000"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output.Trim());
        Assert.False(doc.RootElement.GetProperty("reachable").GetBoolean());
        Assert.Equal(1, doc.RootElement.GetProperty("port").GetInt32());
        Assert.Equal("refused", doc.RootElement.GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("relayTarget").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("smb2").GetProperty("enabled").ValueKind);
    }

    [Fact]
    public async Task Csv_HeaderAndOneRowPerTargetInInputOrder()
    {
        CliRun run = await CliHarness.RunAsync(["scan", $"127.0.0.1:{Port}", "127.0.0.1:1", "--format", "csv"]);

        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("target,port,reachable,smb1.enabled,smb1.signing,smb2.enabled,smb2.dialect", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"127.0.0.1,{Port},true,,,true,3.1.1,,enabled,AES-GMAC,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("127.0.0.1,1,false,", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_SaysNotRequiredPerFamilyAndSummarises()
    {
        CliRun run = await CliHarness.RunAsync(["scan", $"127.0.0.1:{Port}"]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        Assert.Contains("not required", run.Output, StringComparison.Ordinal);
        Assert.Contains("SMBSIGNFIX", run.Output, StringComparison.Ordinal);
        Assert.Contains("1 target(s): 1 reachable, 1 relay target(s)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelayList_And_OutputFile_WrittenAtomically()
    {
        string dir = Path.Combine(Path.GetTempPath(), "smbsign-scan-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string relay = Path.Combine(dir, "relay.txt");
            string report = Path.Combine(dir, "report.jsonl");
            CliRun run = await CliHarness.RunAsync(["scan", $"127.0.0.1:{Port}", $"127.0.0.1:{Port}", "127.0.0.1:1", "--format", "jsonl", "-o", report, "--relay-list", relay]);

            Assert.Equal(ExitCodes.Findings, run.ExitCode);
            Assert.Equal(string.Empty, run.Output);
            Assert.Equal($"127.0.0.1:{Port}\n", File.ReadAllText(relay));
            Assert.Equal(3, File.ReadAllLines(report).Length);
            Assert.Equal(["relay.txt", "report.jsonl"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("bad octet", new[] { "scan", "10.0.0.300" }, "10.0.0.300")]
    [InlineData("no targets", new[] { "scan" }, "no targets")]
    [InlineData("bad rate", new[] { "scan", "127.0.0.1", "--rate", "fast" }, "--rate")]
    [InlineData("bad shard", new[] { "scan", "127.0.0.1", "--shard", "5/4" }, "--shard")]
    [InlineData("unknown client OS id", new[] { "scan", "127.0.0.1", "--client-os", "win11", "--client-config", "/etc/hostname" }, "unknown OS id")]
    [InlineData("missing list", new[] { "scan", "-iL", "/nonexistent/targets.txt" }, "does not exist")]
    [InlineData("bad format", new[] { "scan", "127.0.0.1", "--format", "sarif" }, "sarif")]
    [InlineData("zero timeout", new[] { "scan", "127.0.0.1", "--timeout", "0" }, "--timeout")]
    public async Task BadInput_ExitsTwoWithMessage(string description, string[] args, string expected)
    {
        CliRun run = await CliHarness.RunAsync(args);

        Assert.True(run.ExitCode == ExitCodes.UsageOrInput, $"{description}: exit {run.ExitCode} {run.Error}");
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputList_BadLine_ReportsFileAndLine()
    {
        string file = Path.Combine(Path.GetTempPath(), $"smbsign-targets-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "127.0.0.1\nnot a target!\n");
        try
        {
            CliRun run = await CliHarness.RunAsync(["scan", "-iL", file]);

            Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
            Assert.Contains($"{file}:2:", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
