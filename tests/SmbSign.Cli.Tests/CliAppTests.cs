using System.Text.Json;

namespace SmbSign.Cli.Tests;

public sealed class CliAppTests
{
    [Fact]
    public async Task UnknownCommand_ExitsTwoWithMessageOnStderr()
    {
        CliRun run = await CliHarness.RunAsync(["no-such-command"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("no-such-command", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_Json_HasDocumentedFields()
    {
        CliRun run = await CliHarness.RunAsync(["version", "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("version").GetString()));
        Assert.Contains(".NET", doc.RootElement.GetProperty("runtime").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_Json_ReportsTheBuildUnderTest()
    {
        // In-process this is the JIT build; under SMBSIGN_CLI_UNDER_TEST (scripts/test.sh's second run of this suite)
        // every command ran as the native AOT binary, and this says so from inside it.
        CliRun run = await CliHarness.RunAsync(["version", "--format", "json"]);

        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal(CliHarness.Executable is not null, doc.RootElement.GetProperty("nativeAot").GetBoolean());
    }

    [Fact]
    public async Task Format_UnsupportedValue_ExitsTwo()
    {
        CliRun run = await CliHarness.RunAsync(["version", "--format", "sarif"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("sarif", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelled_WhileAuditing_ExitsInterruptedWithOneLine()
    {
        // The token System.CommandLine hands the command is the one Ctrl-C cancels; already cancelled here, the audit
        // stops at its first check and the run ends as an interrupt would: 130, one line, no stack trace.
        using CancellationTokenSource cancelled = new();
        await cancelled.CancelAsync();

        CliRun run = await CliHarness.RunAsync(["audit", Path.Combine(SmbSign.Testing.TestPaths.RepositoryRoot, "samples", "fleet")], cancellationToken: cancelled.Token);

        Assert.Equal(ExitCodes.Interrupted, run.ExitCode);
        Assert.Equal("smbsign: interrupted", run.Error.Trim());
    }
}
