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
    public async Task Format_UnsupportedValue_ExitsTwo()
    {
        CliRun run = await CliHarness.RunAsync(["version", "--format", "sarif"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("sarif", run.Error, StringComparison.Ordinal);
    }
}
