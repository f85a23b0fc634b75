using System.Text;
using System.Text.Json;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Commands;

/// <summary>Runs <c>smbsign fix</c> through the real command tree: on an audit of the sample fleet (every target), on
/// every baseline, with a scan from the real scanner, with --patch, and with every kind of bad input (issue #4).</summary>
public sealed class FixCommandTests : IDisposable
{
    private static readonly string[] s_settingReasons = ["fail", "not-configured", "baseline", "companion"];
    private static readonly string[] s_editKinds = ["changed", "added", "unchanged"];

    private static readonly string s_fleet = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet");
    private static readonly string[] s_windowsFiles =
    [
        "apply.reg", "rollback.reg", "Apply-SmbSigning.ps1", "Restore-SmbSigning.ps1", "intune-custom-profile.json",
        "intune-settings-catalog.json", "IMPACT.md", "README.md",
    ];

    private readonly string _temp = Path.Combine(Path.GetTempPath(), "smbsign-fix-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public FixCommandTests()
    {
        Directory.CreateDirectory(_temp);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task FromAudit_TargetAll_WritesEveryFormPerMachineWithTheDocumentedJson()
    {
        string audit = await AuditFleetAsync();
        string output = Path.Combine(_temp, "out");

        CliRun run = await CliHarness.RunAsync(["fix", "--from", audit, "--target", "all", "-o", output, "--format", "json"]);

        Assert.True(run.ExitCode is 0 or 1, run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.StartsWith("audit ", root.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Equal(["reg", "powershell", "intune-custom", "intune-catalog", "gpo", "smbconf"], root.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(output, root.GetProperty("outputDirectory").GetString());
        Assert.Equal(run.ExitCode == 1, root.GetProperty("breaking").GetInt32() > 0);
        JsonElement[] machines = [.. root.GetProperty("machines").EnumerateArray()];
        Assert.Equal(20, machines.Length);
        int withFixes = 0;
        foreach (JsonElement machine in machines)
        {
            string name = machine.GetProperty("name").GetString()!;
            string directory = machine.GetProperty("directory").GetString()!;
            JsonElement[] settings = [.. machine.GetProperty("settings").EnumerateArray()];
            string[] files = [.. machine.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!)];
            if (settings.Length == 0)
            {
                Assert.Empty(files);
                Assert.False(Directory.Exists(directory), $"{name}: nothing to fix, so no folder");
                continue;
            }

            withFixes++;
            Assert.Equal(Path.Combine(output, name), directory);
            foreach (JsonElement file in machine.GetProperty("files").EnumerateArray())
            {
                string path = Path.Combine(directory, file.GetProperty("path").GetString()!);
                Assert.True(File.Exists(path), path);
                Assert.Equal(new FileInfo(path).Length, file.GetProperty("bytes").GetInt64());
            }

            if (machine.GetProperty("os").GetString() == "samba")
            {
                Assert.Equal(["smb-global.conf", "IMPACT.md", "README.md"], files);
            }
            else
            {
                Assert.All(s_windowsFiles, f => Assert.Contains(f, files));
                // The GPO is a Backup-GPO folder: gpo/{BackupId}/Backup.xml and bkupInfo.xml.
                Assert.Contains(files, f => System.Text.RegularExpressions.Regex.IsMatch(f, @"^gpo/\{[0-9A-F-]{36}\}/Backup\.xml$"));
                Assert.Contains(files, f => System.Text.RegularExpressions.Regex.IsMatch(f, @"^gpo/\{[0-9A-F-]{36}\}/bkupInfo\.xml$"));
                Assert.DoesNotContain("smb-global.conf", files);
                byte[] reg = await File.ReadAllBytesAsync(Path.Combine(directory, "apply.reg"));
                Assert.Equal(new byte[] { 0xFF, 0xFE }, reg[..2]);
                Assert.StartsWith("Windows Registry Editor Version 5.00\r\n", Encoding.Unicode.GetString(reg, 2, reg.Length - 2), StringComparison.Ordinal);
            }

            foreach (JsonElement setting in settings)
            {
                Assert.False(string.IsNullOrEmpty(setting.GetProperty("value").GetString()));
                Assert.Contains(setting.GetProperty("reason").GetString(), s_settingReasons);
                Assert.StartsWith("HKLM\\", setting.GetProperty("registry").GetProperty("key").GetString(), StringComparison.Ordinal);
            }

            JsonElement impact = machine.GetProperty("impact");
            Assert.Equal(
                impact.GetProperty("breaking").GetInt32() + impact.GetProperty("uncertain").GetInt32(),
                impact.GetProperty("sections").EnumerateArray().Sum(s => s.GetProperty("findings").GetArrayLength()));
            Assert.Contains("# Impact of ", await File.ReadAllTextAsync(Path.Combine(directory, "IMPACT.md")), StringComparison.Ordinal);
        }

        Assert.True(withFixes >= 5, "the sample fleet has several failing machines");
    }

    [Theory]
    [InlineData("ws-win11-23h2-01", "win11-23h2", "cis-win11-23h2")]
    [InlineData("srv-server2019-01", "server2019", "cis-server2022")]
    [InlineData("dc-server2022-01", "server2022", "cis-server2022")]
    [InlineData("srv-server2022-02", "server2022", "cis-server2022-v4")]
    public async Task FromAudit_ApplyRegAndGpo_TheSameAuditThenPassesAndRollbackRestoresIt(string machine, string os, string benchmark)
    {
        string audit = await AuditFleetAsync();
        string output = Path.Combine(_temp, machine);
        string[] original = [.. Directory.GetFiles(s_fleet, machine + ".*").Order(StringComparer.Ordinal)];
        Assert.NotEmpty(original);

        CliRun fix = await CliHarness.RunAsync(["fix", "--from", audit, "--machine", machine, "--target", "reg,gpo", "-o", output, "--format", "json"]);

        Assert.True(fix.ExitCode is 0 or 1, fix.Error);
        using JsonDocument fixJson = JsonDocument.Parse(fix.Output);
        JsonElement[] settings = [.. fixJson.RootElement.GetProperty("machines")[0].GetProperty("settings").EnumerateArray()];
        string[] fixedSettings = [.. settings.Select(s => s.GetProperty("setting").GetString()!)];
        Assert.NotEmpty(fixedSettings);
        Dictionary<string, (string Status, string? Layer, string? Source)> before = await AuditResultsAsync(machine, os, benchmark, original);
        Assert.All(fixedSettings, s => Assert.Equal("fail", before[s].Status));

        // A value Group Policy set is only fixed by the GPO: the .reg alone would be reverted, and the fix says so.
        foreach (JsonElement setting in settings.Where(s => before[s.GetProperty("setting").GetString()!].Layer == "group-policy"))
        {
            Assert.Contains("set by Group Policy", setting.GetProperty("note").GetString(), StringComparison.Ordinal);
        }

        // Get-Smb*Configuration output is a snapshot taken before the fix; after applying it one exports it again.
        string[] stillTrue = [.. original.Where(p => !p.EndsWith(".smbclient.json", StringComparison.Ordinal) && !p.EndsWith(".smbserver.json", StringComparison.Ordinal))];
        string[] gpo = [.. Directory.GetFiles(Path.Combine(output, "gpo"), "*", SearchOption.AllDirectories).Where(f => f.EndsWith("Registry.pol", StringComparison.Ordinal) || f.EndsWith("GptTmpl.inf", StringComparison.Ordinal))];
        Assert.NotEmpty(gpo);
        Dictionary<string, (string Status, string? Layer, string? Source)> after = await AuditResultsAsync(machine, os, benchmark, [.. stillTrue, Path.Combine(output, "apply.reg"), .. gpo]);
        Dictionary<string, (string Status, string? Layer, string? Source)> rolledBack = await AuditResultsAsync(machine, os, benchmark, [.. original, Path.Combine(output, "apply.reg"), Path.Combine(output, "rollback.reg")]);

        Assert.All(fixedSettings, s => Assert.True(after[s].Status == "pass", $"{s} after the fix: {after[s].Status}"));

        // A setting whose only evidence was the dropped Get-Smb*Configuration snapshot is not configured in the re-audit, and
        // a not-configured setting whose OS default does not comply fails: that is the dropped evidence, not the fix.
        string[] dropped = [.. original.Except(stillTrue)];
        bool FromDroppedSnapshot(string setting) => before[setting].Source is { } source && dropped.Any(d => source.StartsWith(d + ":", StringComparison.Ordinal));
        Assert.DoesNotContain(after, kv => kv.Value.Status == "fail" && !fixedSettings.Contains(kv.Key) && before[kv.Key].Status != "fail" && !FromDroppedSnapshot(kv.Key));

        // rollback.reg never deletes a value the export does not hold (its previous state is unknown, and deleting it could
        // break Windows): a fixed not-configured setting stays as the fix set it and is listed in notRestored. Everything
        // else comes back exactly as it was.
        string[] notRestored = [.. fixJson.RootElement.GetProperty("machines")[0].GetProperty("notRestored").EnumerateArray().Select(n => n.GetProperty("setting").GetString()!)];
        Assert.All(settings.Where(s => s.GetProperty("reason").GetString() == "not-configured"), s => Assert.Contains(s.GetProperty("setting").GetString()!, notRestored));
        Assert.All(notRestored, s => Assert.Equal("pass", rolledBack[s].Status));
        Assert.Equal(
            before.Where(kv => !notRestored.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value.Status),
            rolledBack.Where(kv => !notRestored.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value.Status));
    }

    [Fact]
    public async Task FromAudit_Strict_AlsoSetsNotConfiguredAndTheStrictAuditPasses()
    {
        string audit = await AuditFleetAsync();
        string strictAudit = await AuditFleetAsync(strict: true);
        string output = Path.Combine(_temp, "strict");
        const string machine = "ws-win10-01";
        string[] original = [Path.Combine(s_fleet, "ws-win10-01.reg")];

        CliRun plain = await CliHarness.RunAsync(["fix", "--from", audit, "-m", machine, "-t", "reg", "-o", Path.Combine(_temp, "plain"), "--format", "json"]);
        CliRun strict = await CliHarness.RunAsync(["fix", "--from", audit, "-m", machine, "-t", "reg", "-o", output, "--strict", "--format", "json"]);
        CliRun fromStrictAudit = await CliHarness.RunAsync(["fix", "--from", strictAudit, "-m", machine, "-t", "reg", "-o", Path.Combine(_temp, "from-strict"), "--format", "json"]);

        Assert.True(strict.ExitCode is 0 or 1, strict.Error);
        string[] Reasons(CliRun run) => [.. JsonDocument.Parse(run.Output).RootElement.GetProperty("machines")[0].GetProperty("settings").EnumerateArray().Select(s => s.GetProperty("setting").GetString() + " " + s.GetProperty("reason").GetString())];
        Assert.True(Reasons(strict).Length > Reasons(plain).Length, "--strict adds the not-configured settings");
        Assert.Contains(Reasons(strict), r => r.EndsWith(" not-configured", StringComparison.Ordinal));

        // A strict audit already counts them as failures; its fix sets them too and still calls them not configured.
        Assert.Equal(Reasons(strict), Reasons(fromStrictAudit));
        Dictionary<string, string> after = await AuditStatusesAsync(machine, "win10", "cis-win11-23h2", [.. original, Path.Combine(output, "apply.reg")], strict: true);

        // --strict never stops the Server service (CIS 5.26.1, Level 2): it is left alone and listed; only --level 2 writes it.
        string[] withheld = [.. JsonDocument.Parse(strict.Output).RootElement.GetProperty("machines")[0].GetProperty("skipped").EnumerateArray()
            .Where(s => s.GetProperty("reason").GetString()!.EndsWith("written only with --level 2", StringComparison.Ordinal))
            .Select(s => s.GetProperty("setting").GetString()!)];
        Assert.Equal(["server.ServiceStart"], withheld);
        Assert.Equal(["server.ServiceStart"], after.Where(kv => kv.Value is "fail" or "not-configured").Select(kv => kv.Key));

        CliRun level2 = await CliHarness.RunAsync(["fix", "--from", audit, "-m", machine, "-t", "reg", "-o", Path.Combine(_temp, "level2"), "--strict", "--level", "2", "--format", "json"]);
        Assert.True(level2.ExitCode is 0 or 1, level2.Error);
        JsonElement stop = JsonDocument.Parse(level2.Output).RootElement.GetProperty("machines")[0].GetProperty("settings").EnumerateArray().Single(s => s.GetProperty("setting").GetString() == "server.ServiceStart");
        Assert.Contains("stops the Server service", stop.GetProperty("impactWarning").GetString(), StringComparison.Ordinal);
        Dictionary<string, string> afterLevel2 = await AuditStatusesAsync(machine, "win10", "cis-win11-23h2", [.. original, Path.Combine(_temp, "level2", "apply.reg")], strict: true);
        Assert.DoesNotContain(afterLevel2, kv => kv.Value is "fail" or "not-configured");
    }

    /// <summary>ws-win10-01's export holds neither LanmanServer\Start nor mrxsmb10\Start: rollback.reg must not delete them
    /// (a service without Start breaks Windows); it lists them, and so do the report and README, pointing to the
    /// PowerShell restore.</summary>
    [Fact]
    public async Task Rollback_StartValuesTheExportDoesNotHold_AreListedNeverDeleted()
    {
        string audit = await AuditFleetAsync();
        string output = Path.Combine(_temp, "start");

        CliRun run = await CliHarness.RunAsync(["fix", "--from", audit, "-m", "ws-win10-01", "-t", "reg", "--strict", "--level", "2", "-o", output, "--format", "json"]);

        Assert.True(run.ExitCode is 0 or 1, run.Error);
        byte[] bytes = await File.ReadAllBytesAsync(Path.Combine(output, "rollback.reg"));
        string rollback = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        Assert.DoesNotContain("\"Start\"=-", rollback, StringComparison.Ordinal);
        Assert.DoesNotContain("=-", rollback, StringComparison.Ordinal);
        Assert.Contains(@"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\LanmanServer\Start (server.ServiceStart", rollback, StringComparison.Ordinal);
        Assert.Contains(@"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\mrxsmb10\Start (client.Smb1Driver", rollback, StringComparison.Ordinal);
        Assert.Contains("Restore-SmbSigning.ps1", rollback, StringComparison.Ordinal);
        string[] notRestored = [.. JsonDocument.Parse(run.Output).RootElement.GetProperty("machines")[0].GetProperty("notRestored").EnumerateArray().Select(n => n.GetProperty("setting").GetString()!)];
        Assert.Contains("server.ServiceStart", notRestored);
        Assert.Contains("client.Smb1Driver", notRestored);
        Assert.Contains("## Not restored by rollback.reg", await File.ReadAllTextAsync(Path.Combine(output, "README.md")), StringComparison.Ordinal);

        CliRun table = await CliHarness.RunAsync(["fix", "--from", audit, "-m", "ws-win10-01", "-t", "reg", "--strict", "--level", "2", "-o", Path.Combine(_temp, "start-table")]);
        string flat = System.Text.RegularExpressions.Regex.Replace(table.Output, @"\s+", " ");
        Assert.Matches(@"rollback\.reg does not restore \d+ value\(s\) whose previous state the audit did not show: [^(]*server\.ServiceStart", flat);
        Assert.Contains("warning (--level 2): server.ServiceStart = 4: stops the Server service", flat, StringComparison.Ordinal);
    }

    public static TheoryData<string> Baselines() => ["signing", "cis-intune-windows", "cis-server2022", "cis-server2022-v4", "cis-server2025", "cis-win11-23h2", "cis-win11-24h2", "msft-win11-24h2"];

    [Theory]
    [MemberData(nameof(Baselines))]
    public async Task Baseline_EveryTarget_WritesTheWholeBaseline(string baseline)
    {
        string output = Path.Combine(_temp, baseline);

        CliRun run = await CliHarness.RunAsync(["fix", "--baseline", baseline, "-t", "reg,powershell,intune-custom,intune-catalog", "-t", "gpo", "-t", "smbconf", "-o", output, "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement machine = Assert.Single(json.RootElement.GetProperty("machines").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, machine.GetProperty("name").ValueKind);
        Assert.Equal(output, machine.GetProperty("directory").GetString());
        using JsonDocument list = JsonDocument.Parse((await CliHarness.RunAsync(["fix", "--list-baselines", "--format", "json"])).Output);
        JsonElement listed = list.RootElement.EnumerateArray().Single(b => b.GetProperty("id").GetString() == baseline);
        Assert.Equal(listed.GetProperty("settings").GetInt32(), machine.GetProperty("settings").GetArrayLength());
        Assert.Equal(listed.GetProperty("excluded").GetInt32(), machine.GetProperty("skipped").GetArrayLength());
        Assert.All(machine.GetProperty("settings").EnumerateArray(), s => Assert.Equal("baseline", s.GetProperty("reason").GetString()));
        foreach (string file in s_windowsFiles.Append("smb-global.conf"))
        {
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        }

        // The impact section reports the signing cost measured with the bench engine (every baseline changes signing).
        JsonElement cost = machine.GetProperty("impact").GetProperty("signingCost");
        Assert.Equal("AES-CMAC", cost.GetProperty("algorithm").GetString());
        Assert.Equal(65536, cost.GetProperty("messageBytes").GetInt32());
        Assert.True(cost.GetProperty("gigabytesPerSecond").GetDouble() > 0);
        Assert.Contains("Signing cost: AES-CMAC signs 64 KiB messages at", await File.ReadAllTextAsync(Path.Combine(output, "IMPACT.md")), StringComparison.Ordinal);
        string readme = await File.ReadAllTextAsync(Path.Combine(output, "README.md"));
        Assert.Contains("Invoke-MgGraphRequest -Method POST -Uri https://graph.microsoft.com/beta/deviceManagement/configurationPolicies", readme, StringComparison.Ordinal);
        Assert.Contains("az rest --method post --url https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations", readme, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_NotEmptyWithoutForce_Exit2AndNothingChanged()
    {
        string output = Path.Combine(_temp, "busy");
        Directory.CreateDirectory(output);
        string keep = Path.Combine(output, "apply.reg");
        await File.WriteAllTextAsync(keep, "mine");

        CliRun refused = await CliHarness.RunAsync(["fix", "--baseline", "signing", "-t", "reg", "-o", output]);

        Assert.Equal(ExitCodes.UsageOrInput, refused.ExitCode);
        Assert.Contains("is not empty", refused.Error, StringComparison.Ordinal);
        Assert.Contains("--force", refused.Error, StringComparison.Ordinal);
        Assert.Equal("mine", await File.ReadAllTextAsync(keep));
        Assert.Single(Directory.GetFileSystemEntries(output));

        CliRun forced = await CliHarness.RunAsync(["fix", "--baseline", "signing", "-t", "reg", "-o", output, "--force"]);

        Assert.Equal(0, forced.ExitCode);
        Assert.StartsWith("Windows Registry Editor Version 5.00", Encoding.Unicode.GetString(await File.ReadAllBytesAsync(keep)).TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFiles(output), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("neither --from nor --baseline", "fix -t reg -o {out}", "exactly one of --from")]
    [InlineData("both --from and --baseline", "fix --from {audit} --baseline signing -t reg -o {out}", "exactly one of --from")]
    [InlineData("unknown baseline", "fix --baseline nope -t reg -o {out}", "unknown baseline 'nope'")]
    [InlineData("no target", "fix --baseline signing -o {out}", "give --target")]
    [InlineData("unknown target", "fix --baseline signing -t registry -o {out}", "--target 'registry' is not one of")]
    [InlineData("no output folder", "fix --baseline signing -t reg", "-o DIR")]
    [InlineData("output is a file", "fix --baseline signing -t reg -o {file}", "is a file")]
    [InlineData("audit not JSON", "fix --from {bad} -t reg -o {out}", "not valid JSON")]
    [InlineData("audit missing", "fix --from {missing} -t reg -o {out}", "file not found")]
    [InlineData("audit with invalid UTF-8", "fix --from {badutf8} -t reg -o {out}", "badutf8.json:3: invalid UTF-8 at byte offset 31 (0xFF)")]
    [InlineData("level 3", "fix --baseline signing -t reg -o {out} --level 3", "--level 3 is not 1 or 2")]
    [InlineData("unknown machine", "fix --from {audit} -m nosuch -t reg -o {out}", "no machine named 'nosuch'")]
    [InlineData("machine without audit", "fix --baseline signing -m ws-01 -t reg -o {out}", "needs --from")]
    [InlineData("patch without smbconf", "fix --baseline signing -t reg --patch {file} -o {out}", "needs --target smbconf")]
    [InlineData("patch missing", "fix --baseline signing -t smbconf --patch {missing} -o {out}", "cannot read the file")]
    [InlineData("scan not JSON", "fix --baseline signing -t reg --scan {bad} -o {out}", "not valid JSON")]
    [InlineData("scan missing", "fix --baseline signing -t reg --scan {missing} -o {out}", "cannot read the file")]
    [InlineData("format csv", "fix --baseline signing -t reg -o {out} --format csv", "'csv' is not one of table, json")]
    public async Task BadInput_Exit2WithOneClearLineAndNoFolder(string description, string command, string expected)
    {
        string output = Path.Combine(_temp, "never");
        string file = Path.Combine(_temp, "a-file.txt");
        string bad = Path.Combine(_temp, "bad.json");
        await File.WriteAllTextAsync(file, "x");
        await File.WriteAllTextAsync(bad, "{\"machines\": [");
        string badUtf8 = Path.Combine(_temp, "badutf8.json");
        await File.WriteAllBytesAsync(badUtf8, [.. Encoding.UTF8.GetBytes("{\n \"machines\": [\n  {\"name\": \"ws"), 0xFF, .. Encoding.UTF8.GetBytes("\", \"results\": []}]}\n")]);
        string audit = command.Contains("{audit}", StringComparison.Ordinal) ? await AuditFleetAsync() : string.Empty;
        string[] args = [.. command.Split(' ').Select(a => a
            .Replace("{out}", output, StringComparison.Ordinal)
            .Replace("{file}", file, StringComparison.Ordinal)
            .Replace("{bad}", bad, StringComparison.Ordinal)
            .Replace("{badutf8}", badUtf8, StringComparison.Ordinal)
            .Replace("{missing}", Path.Combine(_temp, "missing.json"), StringComparison.Ordinal)
            .Replace("{audit}", audit, StringComparison.Ordinal))];

        CliRun run = await CliHarness.RunAsync(args);

        Assert.True(run.ExitCode == ExitCodes.UsageOrInput, $"{description}: exit {run.ExitCode}, {run.Error}");
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.StartsWith("smbsign: ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), $"{description}: nothing is written on an input error");
    }

    [Fact]
    public async Task Patch_SambaMachine_CopyChangedInPlaceOriginalUntouched()
    {
        string audit = await AuditFleetAsync();
        string conf = Path.Combine(s_fleet, "samba-legacy.smb.conf");
        string before = await File.ReadAllTextAsync(conf);
        string output = Path.Combine(_temp, "patch");

        CliRun run = await CliHarness.RunAsync(["fix", "--from", audit, "-m", "samba-legacy", "-t", "smbconf", "--patch", conf, "-o", output, "--format", "json"]);

        Assert.True(run.ExitCode is 0 or 1, run.Error);
        Assert.Equal(before, await File.ReadAllTextAsync(conf));
        string patched = await File.ReadAllTextAsync(Path.Combine(output, "samba-legacy.smb.conf"));
        Assert.Contains("server signing = mandatory", patched, StringComparison.Ordinal);
        foreach (string comment in before.Split('\n').Where(l => l.TrimStart().StartsWith('#')))
        {
            Assert.Contains(comment, patched, StringComparison.Ordinal);
        }

        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement[] edits = [.. json.RootElement.GetProperty("machines")[0].GetProperty("patchEdits").EnumerateArray()];
        Assert.Contains(edits, e => e.GetProperty("parameter").GetString() == "server signing" && e.GetProperty("newValue").GetString() == "mandatory");
        Assert.All(edits, e => Assert.Contains(e.GetProperty("kind").GetString(), s_editKinds));
    }

    [Fact]
    public async Task Scan_FromTheRealScanner_SmbOneServerWithoutSigningBreaksExit1()
    {
        await using SambaServer legacy = await SambaServer.StartAsync(new SambaServerOptions { MinProtocol = "NT1", MaxProtocol = "NT1", ServerSigning = "disabled" });
        await using SambaServer modern = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });
        string scan = Path.Combine(_temp, "scan.json");
        CliRun scanRun = await CliHarness.RunAsync(["scan", $"127.0.0.1:{legacy.Port}", $"127.0.0.1:{modern.Port}", "--format", "json", "-o", scan]);
        Assert.True(File.Exists(scan), scanRun.Error + scanRun.Output);
        string output = Path.Combine(_temp, "impact");

        CliRun run = await CliHarness.RunAsync(["fix", "--baseline", "signing", "-t", "reg", "--scan", scan, "-o", output, "--format", "json"]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        Assert.Equal(1, json.RootElement.GetProperty("breaking").GetInt32());
        JsonElement section = json.RootElement.GetProperty("machines")[0].GetProperty("impact").GetProperty("sections").EnumerateArray()
            .Single(s => s.GetProperty("change").GetString() == "The client requires signing");
        Assert.Equal(2, section.GetProperty("peersChecked").GetInt32());
        Assert.Equal(1, section.GetProperty("compatible").GetInt32());
        JsonElement finding = Assert.Single(section.GetProperty("findings").EnumerateArray());
        Assert.Equal($"127.0.0.1:{legacy.Port}", finding.GetProperty("peer").GetString());
        Assert.Equal("breaks", finding.GetProperty("level").GetString());
        Assert.Contains("SMB1", finding.GetProperty("reason").GetString(), StringComparison.Ordinal);
        string impact = await File.ReadAllTextAsync(Path.Combine(output, "IMPACT.md"));
        Assert.Contains($"| 127.0.0.1:{legacy.Port} | breaks |", impact, StringComparison.Ordinal);
        Assert.DoesNotContain($"127.0.0.1:{modern.Port}", impact, StringComparison.Ordinal);
    }

    private async Task<string> AuditFleetAsync(bool strict = false)
    {
        string path = Path.Combine(_temp, strict ? "audit-strict.json" : "audit.json");
        if (!File.Exists(path))
        {
            CliRun run = await CliHarness.RunAsync(strict ? ["audit", s_fleet, "--strict", "--format", "json", "-o", path] : ["audit", s_fleet, "--format", "json", "-o", path]);
            Assert.True(File.Exists(path), run.Error);
        }

        return path;
    }

    private static async Task<Dictionary<string, string>> AuditStatusesAsync(string machine, string os, string benchmark, string[] files, bool strict = false) =>
        (await AuditResultsAsync(machine, os, benchmark, files, strict)).ToDictionary(kv => kv.Key, kv => kv.Value.Status);

    private static async Task<Dictionary<string, (string Status, string? Layer, string? Source)>> AuditResultsAsync(string machine, string os, string benchmark, string[] files, bool strict = false)
    {
        List<string> args = ["audit", "--machine", machine + "=" + string.Join(',', files), "--os", os, "--benchmark", benchmark, "--format", "json"];
        if (strict)
        {
            args.Add("--strict");
        }

        CliRun run = await CliHarness.RunAsync([.. args]);
        Assert.True(run.ExitCode is 0 or 1, run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        return json.RootElement.GetProperty("machines")[0].GetProperty("results").EnumerateArray()
            .ToDictionary(
                r => r.GetProperty("setting").GetString()!,
                r => (r.GetProperty("status").GetString()!, r.TryGetProperty("layer", out JsonElement layer) ? layer.GetString() : null,
                    r.TryGetProperty("source", out JsonElement source) && source.ValueKind == JsonValueKind.String ? source.GetString() : null));
    }
}
