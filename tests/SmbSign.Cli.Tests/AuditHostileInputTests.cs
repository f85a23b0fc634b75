using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace SmbSign.Cli.Tests;

/// <summary><c>audit</c> on inputs built to hurt: its stderr stays one line per problem file and summarises repeats,
/// non-regular files never block it, and text that is not text is an error.</summary>
public sealed class AuditHostileInputTests : IDisposable
{
    private const string Workstation = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters";
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "smbsign-audit-hostile-" + Guid.NewGuid().ToString("N"));

    public AuditHostileInputTests()
    {
        Directory.CreateDirectory(_temp);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task GarbageFile_GivesOneStderrLineWithACount()
    {
        // 500 unrecognised lines: the reader keeps 200 diagnostics plus one "more than 200", which all went to stderr.
        string path = Write("ws-01.reg", "Windows Registry Editor Version 5.00\r\n\r\n" + string.Concat(Enumerable.Repeat("garbage line\r\n", 500)));

        CliRun run = await CliHarness.RunAsync(["audit", path, "--format", "json"]);

        Assert.Equal(2, run.ExitCode);
        string line = Assert.Single(Lines(run.Error));
        Assert.StartsWith($"smbsign: {path}:3: error REG020: unrecognised line", line, StringComparison.Ordinal);
        Assert.EndsWith("(and 200 more problems in this file; --format json lists them)", line, StringComparison.Ordinal);

        // The JSON report still lists them all.
        using JsonDocument json = JsonDocument.Parse(run.Output);
        Assert.Equal(201, json.RootElement.GetProperty("machines")[0].GetProperty("diagnostics").GetArrayLength());
    }

    [Fact]
    public async Task ManyFilesWithTheSameProblem_AreSummarised()
    {
        string fleet = Path.Combine(_temp, "fleet");
        Directory.CreateDirectory(fleet);
        for (int i = 0; i < 35; i++)
        {
            File.WriteAllBytes(Path.Combine(fleet, $"m{i:D3}.reg"), []);
        }

        CliRun run = await CliHarness.RunAsync(["audit", fleet, "--format", "json"]);

        Assert.Equal(2, run.ExitCode);
        string[] lines = Lines(run.Error);
        Assert.Equal(21, lines.Length);
        Assert.All(lines[..20], l => Assert.Contains("error AUD002: the file is empty", l, StringComparison.Ordinal));
        Assert.Equal("smbsign: ... and 15 more files with the same problem (AUD002: the file is empty)", lines[20]);
    }

    [Fact]
    public async Task Fifo_InAFleet_IsSkipped_AndNamedDirectly_IsRefused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string fleet = Path.Combine(_temp, "fleet");
        Directory.CreateDirectory(fleet);
        File.WriteAllText(Path.Combine(fleet, "ws-01.reg"), $"REGEDIT4\r\n\r\n[{Workstation}]\r\n\"RequireSecuritySignature\"=dword:00000001\r\n");
        string fifo = Path.Combine(fleet, "ws-02.reg");
        using (Process mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            mkfifo.WaitForExit();
        }

        CliRun inFleet = await WithDeadline(CliHarness.RunAsync(["audit", fleet, "--format", "json"]));
        Assert.NotEqual(2, inFleet.ExitCode);
        Assert.Equal($"smbsign: warning: {fifo}: a named pipe (FIFO), not a regular file; skipped", Assert.Single(Lines(inFleet.Error)));
        using (JsonDocument json = JsonDocument.Parse(inFleet.Output))
        {
            Assert.Equal(1, json.RootElement.GetProperty("machines").GetArrayLength());
        }

        CliRun named = await WithDeadline(CliHarness.RunAsync(["audit", fifo]));
        Assert.Equal(2, named.ExitCode);
        Assert.Contains("a named pipe (FIFO), not a regular file or folder", Assert.Single(Lines(named.Error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RandomBytesNamedSmbConf_IsAnError()
    {
        byte[] bytes = new byte[2048];
        new Random(7).NextBytes(bytes);
        string path = Path.Combine(_temp, "samba-01.smb.conf");
        File.WriteAllBytes(path, bytes);

        CliRun run = await CliHarness.RunAsync(["audit", path, "--format", "json"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error SMB009", Assert.Single(Lines(run.Error)), StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement findings = json.RootElement.GetProperty("machines")[0].GetProperty("results");
        Assert.All(findings.EnumerateArray(), f => Assert.NotEqual("pass", f.GetProperty("status").GetString()));
        Assert.Contains(findings.EnumerateArray(), f => f.GetProperty("status").GetString() == "error");
    }

    [Fact]
    public async Task HugeValue_IsNotEchoed()
    {
        string value = new('A', 1_000_000);
        string path = Write("samba-01.smb.conf", $"[global]\n   server signing = {value}\n");

        CliRun run = await CliHarness.RunAsync(["audit", path, "--format", "json"]);

        Assert.True(run.Error.Length < 1_000, $"stderr is {run.Error.Length} characters");
        Assert.True(run.Output.Length < 200_000, $"the report is {run.Output.Length} characters");
        Assert.Contains("... (1,000,000 characters)", run.Output, StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_temp, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static async Task<T> WithDeadline<T>(Task<T> task)
    {
        Task first = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(first == task, "audit blocked on the FIFO");
        return await task;
    }
}
