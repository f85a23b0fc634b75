using System.Globalization;
using System.Text.Json.Nodes;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Rendering;

/// <summary>
/// docs/schemas/audit.schema.json and scan.schema.json describe what the commands really write: real output (the sample
/// fleet's audit; scans of real Samba servers and of a closed port) validates against them, and a document with a field
/// nothing writes or a value of the wrong type fails validation and is refused by <c>smbsign fix</c> with one line, exit 2.
/// The validator is Debian's python3-jsonschema (draft 2020-12; scripts/test.sh installs it): an implementation that
/// shares no code with System.Text.Json, so a schema that only agrees with our own reader would not pass.
/// </summary>
public sealed class JsonSchemaTests : IDisposable
{
    private static readonly string s_schemas = Path.Combine(TestPaths.RepositoryRoot, "docs", "schemas");
    private static readonly string s_fleet = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet");
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "smbsign-schema-" + Guid.NewGuid().ToString("N")[..12]);

    public JsonSchemaTests() => Directory.CreateDirectory(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("plain")]
    [InlineData("--strict")]
    [InlineData("--failures-only")]
    public async Task Audit_RealOutput_ValidatesAndFixReadsIt(string option)
    {
        string audit = await AuditAsync(option == "plain" ? [] : [option]);

        (int code, string output) = await ValidateAsync("audit.schema.json", audit);

        Assert.True(code == 0, output);
        Assert.Contains("0 violation(s)", output, StringComparison.Ordinal);
        CliRun fix = await CliHarness.RunAsync(["fix", "--from", audit, "-t", "reg", "-o", Path.Combine(_temp, "fix-" + option.TrimStart('-')), "--format", "json"]);
        Assert.True(fix.ExitCode is ExitCodes.Success or ExitCodes.Findings, fix.Error);
    }

    [Theory]
    [InlineData("an unknown field", "guestOnly", "true", "unknown field \"guestOnly\"")]
    [InlineData("a number where the audit writes text", "expected", "1", "a value of the wrong type at $.machines[0].results[0].expected")]
    [InlineData("a status nothing writes", "status", "\"not-configured\"", "status \"not-configured\" is not one of")]
    public async Task Audit_NotWhatTheAuditWrites_FailsTheSchemaAndFixRefusesIt(string description, string field, string json, string message)
    {
        string audit = await AuditAsync([]);
        JsonNode document = JsonNode.Parse(await File.ReadAllTextAsync(audit))!;
        document["machines"]![0]!["results"]![0]![field] = JsonNode.Parse(json);
        string bad = Path.Combine(_temp, "bad-audit.json");
        await File.WriteAllTextAsync(bad, document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

        (int code, string output) = await ValidateAsync("audit.schema.json", bad);
        CliRun fix = await CliHarness.RunAsync(["fix", "--from", bad, "-t", "reg", "-o", Path.Combine(_temp, "never")]);

        Assert.True(code == 1, $"{description}: the schema accepted it: {output}");
        Assert.Equal(ExitCodes.UsageOrInput, fix.ExitCode);
        string line = Assert.Single(fix.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(bad + ":", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("SmbSign.", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp, "never")));
    }

    [Fact]
    public async Task Scan_RealOutput_JsonAndJsonl_ValidateAndFixReadsThem()
    {
        await using SambaServer legacy = await SambaServer.StartAsync(new SambaServerOptions { MinProtocol = "NT1", MaxProtocol = "NT1", ServerSigning = "disabled" });
        await using SambaServer modern = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });
        // Nothing listens on a fresh loopback port: the row carries an error object.
        string closed = "127.0.0.1:" + LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture);
        string[] targets = [$"127.0.0.1:{legacy.Port}", $"127.0.0.1:{modern.Port}", closed];

        foreach ((string format, bool lines) in new[] { ("json", false), ("jsonl", true) })
        {
            string scan = Path.Combine(_temp, "scan." + format);
            CliRun run = await CliHarness.RunAsync(["scan", .. targets, "--format", format, "--client-os", "win11-24h2-enterprise", "-o", scan]);
            Assert.True(File.Exists(scan), run.Error + run.Output);
            string text = await File.ReadAllTextAsync(scan);
            Assert.Contains("\"kind\"", text, StringComparison.Ordinal);

            (int code, string output) = await ValidateAsync("scan.schema.json", scan, lines);

            Assert.True(code == 0, format + ": " + output);
            Assert.Contains(lines ? "3 instance(s), 0 violation(s)" : "1 instance(s), 0 violation(s)", output, StringComparison.Ordinal);
            CliRun fix = await CliHarness.RunAsync(["fix", "--baseline", "signing", "-t", "reg", "--scan", scan, "-o", Path.Combine(_temp, "fix-" + format), "--format", "json"]);
            // Requiring signing breaks the SMB1 server without signing: fix read every row.
            Assert.True(fix.ExitCode == ExitCodes.Findings, format + ": " + fix.Error);
            Assert.Contains($"127.0.0.1:{legacy.Port}", fix.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("an unknown field", "guestOnly", "true", "unknown field \"guestOnly\" at $[0].guestOnly")]
    [InlineData("a string where the scan writes a number", "port", "\"445\"", "a value of the wrong type at $[0].port")]
    [InlineData("a signing token nothing writes", "smb1", "{\"enabled\": true, \"signing\": \"auto\"}", "smb1.signing \"auto\" is not one of")]
    public async Task Scan_NotWhatTheScanWrites_FailsTheSchemaAndFixRefusesIt(string description, string field, string json, string message)
    {
        string scan = Path.Combine(_temp, "closed.json");
        CliRun run = await CliHarness.RunAsync(["scan", "127.0.0.1:" + LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture), "--format", "json", "-o", scan]);
        Assert.True(File.Exists(scan), run.Error);
        JsonNode document = JsonNode.Parse(await File.ReadAllTextAsync(scan))!;
        document[0]![field] = JsonNode.Parse(json);
        string bad = Path.Combine(_temp, "bad-scan.json");
        await File.WriteAllTextAsync(bad, document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

        (int code, string output) = await ValidateAsync("scan.schema.json", bad);
        CliRun fix = await CliHarness.RunAsync(["fix", "--baseline", "signing", "-t", "reg", "--scan", bad, "-o", Path.Combine(_temp, "never")]);

        Assert.True(code == 1, $"{description}: the schema accepted it: {output}");
        Assert.Equal(ExitCodes.UsageOrInput, fix.ExitCode);
        string line = Assert.Single(fix.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(bad + ":", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp, "never")));
    }

    private async Task<string> AuditAsync(string[] options)
    {
        string audit = Path.Combine(_temp, "audit" + string.Concat(options) + ".json");
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, "--format", "json", .. options, "-o", audit]);
        Assert.True(File.Exists(audit), run.Error);
        return audit;
    }

    private static Task<(int ExitCode, string Output)> ValidateAsync(string schema, string document, bool lines = false)
    {
        List<string> arguments = [Path.Combine(AppContext.BaseDirectory, "TestData", "validate-json-schema.py"), Path.Combine(s_schemas, schema), document];
        if (lines)
        {
            arguments.Add("--lines");
        }

        return ProcessRunner.RunAsync("/usr/bin/python3", arguments, null, TimeSpan.FromSeconds(60));
    }
}
