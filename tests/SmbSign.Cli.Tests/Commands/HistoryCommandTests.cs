using System.Globalization;
using System.Text.Json;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Commands;

/// <summary>
/// <c>--db</c> and <c>smbsign history</c> end to end: real scans of a real smbd whose signing is changed between runs, real
/// audits of an export that is edited between runs, one SQLite store; history must report exactly those changes.
/// </summary>
public sealed class HistoryCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "smbsign-history-" + Guid.NewGuid().ToString("N")[..12]);
    private SambaServer? _server;

    private string Port => _server!.Port.ToString(CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private static string Export(int clientRequire, int serverRequire) =>
        "REGEDIT4\r\n\r\n" +
        "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n" +
        $"\"RequireSecuritySignature\"=dword:0000000{clientRequire}\r\n\"EnableSecuritySignature\"=dword:00000001\r\n\r\n" +
        "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\r\n" +
        $"\"RequireSecuritySignature\"=dword:0000000{serverRequire}\r\n\"EnableSecuritySignature\"=dword:00000001\r\n";

    [Fact]
    public async Task History_AfterSambaSigningAndAnExportChanged_ReportsExactlyThoseChanges()
    {
        string db = Path.Combine(_folder, "posture.db");
        string fleet = Path.Combine(_folder, "fleet");
        Directory.CreateDirectory(fleet);
        string export = Path.Combine(fleet, "ws-01.reg");
        await File.WriteAllTextAsync(export, Export(clientRequire: 1, serverRequire: 0));

        CliRun scan1 = await CliHarness.RunAsync(["scan", $"127.0.0.1:{Port}", "--db", db, "--format", "json"]);
        Assert.True(scan1.ExitCode == ExitCodes.Success, scan1.Error + scan1.Output);
        Assert.Contains("recorded scan run 1", scan1.Error, StringComparison.Ordinal);
        CliRun audit1 = await CliHarness.RunAsync(["audit", fleet, "--os", "win11-23h2-enterprise", "--db", db]);
        Assert.Equal(ExitCodes.Findings, audit1.ExitCode);
        Assert.Contains("recorded audit run 2", audit1.Error, StringComparison.Ordinal);

        // Nothing changed yet: no comparison has a change, exit 0.
        CliRun quiet = await CliHarness.RunAsync(["history", "--db", db, "--format", "json"]);
        Assert.True(quiet.ExitCode == ExitCodes.Success, quiet.Error);

        // The server stops requiring signing; the export loses client signing and gains server signing.
        await _server!.SetServerSigningAsync("auto");
        await WaitForSigningAsync("enabled");
        await File.WriteAllTextAsync(export, Export(clientRequire: 0, serverRequire: 1));

        CliRun scan2 = await CliHarness.RunAsync(["scan", $"127.0.0.1:{Port}", "--db", db]);
        Assert.True(scan2.ExitCode == ExitCodes.Findings, scan2.Error + scan2.Output);
        CliRun audit2 = await CliHarness.RunAsync(["audit", fleet, "--os", "win11-23h2-enterprise", "--db", db, "--format", "csv"]);
        Assert.Equal(ExitCodes.Findings, audit2.ExitCode);

        CliRun history = await CliHarness.RunAsync(["history", "--db", db, "--format", "json"]);
        Assert.True(history.ExitCode == ExitCodes.Findings, history.Error + history.Output);
        using JsonDocument json = JsonDocument.Parse(history.Output);
        JsonElement root = json.RootElement;
        Assert.Equal(["generatedAt", "toolVersion", "store", "since", "machine", "runs", "comparisons", "trend", "summary"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4, root.GetProperty("runs").GetInt32());
        List<JsonElement> comparisons = [.. root.GetProperty("comparisons").EnumerateArray()];
        Assert.Equal(["scan", "audit"], comparisons.Select(c => c.GetProperty("kind").GetString()));

        string server = $"127.0.0.1:{Port}";
        JsonElement scan = comparisons[0];
        Assert.Equal(1, scan.GetProperty("from").GetProperty("id").GetInt64());
        Assert.Equal(3, scan.GetProperty("to").GetProperty("id").GetInt64());
        Assert.Equal(
            [$"server {server} relay-target pass→fail false→true", $"server {server} signing-required pass→fail smb2=required→smb2=enabled"],
            Changes(scan, "regressed"));
        Assert.Empty(Changes(scan, "fixed"));
        Assert.Empty(Changes(scan, "changed"));
        Assert.Empty(scan.GetProperty("appeared").EnumerateArray());
        Assert.Empty(scan.GetProperty("vanished").EnumerateArray());

        JsonElement audit = comparisons[1];
        Assert.Equal(["machine ws-01 2.3.8.1 pass→fail 1→0"], Changes(audit, "regressed"));
        Assert.Equal(["machine ws-01 2.3.9.2 fail→pass 0→1"], Changes(audit, "fixed"));
        Assert.Empty(Changes(audit, "changed"));

        JsonElement summary = root.GetProperty("summary");
        Assert.Equal(2, summary.GetProperty("comparisons").GetInt32());
        Assert.Equal(3, summary.GetProperty("regressed").GetInt32());
        Assert.Equal(1, summary.GetProperty("fixed").GetInt32());

        // The trend of 2.3.8.1: one machine passing, then failing.
        JsonElement rule = root.GetProperty("trend").EnumerateArray().Single(t => t.GetProperty("series").GetString() == "2.3.8.1");
        Assert.Equal(["1/0", "0/1"], rule.GetProperty("points").EnumerateArray().Select(p => $"{p.GetProperty("passed").GetInt32()}/{p.GetProperty("failed").GetInt32()}"));

        // --machine keeps one subject; --since after the last run leaves nothing to compare.
        CliRun one = await CliHarness.RunAsync(["history", "--db", db, "--machine", "WS-01", "--format", "json"]);
        using (JsonDocument oneJson = JsonDocument.Parse(one.Output))
        {
            Assert.Equal(1, oneJson.RootElement.GetProperty("summary").GetProperty("regressed").GetInt32());
        }

        CliRun later = await CliHarness.RunAsync(["history", "--db", db, "--since", DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)]);
        Assert.Equal(ExitCodes.Success, later.ExitCode);
        Assert.Contains("0 comparison(s)", later.Output, StringComparison.Ordinal);

        CliRun csv = await CliHarness.RunAsync(["history", "--db", db, "--format", "csv"]);
        Assert.Equal(ExitCodes.Findings, csv.ExitCode);
        string[] lines = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("kind,fromRun,fromGeneratedAt,toRun,toGeneratedAt,change,subjectKind,subject,item,fromStatus,toStatus,fromValue,toValue", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("audit,2,", StringComparison.Ordinal) && l.EndsWith(",regressed,machine,ws-01,2.3.8.1,pass,fail,1,0", StringComparison.Ordinal));

        CliRun table = await CliHarness.RunAsync(["history", "--db", db]);
        Assert.Contains($"REGRESSED  server {server}  signing-required  pass → fail  (smb2=required → smb2=enabled)", table.Output, StringComparison.Ordinal);
    }

    private static List<string> Changes(JsonElement comparison, string name) =>
        [.. comparison.GetProperty(name).EnumerateArray().Select(c =>
            $"{c.GetProperty("subjectKind").GetString()} {c.GetProperty("subject").GetString()} {c.GetProperty("item").GetString()} {c.GetProperty("from").GetString()}→{c.GetProperty("to").GetString()} {c.GetProperty("fromValue").GetString()}→{c.GetProperty("toValue").GetString()}")];

    /// <summary>smbd applies the reload asynchronously: probe (without --db) until it advertises the new mode.</summary>
    private async Task WaitForSigningAsync(string expected)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            CliRun probe = await CliHarness.RunAsync(["scan", $"127.0.0.1:{Port}", "--format", "json"]);
            using JsonDocument json = JsonDocument.Parse(probe.Output);
            if (json.RootElement[0].GetProperty("smb2").GetProperty("signing").GetString() == expected)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"smbd did not switch to signing {expected}: {_server!.Log}");
    }
}
