using System.Text.Json;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests;

/// <summary>The effective value decides the audit verdict; every machine gets one verdict; outputs people can use.</summary>
public sealed class AuditVerdictTests : IDisposable
{
    private static readonly string[] s_failing = ["fail", "error"];
    private static readonly string s_fleet = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet");
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "smbsign-audit-verdict-" + Guid.NewGuid().ToString("N"));

    public AuditVerdictTests()
    {
        Directory.CreateDirectory(_temp);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Win10WithNothingConfigured_Fails_ExitOne()
    {
        // Windows 10 does not require client signing by default (CIS 2.3.8.1 "Default Value: Disabled").
        CliRun run = await CliHarness.RunAsync(["audit", Path.Combine(s_fleet, "ws-win10-01.reg"), "--format", "json"]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement machine = doc.RootElement.GetProperty("machines")[0];
        Assert.Equal("fail", machine.GetProperty("verdict").GetString());
        Assert.Contains("2.3.8.1", machine.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        JsonElement result = machine.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("rule").GetString() == "2.3.8.1");
        Assert.Equal("fail", result.GetProperty("status").GetString());
        Assert.Equal("not-configured", result.GetProperty("reason").GetString());
        Assert.True(result.GetProperty("notConfigured").GetBoolean());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("configured").ValueKind);
        Assert.Equal("0", result.GetProperty("effective").GetString());
        Assert.Contains("win10", result.GetProperty("effectiveSource").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Win10WithNothingConfigured_Table_ExitsOneAndNamesTheMachine()
    {
        CliRun run = await CliHarness.RunAsync(["audit", Path.Combine(s_fleet, "ws-win10-01.reg")]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        string[] lines = Lines(run.Output);
        Assert.Equal("Failing machines: ws-win10-01.", lines[^1]);
        Assert.Contains(lines, l => l.StartsWith("FAIL ", StringComparison.Ordinal) && l.Contains("ws-win10-01", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("2.3.8.1 client.RequireSecuritySignature: 0 (default), want = 1; not-configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CompliantDefault_Passes_StrictFailsIt()
    {
        // Windows 11 24H2 Pro requires client signing by default: the effective value complies.
        string reg = Path.Combine(s_fleet, "ws-win11-24h2-01.reg");
        CliRun lenient = await CliHarness.RunAsync(["audit", reg, "--format", "json"]);
        CliRun strict = await CliHarness.RunAsync(["audit", reg, "--format", "json", "--strict"]);

        JsonElement passing = Result(lenient.Output, "2.3.8.1");
        Assert.Equal("pass", passing.GetProperty("status").GetString());
        Assert.Equal("default", passing.GetProperty("reason").GetString());
        Assert.Equal("1", passing.GetProperty("effective").GetString());
        Assert.True(passing.GetProperty("strictFailure").GetBoolean());
        JsonElement failing = Result(strict.Output, "2.3.8.1");
        Assert.Equal("fail", failing.GetProperty("status").GetString());
        Assert.Equal(ExitCodes.Findings, strict.ExitCode);
    }

    [Fact]
    public async Task UnknownOs_NotConfigured_FailsWithAHint()
    {
        string file = Path.Combine(_temp, "pc-17.reg");
        File.WriteAllText(file, "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n\"KeepConn\"=dword:00000258\r\n");

        CliRun run = await CliHarness.RunAsync(["audit", file, "--format", "json"]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        JsonElement result = Result(run.Output, "2.3.8.1");
        Assert.Equal("fail", result.GetProperty("status").GetString());
        Assert.Equal("not-configured, OS unknown", result.GetProperty("reason").GetString());
        Assert.Contains("--os", result.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Contains("machines.json", result.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("effective").ValueKind);
    }

    [Fact]
    public async Task Summary_LastLineNamesTheFirstTenFailingMachinesThenACount()
    {
        byte[] weak = File.ReadAllBytes(Path.Combine(s_fleet, "ws-win10-01.reg"));
        for (int i = 1; i <= 12; i++)
        {
            File.WriteAllBytes(Path.Combine(_temp, $"pc-win10-{i:D2}.reg"), weak);
        }

        // A GPO folder implementing the benchmark: the one passing machine.
        CopyFolder(Path.Combine(s_fleet, "ws-win11-24h2-02"), Path.Combine(_temp, "pc-win11-24h2-enterprise-01"));

        CliRun run = await CliHarness.RunAsync(["audit", _temp]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        string last = Lines(run.Output)[^1];
        Assert.Equal("Failing machines: " + string.Join(", ", Enumerable.Range(1, 10).Select(i => $"pc-win10-{i:D2}")) + " and 2 more.", last);
        Assert.Contains("13 machine(s): 12 fail, 1 pass", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailuresOnly_ShowsOnlyFailingMachinesAndItems()
    {
        CliRun all = await CliHarness.RunAsync(["audit", s_fleet, "--format", "json"]);
        CliRun failing = await CliHarness.RunAsync(["audit", s_fleet, "--format", "json", "--failures-only"]);
        CliRun table = await CliHarness.RunAsync(["audit", s_fleet, "--failures-only"]);

        using JsonDocument allDoc = JsonDocument.Parse(all.Output);
        using JsonDocument failingDoc = JsonDocument.Parse(failing.Output);
        string[] failingNames = [.. allDoc.RootElement.GetProperty("machines").EnumerateArray().Where(m => m.GetProperty("verdict").GetString() == "fail").Select(m => m.GetProperty("name").GetString()!)];
        string[] shown = [.. failingDoc.RootElement.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("name").GetString()!)];
        Assert.NotEmpty(failingNames);
        Assert.True(failingNames.Length < allDoc.RootElement.GetProperty("machines").GetArrayLength());
        Assert.Equal(failingNames, shown);
        Assert.All(failingDoc.RootElement.GetProperty("machines").EnumerateArray().SelectMany(m => m.GetProperty("results").EnumerateArray()), r => Assert.Contains(r.GetProperty("status").GetString(), s_failing));
        Assert.Equal(20, failingDoc.RootElement.GetProperty("summary").GetProperty("machines").GetInt32());
        Assert.DoesNotContain(Lines(table.Output), l => l.StartsWith("PASS ", StringComparison.Ordinal));
        Assert.Equal(failingNames.Length, Lines(table.Output).Count(l => l.StartsWith("FAIL ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Table_ReadsAt80Columns_OneCompactLinePerFailingItem()
    {
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet], new Dictionary<string, string> { ["COLUMNS"] = "80" });

        string[] lines = Lines(run.Output);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.DoesNotContain(lines, l => l.Contains("ok ", StringComparison.Ordinal) && l.StartsWith("  ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  x 2.3.8.1 client.RequireSecuritySignature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Table_Redirected_OneRowPerLine_NeverWrappedInsideAToken()
    {
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, "--verbose"]);

        string[] lines = Lines(run.Output);
        JsonElement[] results;
        CliRun json = await CliHarness.RunAsync(["audit", s_fleet, "--format", "json"]);
        using JsonDocument doc = JsonDocument.Parse(json.Output);
        results = [.. doc.RootElement.GetProperty("machines").EnumerateArray().SelectMany(m => m.GetProperty("results").EnumerateArray())];

        // Verbose: one line per item (plus its note line), each carrying the whole rule id and setting id.
        int itemLines = lines.Count(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.StartsWith("      ", StringComparison.Ordinal) && l.Contains(" expected ", StringComparison.Ordinal));
        Assert.Equal(results.Length, itemLines);
        foreach (JsonElement result in results.Take(60))
        {
            string token = result.GetProperty("rule").GetString() + " " + result.GetProperty("setting").GetString();
            Assert.Contains(lines, l => l.Contains(token, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(lines, l => l.Contains('│'));
    }

    [Fact]
    public async Task Json_ValuesAreAlwaysStringsOrNull_AndTheReportIsStamped()
    {
        FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 7, 3, 4, 5, TimeSpan.FromHours(2)));
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, "--format", "json"], time: time);

        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal("2026-12-07T01:04:05Z", doc.RootElement.GetProperty("generatedAt").GetString());
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("toolVersion").GetString()));
        int dwords = 0;
        foreach (JsonElement result in doc.RootElement.GetProperty("machines").EnumerateArray().SelectMany(m => m.GetProperty("results").EnumerateArray()))
        {
            foreach (string field in (string[])["expected", "configured", "effective"])
            {
                JsonValueKind kind = result.GetProperty(field).ValueKind;
                Assert.True(kind is JsonValueKind.String or JsonValueKind.Null, $"{field} is {kind}");
            }

            if (result.GetProperty("registry").GetProperty("type").GetString() == "REG_DWORD")
            {
                dwords++;
                Assert.Matches("^[0-9]+$", result.GetProperty("expected").GetString()!);
            }

            if (result.TryGetProperty("overridden", out JsonElement overridden))
            {
                Assert.All(overridden.EnumerateArray(), o => Assert.True(o.GetProperty("value").ValueKind is JsonValueKind.String or JsonValueKind.Null));
            }
        }

        Assert.True(dwords > 0);
    }

    [Fact]
    public async Task Sarif_AsGitHubCodeScanningNeedsIt()
    {
        // The fleet plus a machine whose failing value comes from a binary source (Registry.pol: insecure guest logons on).
        string pol = Path.Combine(_temp, "pc-win11-24h2-enterprise-07.Registry.pol");
        File.WriteAllBytes(pol, Pol(@"Software\Policies\Microsoft\Windows\LanmanWorkstation", "AllowInsecureGuestAuth", 1));
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, pol, "--format", "sarif"]);

        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement run0 = doc.RootElement.GetProperty("runs")[0];
        foreach (JsonElement rule in run0.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray())
        {
            string severity = rule.GetProperty("properties").GetProperty("security-severity").GetString()!;
            double value = double.Parse(severity, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(value, 0.1, 10.0);
        }

        JsonElement[] results = [.. run0.GetProperty("results").EnumerateArray()];
        Assert.NotEmpty(results);
        bool binary = false;
        foreach (JsonElement result in results)
        {
            JsonElement location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
            Assert.True(location.GetProperty("region").GetProperty("startLine").GetInt32() >= 1);
            Assert.Contains(result.GetProperty("properties").GetProperty("status").GetString(), s_failing);
            binary |= result.GetProperty("properties").TryGetProperty("byteOffset", out _);
        }

        // Registry.pol findings (binary) point at line 1 and keep the byte offset as a property.
        Assert.True(binary);

        // A compliant default (24H2 Pro, RequireSecuritySignature absent) is not a result.
        Assert.DoesNotContain(results, r => r.GetProperty("properties").GetProperty("machine").GetString() == "ws-win11-24h2-01"
            && r.GetProperty("ruleId").GetString()!.EndsWith("/2.3.8.1", StringComparison.Ordinal));
        Assert.Contains(results, r => r.GetProperty("properties").GetProperty("machine").GetString() == "ws-win10-01"
            && r.GetProperty("ruleId").GetString()!.EndsWith("/2.3.8.1", StringComparison.Ordinal));
        Assert.False(string.IsNullOrEmpty(run0.GetProperty("properties").GetProperty("generatedAt").GetString()));
    }

    private static JsonElement Result(string json, string rule)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("machines")[0].GetProperty("results").EnumerateArray().Single(r => r.GetProperty("rule").GetString() == rule).Clone();
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>A Registry.pol (PReg v1) with one REG_DWORD record: [key;value;type;size;data], UTF-16LE text.</summary>
    private static byte[] Pol(string key, string value, uint data)
    {
        List<byte> bytes = [.. "PReg"u8.ToArray(), 1, 0, 0, 0];
        bytes.AddRange(Encoding.Unicode.GetBytes($"[{key}\0;{value}\0;"));
        bytes.AddRange(BitConverter.GetBytes(4u));
        bytes.AddRange(Encoding.Unicode.GetBytes(";"));
        bytes.AddRange(BitConverter.GetBytes(4u));
        bytes.AddRange(Encoding.Unicode.GetBytes(";"));
        bytes.AddRange(BitConverter.GetBytes(data));
        bytes.AddRange(Encoding.Unicode.GetBytes("]"));
        return [.. bytes];
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
