using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Commands;

/// <summary><c>smbsign report</c> as a command: inputs the real audit wrote, errors, output-file rules, JSON output.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private static readonly string s_fleet = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet");

    private readonly string _dir = Directory.CreateTempSubdirectory("smbsign-report-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Report_SampleFleetAudit_WritesThePageAndItsJsonSummaryEqualsTheAudit()
    {
        string audit = await AuditAsync();
        string html = Path.Combine(_dir, "r.html");

        CliRun run = await CliHarness.RunAsync(["report", audit, "-o", html, "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument a = JsonDocument.Parse(File.ReadAllBytes(audit));
        using JsonDocument r = JsonDocument.Parse(run.Output);
        JsonElement summary = a.RootElement.GetProperty("summary");
        Assert.Equal(summary.GetProperty("machines").GetInt32(), r.RootElement.GetProperty("machines").GetInt32());
        Assert.Equal(summary.GetProperty("machinesFailing").GetInt32(), r.RootElement.GetProperty("machinesFailing").GetInt32());
        Assert.Equal("fail", r.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("audit", r.RootElement.GetProperty("inputs")[0].GetProperty("kind").GetString());
        Assert.Equal(new FileInfo(html).Length, r.RootElement.GetProperty("bytes").GetInt64());
        Assert.True(r.RootElement.TryGetProperty("generatedAt", out _));
        Assert.True(r.RootElement.TryGetProperty("toolVersion", out _));
        string page = File.ReadAllText(html);
        Assert.DoesNotMatch("https?://", page);
    }

    [Fact]
    public async Task Report_SameInputsAndClock_SameBytes()
    {
        string audit = await AuditAsync();
        FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 7, 1, 2, 3, TimeSpan.Zero));

        await CliHarness.RunAsync(["report", audit, "-o", Path.Combine(_dir, "1.html")], time: time);
        await CliHarness.RunAsync(["report", audit, "-o", Path.Combine(_dir, "2.html")], time: time);

        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "1.html")), File.ReadAllBytes(Path.Combine(_dir, "2.html")));
    }

    [Fact]
    public async Task Report_NotAnSmbsignDocument_OneLineNamingTheFileExit2()
    {
        CliRun run = await CliHarness.RunAsync(["report", Path.Combine(s_fleet, "machines.json"), "-o", Path.Combine(_dir, "r.html")]);

        Assert.Equal(2, run.ExitCode);
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("smbsign: report: " + Path.Combine(s_fleet, "machines.json") + ":1: expected an object with 'machines' and 'summary' (audit)", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "r.html")));
    }

    [Fact]
    public async Task Report_FailuresOnlyAudit_IsRefusedExit2()
    {
        string audit = Path.Combine(_dir, "failing.json");
        await CliHarness.RunAsync(["audit", s_fleet, "--failures-only", "--format", "json", "-o", audit]);

        CliRun run = await CliHarness.RunAsync(["report", audit, "-o", Path.Combine(_dir, "r.html")]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--failures-only", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_OutputExists_RefusedWithoutForce_ReplacedWithForce_NeverOverAnInput()
    {
        string audit = await AuditAsync();
        string html = Path.Combine(_dir, "r.html");
        await File.WriteAllTextAsync(html, "old");

        CliRun refused = await CliHarness.RunAsync(["report", audit, "-o", html]);
        CliRun forced = await CliHarness.RunAsync(["report", audit, "-o", html, "--force"]);
        CliRun overInput = await CliHarness.RunAsync(["report", audit, "-o", audit, "--force"]);

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal(0, forced.ExitCode);
        Assert.StartsWith("<!DOCTYPE html>", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
        Assert.Equal(2, overInput.ExitCode);
        Assert.StartsWith("{", await File.ReadAllTextAsync(audit), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_WithoutOutput_IsAUsageError()
    {
        string audit = await AuditAsync();

        CliRun run = await CliHarness.RunAsync(["report", audit]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("-o FILE is required", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_FromTheStore_ShowsTheNewestAuditAndTheTrendOfEveryRun()
    {
        string db = Path.Combine(_dir, "posture.db");
        string reg = Path.Combine(s_fleet, "ws-win10-01.reg");
        for (int run = 0; run < 2; run++)
        {
            CliRun audit = await CliHarness.RunAsync(["audit", reg, "--db", db]);
            Assert.True(audit.ExitCode is 0 or 1, audit.Error);
        }

        string html = Path.Combine(_dir, "store.html");
        CliRun report = await CliHarness.RunAsync(["report", "--db", db, "-o", html, "--format", "json"]);

        Assert.Equal(0, report.ExitCode);
        using JsonDocument r = JsonDocument.Parse(report.Output);
        Assert.Equal(1, r.RootElement.GetProperty("machines").GetInt32());
        Assert.Equal("audit", Assert.Single(r.RootElement.GetProperty("inputs").EnumerateArray()).GetProperty("kind").GetString());
        string page = File.ReadAllText(html);
        Assert.Contains("id=\"trend-rules\"", page, StringComparison.Ordinal); // two recorded runs: a trend per rule
        Assert.Contains("<polyline", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_NeitherFilesNorStore_UsageErrorExit2()
    {
        CliRun run = await CliHarness.RunAsync(["report", "-o", Path.Combine(_dir, "r.html")]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("give REPORT.json files, --db", run.Error, StringComparison.Ordinal);
    }

    private async Task<string> AuditAsync()
    {
        string audit = Path.Combine(_dir, "audit.json");
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, "--format", "json", "-o", audit]);
        Assert.True(run.ExitCode is 0 or 1, run.Error);
        return audit;
    }
}
