using System.Buffers.Binary;
using System.Text.Json;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests;

/// <summary>Runs <c>smbsign audit</c> on the bundled sample fleet and on hand-made broken inputs.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private static readonly string[] s_statuses = ["pass", "fail", "not-applicable", "error"];
    private static readonly string[] s_levels = ["error", "warning", "note"];
    private static readonly string s_fleet = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet");
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "smbsign-audit-cli-" + Guid.NewGuid().ToString("N"));

    public AuditCommandTests()
    {
        Directory.CreateDirectory(_temp);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Fleet_Json_HasEveryMachineAndTheDocumentedFields()
    {
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, "--format", "json"]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement root = doc.RootElement;
        Assert.Equal("per-machine", root.GetProperty("benchmark").GetString());
        JsonElement[] machines = [.. root.GetProperty("machines").EnumerateArray()];
        Assert.Equal(20, machines.Length);
        Assert.Equal(20, root.GetProperty("summary").GetProperty("machines").GetInt32());
        foreach (JsonElement machine in machines)
        {
            Assert.False(string.IsNullOrEmpty(machine.GetProperty("name").GetString()));
            Assert.Equal(JsonValueKind.String, machine.GetProperty("os").ValueKind);
            foreach (JsonElement result in machine.GetProperty("results").EnumerateArray())
            {
                string setting = result.GetProperty("setting").GetString()!;
                Assert.True(SettingsCatalog.Default.TryGetById(setting, out SettingDefinition? definition), setting);
                Assert.Contains(result.GetProperty("status").GetString(), s_statuses);
                JsonElement registry = result.GetProperty("registry");
                Assert.Equal(definition.ValueType.ToRegName(), registry.GetProperty("type").GetString());
                Assert.StartsWith("HKLM\\", registry.GetProperty("key").GetString(), StringComparison.Ordinal);
                // One type per field: values are text whatever the registry type (the type is registry.type).
                Assert.Equal(JsonValueKind.String, result.GetProperty("expected").ValueKind);
                Assert.True(result.TryGetProperty("configured", out _));
                Assert.True(result.TryGetProperty("effective", out _));
                Assert.True(result.TryGetProperty("source", out _));
            }
        }
    }

    [Fact]
    public async Task Fleet_Json_TriStateIsHonest()
    {
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, "--format", "json"]);
        using JsonDocument doc = JsonDocument.Parse(run.Output);

        // 24H2 Pro, RequireSecuritySignature absent: effective 1 (required by default) passes, --strict would fail it.
        JsonElement win11 = Result(doc, "ws-win11-24h2-01", "2.3.8.1");
        Assert.Equal("pass", win11.GetProperty("status").GetString());
        Assert.Equal("default", win11.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, win11.GetProperty("configured").ValueKind);
        Assert.Equal("1", win11.GetProperty("effective").GetString());
        Assert.True(win11.GetProperty("effectiveCompliant").GetBoolean());
        Assert.True(win11.GetProperty("strictFailure").GetBoolean());

        // Windows 10, absent: effective 0, which fails.
        JsonElement win10 = Result(doc, "ws-win10-01", "2.3.8.1");
        Assert.Equal("fail", win10.GetProperty("status").GetString());
        Assert.Equal("not-configured", win10.GetProperty("reason").GetString());
        Assert.Equal("0", win10.GetProperty("effective").GetString());
        Assert.False(win10.GetProperty("effectiveCompliant").GetBoolean());

        // Intune-only tenant: audited against the Intune benchmark, nothing fails.
        JsonElement tenant = Machine(doc, "intune-tenant-win11");
        Assert.Equal("cis-intune-windows", tenant.GetProperty("benchmark").GetString());
        Assert.Equal(0, tenant.GetProperty("counts").GetProperty("fail").GetInt32());
        Assert.Equal("pass", Result(doc, "intune-tenant-win11", "49.12").GetProperty("status").GetString());

        // Hardened UNC written in another order and spacing still passes; without RequirePrivacy it fails.
        Assert.Equal("pass", Result(doc, "ws-win11-23h2-02", "18.6.14.1-NETLOGON").GetProperty("status").GetString());
        Assert.Equal("fail", Result(doc, "ws-win11-23h2-01", "18.6.14.1-NETLOGON").GetProperty("status").GetString());

        // Precedence: the GPO template's 1 overrides the local 0, with the template's file and line.
        JsonElement precedence = Result(doc, "ws-win11-24h2-04", "2.3.8.1");
        Assert.Equal("pass", precedence.GetProperty("status").GetString());
        Assert.Equal("group-policy", precedence.GetProperty("layer").GetString());
        Assert.EndsWith("ws-win11-24h2-04.GptTmpl.inf:9", precedence.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Equal("0", precedence.GetProperty("overridden")[0].GetProperty("value").GetString());

        // Server service disabled: server-side items are moot.
        Assert.Equal("not-applicable", Result(doc, "ws-win11-23h2-02", "2.3.9.2").GetProperty("status").GetString());

        // A domain controller: the member-only item is not applicable.
        Assert.Equal("not-applicable", Result(doc, "dc-server2022-01", "2.3.9.5").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Fleet_Strict_FailsCompliantDefaultsTheBenchmarkWantsSet()
    {
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, "--format", "json", "--strict"]);

        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.True(doc.RootElement.GetProperty("strict").GetBoolean());
        Assert.Equal("fail", Result(doc, "ws-win11-24h2-01", "2.3.8.1").GetProperty("status").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("summary").GetProperty("strictFailures").GetInt32());
    }

    [Fact]
    public async Task Fleet_Sarif_HasTheRequiredStructure()
    {
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, "--format", "sarif"]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement root = doc.RootElement;
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        Assert.Contains("sarif", root.GetProperty("$schema").GetString(), StringComparison.Ordinal);
        JsonElement run0 = root.GetProperty("runs")[0];
        JsonElement driver = run0.GetProperty("tool").GetProperty("driver");
        Assert.Equal("smbsign", driver.GetProperty("name").GetString());
        string[] ruleIds = [.. driver.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];
        Assert.Equal(ruleIds.Length, ruleIds.Distinct(StringComparer.Ordinal).Count());
        foreach (JsonElement rule in driver.GetProperty("rules").EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(rule.GetProperty("shortDescription").GetProperty("text").GetString()));
            Assert.False(string.IsNullOrEmpty(rule.GetProperty("help").GetProperty("text").GetString()));
        }

        JsonElement[] results = [.. run0.GetProperty("results").EnumerateArray()];
        Assert.NotEmpty(results);
        Assert.Contains(results, r => r.GetProperty("properties").GetProperty("status").GetString() == "fail");
        bool anyLine = false;
        foreach (JsonElement result in results)
        {
            string ruleId = result.GetProperty("ruleId").GetString()!;
            int index = result.GetProperty("ruleIndex").GetInt32();
            Assert.Equal(ruleIds[index], ruleId);
            Assert.Contains(result.GetProperty("level").GetString(), s_levels);
            Assert.False(string.IsNullOrEmpty(result.GetProperty("message").GetProperty("text").GetString()));
            JsonElement physical = result.GetProperty("locations")[0].GetProperty("physicalLocation");
            string uri = physical.GetProperty("artifactLocation").GetProperty("uri").GetString()!;
            Assert.True(Uri.TryCreate(uri, UriKind.RelativeOrAbsolute, out _), uri);
            Assert.DoesNotContain(" ", uri, StringComparison.Ordinal);
            if (physical.TryGetProperty("region", out JsonElement region) && region.TryGetProperty("startLine", out JsonElement line))
            {
                Assert.True(line.GetInt32() >= 1);
                anyLine = true;
            }
        }

        Assert.True(anyLine);
    }

    [Fact]
    public async Task Fleet_Csv_HasAHeaderAndOneRowPerMachinePerRule()
    {
        CliRun json = await CliHarness.RunAsync(["audit", s_fleet, "--format", "json"]);
        CliRun csv = await CliHarness.RunAsync(["audit", s_fleet, "--format", "csv"]);

        using JsonDocument doc = JsonDocument.Parse(json.Output);
        int results = doc.RootElement.GetProperty("machines").EnumerateArray().Sum(m => m.GetProperty("results").GetArrayLength());
        string[] lines = csv.Output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("machine,os,role,benchmark,rule,item,level,setting,title,status", lines[0], StringComparison.Ordinal);
        Assert.Equal(results + 1, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("ws-win10-01,win10,workstation,cis-win11-23h2,2.3.8.1,", StringComparison.Ordinal) && l.Contains(",fail,", StringComparison.Ordinal) && l.EndsWith(",not-configured,true,fail", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Findings, csv.ExitCode);
    }

    [Fact]
    public async Task Fleet_Table_ShowsEveryMachineAndTheFleetSummary()
    {
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        foreach (string name in (string[])["ws-win10-01", "samba-legacy", "intune-tenant-win11", "dc-server2022-01", "srv-server2025-03"])
        {
            Assert.Contains(name, run.Output, StringComparison.Ordinal);
        }

        Assert.Contains("Fleet summary", run.Output, StringComparison.Ordinal);
        Assert.Contains("20 machine(s)", run.Output, StringComparison.Ordinal);
        Assert.Contains("not-configured", run.Output, StringComparison.Ordinal);
        Assert.StartsWith("Failing machines: ", run.Output.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompliantMachine_ExitsZero()
    {
        string inf = Path.Combine(s_fleet, "srv-server2022-01.GptTmpl.inf");
        string pol = Path.Combine(s_fleet, "srv-server2022-01.Registry.pol");

        CliRun run = await CliHarness.RunAsync(["audit", "--machine", $"fs1={inf},{pol}", "--os", "server2022", "--format", "json"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal("cis-server2022", doc.RootElement.GetProperty("benchmark").GetString());
        Assert.Equal("fs1", doc.RootElement.GetProperty("machines")[0].GetProperty("name").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("summary").GetProperty("fail").GetInt32());
    }

    [Fact]
    public async Task Benchmark_ExplicitId_AppliesToEveryMachine()
    {
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, "--benchmark", "msft-win11-24h2", "--format", "json"]);

        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal("msft-win11-24h2", doc.RootElement.GetProperty("benchmark").GetString());
        Assert.All(doc.RootElement.GetProperty("machines").EnumerateArray(), m => Assert.Equal("msft-win11-24h2", m.GetProperty("benchmark").GetString()));
    }

    [Fact]
    public async Task ListBenchmarks_NamesEveryPack()
    {
        CliRun run = await CliHarness.RunAsync(["audit", "--list-benchmarks", "--format", "json"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        string[] ids = [.. doc.RootElement.GetProperty("benchmarks").EnumerateArray().Select(b => b.GetProperty("id").GetString()!)];
        Assert.Contains("cis-win11-24h2", ids);
        Assert.Contains("cis-server2025", ids);
        Assert.Contains("cis-intune-windows", ids);
        Assert.Contains("msft-win11-24h2", ids);
    }

    [Theory]
    [InlineData("no path", new[] { "audit" }, "give at least one PATH")]
    [InlineData("unknown benchmark", new[] { "audit", "x.reg", "--benchmark", "cis-win95" }, "unknown benchmark 'cis-win95'")]
    [InlineData("unknown OS", new[] { "audit", "x.reg", "--os", "win12" }, "unknown OS profile 'win12'")]
    [InlineData("unknown role", new[] { "audit", "x.reg", "--role", "kiosk" }, "unknown role 'kiosk'")]
    [InlineData("bad --machine", new[] { "audit", "--machine", "fs01" }, "expected NAME=FILE")]
    [InlineData("bad format", new[] { "audit", "x.reg", "--format", "html" }, "--format")]
    public async Task UsageErrors_ExitTwoWithAMessage(string description, string[] args, string expected)
    {
        CliRun run = await CliHarness.RunAsync(args);

        Assert.True(run.ExitCode == ExitCodes.UsageOrInput, description);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingPath_ExitsTwo_OtherInputsStillAudited()
    {
        CliRun run = await CliHarness.RunAsync(["audit", Path.Combine(_temp, "nope.reg"), Path.Combine(s_fleet, "ws-win10-01.reg"), "--format", "json"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("nope.reg: no such file or folder", run.Error, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal("ws-win10-01", doc.RootElement.GetProperty("machines")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Output_WritesTheReportAtomically_AndNeverOverAnInput()
    {
        string input = Copy("ws-win10-01.reg");
        string report = Path.Combine(_temp, "out", "audit.json");

        CliRun written = await CliHarness.RunAsync(["audit", input, "--format", "json", "-o", report]);
        CliRun refused = await CliHarness.RunAsync(["audit", input, "--format", "json", "-o", input]);

        Assert.Equal(ExitCodes.Findings, written.ExitCode);
        Assert.Equal(string.Empty, written.Output);
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(report)))
        {
            Assert.Equal(1, doc.RootElement.GetProperty("summary").GetProperty("machines").GetInt32());
        }

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(report)!, "*.tmp"));
        Assert.Equal(ExitCodes.UsageOrInput, refused.ExitCode);
        Assert.Contains("is one of the inputs", refused.Error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(s_fleet, "ws-win10-01.reg")), File.ReadAllBytes(input));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sarif")]
    [InlineData("csv")]
    [InlineData("table")]
    public async Task Output_ExistingFile_IsNeverReplaced_ExitTwo(string format)
    {
        string input = Copy("ws-win10-01.reg");
        string existing = Path.Combine(_temp, "previous-report." + format);
        File.WriteAllText(existing, "an earlier report");

        CliRun run = await CliHarness.RunAsync(["audit", input, "--format", format, "-o", existing]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("already exists", run.Error, StringComparison.Ordinal);
        Assert.Equal("an earlier report", File.ReadAllText(existing));
        Assert.Empty(Directory.GetFiles(_temp, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sarif")]
    public async Task Output_StreamedJson_IsTheSameDocumentAsOnStdout(string format)
    {
        string report = Path.Combine(_temp, "report." + format);

        FakeTimeProvider time = new(DateTimeOffset.UnixEpoch.AddDays(20_000));
        CliRun toFile = await CliHarness.RunAsync(["audit", s_fleet, "--format", format, "-o", report], time: time);
        CliRun toStdout = await CliHarness.RunAsync(["audit", s_fleet, "--format", format], time: time);

        Assert.Equal(ExitCodes.Findings, toFile.ExitCode);
        Assert.Equal(ExitCodes.Findings, toStdout.ExitCode);
        string written = File.ReadAllText(report);
        Assert.EndsWith("\n", written, StringComparison.Ordinal);
        Assert.Equal(toStdout.Output.ReplaceLineEndings("\n"), written.ReplaceLineEndings("\n"));
        using JsonDocument doc = JsonDocument.Parse(written);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
    }

    [Fact]
    public async Task Live_ReadsTheLocalRegistryOnWindows_ElsewhereExitsTwoWithTheReason()
    {
        CliRun run = await CliHarness.RunAsync(["audit", "--live", "--os", "win11-24h2-enterprise", "--format", "json"]);

        if (OperatingSystem.IsWindows())
        {
            Assert.InRange(run.ExitCode, ExitCodes.Success, ExitCodes.UsageOrInput);
            using JsonDocument doc = JsonDocument.Parse(run.Output);
            Assert.Equal(Environment.MachineName, Machine(doc, Environment.MachineName).GetProperty("name").GetString());
        }
        else
        {
            Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
            Assert.Contains("runs only on Windows", run.Error, StringComparison.Ordinal);
            Assert.Equal(string.Empty, run.Output);
        }
    }

    public static TheoryData<string, string, byte[], string, string, int> BadInputs => new()
    {
        { "truncated Registry.pol", "bad.pol", TruncatedPol(), "POL0", "bad.pol@", ExitCodes.UsageOrInput },
        { "corrupted Registry.pol signature", "bad.pol", [.. "PRex"u8.ToArray(), 1, 0, 0, 0, .. Encoding.Unicode.GetBytes("[a\0;b\0;")], "POL001", "bad.pol@0", ExitCodes.UsageOrInput },
        { ".reg 5.00 header with a UTF-8 BOM", "bad.reg", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n\"RequireSecuritySignature\"=dword:00000001\r\n")], "REG002", "bad.reg:1", ExitCodes.Findings },
        { ".reg broken continuation", "bad.reg", Utf16("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\r\n\"NullSessionPipes\"=hex(7):6e,00,\\\r\n\"RequireSecuritySignature\"=dword:00000001\r\n"), "REG041", "bad.reg:5", ExitCodes.UsageOrInput },
        { "malformed INF line", "bad.inf", Utf16("[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature=\"$CHICAGO$\"\r\n[Registry Values]\r\nMACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature 4,1\r\n"), "INF010", "bad.inf:6", ExitCodes.UsageOrInput },
        { "invalid JSON", "bad.json", Encoding.UTF8.GetBytes("{\n  \"RequireSecuritySignature\": true,\n  \"EnableSecuritySignature\": \n"), "PSJ001", "bad.json:", ExitCodes.UsageOrInput },
        { "unknown smb.conf parameter", "bad.smb.conf", Encoding.UTF8.GetBytes("[global]\n   server signingg = mandatory\n"), "SMB003", "bad.smb.conf:2", ExitCodes.Findings },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInput_NamesFileAndPosition_AndTheOtherFilesAreStillAudited(string description, string fileName, byte[] content, string code, string location, int exitCode)
    {
        string bad = Path.Combine(_temp, fileName);
        File.WriteAllBytes(bad, content);
        string good = Copy("srv-server2022-01.GptTmpl.inf");
        string goodPol = Copy("srv-server2022-01.Registry.pol");

        CliRun run = await CliHarness.RunAsync(["audit", "--machine", $"broken={bad}", "--machine", $"good={good},{goodPol}", "--os", "server2022", "--format", "json"]);

        Assert.True(exitCode == run.ExitCode, $"{description}: exit {run.ExitCode}\n{run.Error}");
        string line = run.Error.Split('\n').FirstOrDefault(l => l.Contains(code, StringComparison.Ordinal)) ?? string.Empty;
        Assert.True(line.Contains(location, StringComparison.Ordinal), $"{description}: expected {code} at {location} on stderr, got:\n{run.Error}");
        Assert.True(line[(line.IndexOf(code, StringComparison.Ordinal) + code.Length)..].Trim().Length > 20, "the message should say what was expected: " + line);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement goodMachine = Machine(doc, "good");
        Assert.Equal(0, goodMachine.GetProperty("counts").GetProperty("fail").GetInt32());
        Assert.True(goodMachine.GetProperty("counts").GetProperty("pass").GetInt32() > 10);
        JsonElement broken = Machine(doc, "broken");
        Assert.Contains(broken.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString()!.StartsWith(code, StringComparison.Ordinal));
        if (exitCode == ExitCodes.UsageOrInput)
        {
            Assert.Contains(broken.GetProperty("results").EnumerateArray(), r => r.GetProperty("status").GetString() == "error");
        }
    }

    private static JsonElement Machine(JsonDocument doc, string name) =>
        doc.RootElement.GetProperty("machines").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);

    private static JsonElement Result(JsonDocument doc, string machine, string rule) =>
        Machine(doc, machine).GetProperty("results").EnumerateArray().Single(r => r.GetProperty("rule").GetString() == rule);

    private static byte[] Utf16(string text) => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)];

    /// <summary>A Registry.pol with one whole record and a second cut inside its data.</summary>
    private static byte[] TruncatedPol()
    {
        List<byte> bytes = [.. "PReg"u8.ToArray(), 1, 0, 0, 0];
        for (int i = 0; i < 2; i++)
        {
            bytes.AddRange(Encoding.Unicode.GetBytes("[Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation\0;AllowInsecureGuestAuth\0;"));
            byte[] number = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(number, 4);
            bytes.AddRange(number);
            bytes.AddRange(Encoding.Unicode.GetBytes(";"));
            BinaryPrimitives.WriteUInt32LittleEndian(number, 4);
            bytes.AddRange(number);
            bytes.AddRange(Encoding.Unicode.GetBytes(";"));
            bytes.AddRange(new byte[4]);
            bytes.AddRange(Encoding.Unicode.GetBytes("]"));
        }

        return [.. bytes.Take(bytes.Count - 5)];
    }

    private string Copy(string sample)
    {
        string target = Path.Combine(_temp, sample);
        File.Copy(Path.Combine(s_fleet, sample), target);
        return target;
    }
}
