using System.Text.Json;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests;

/// <summary>The command line never leaks a secret and never guesses what an unknown option meant.</summary>
public sealed class CommandLineGuardTests
{
    private const string Secret = "Hunter2-S3cret";
    private static readonly string s_fleet = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet");

    public static TheoryData<string[]> PasswordLines => new()
    {
        { new[] { "verify", "127.0.0.1", "--password", Secret } },
        { new[] { "verify", "127.0.0.1", "--password=" + Secret } },
        { new[] { "verify", "127.0.0.1", "--pass", Secret } },
        { new[] { "verify", "127.0.0.1", "-p", Secret } },
        { new[] { "verify", "--password", Secret, "127.0.0.1" } },
        { new[] { "capture", "x.pcap", "--password", Secret } },
        { new[] { "capture", "x.pcap", "--pass", Secret } },
        { new[] { "audit", s_fleet, "--password", Secret } },
        { new[] { "scan", "127.0.0.1", "--password", Secret } },
    };

    [Theory]
    [MemberData(nameof(PasswordLines))]
    public async Task PasswordOnTheCommandLine_IsNeverEchoed_AndPointsToTheSafeWays(string[] args)
    {
        CliRun run = await CliHarness.RunAsync(args);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Equal(string.Empty, run.Output);
        Assert.DoesNotContain(Secret, run.Error, StringComparison.Ordinal);
        Assert.Contains("SMBSIGN_PASSWORD", run.Error, StringComparison.Ordinal);
        Assert.Contains("--password-file", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CapturePortShortOption_WithAPasswordAfterIt_IsNotEchoed()
    {
        // On capture -p is --port; people type it for a password (smbclient, impacket).
        CliRun run = await CliHarness.RunAsync(["capture", "x.pcap", "-p", Secret]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.DoesNotContain(Secret, run.Error, StringComparison.Ordinal);
        Assert.Contains("SMBSIGN_PASSWORD", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--key")]
    [InlineData("--key=")]
    public async Task KeyOnTheCommandLine_IsNeverEchoed_AndPointsToTheSafeWays(string option)
    {
        const string key = "00112233445566778899aabbccddeeff";
        string[] args = option.EndsWith('=') ? ["signature", "fe534d42", option + key] : ["signature", "fe534d42", option, key];

        CliRun run = await CliHarness.RunAsync(args);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.DoesNotContain(key, run.Error, StringComparison.Ordinal);
        Assert.Contains("SMBSIGN_KEY", run.Error, StringComparison.Ordinal);
        Assert.Contains("--key-file", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_IsAUsageErrorWithASuggestion_NotAFileName()
    {
        CliRun run = await CliHarness.RunAsync(["audit", s_fleet, "--stirct"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Equal(string.Empty, run.Output);
        Assert.Contains("unknown option --stirct; did you mean --strict?", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("no such file", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_BeforeThePath_IsAUsageErrorToo()
    {
        CliRun run = await CliHarness.RunAsync(["audit", "--failures-onyl", s_fleet, "--format", "json"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Equal(string.Empty, run.Output);
        Assert.Contains("did you mean --failures-only?", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterDoubleDash_ADashNameIsAFile()
    {
        CliRun run = await CliHarness.RunAsync(["audit", "--format", "json", "--", "-not-an-option.reg"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.DoesNotContain("unknown option", run.Error, StringComparison.Ordinal);
        Assert.Contains("-not-an-option.reg", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KnownOptions_WithAttachedValuesAndAliases_StillWork()
    {
        CliRun run = await CliHarness.RunAsync(["audit", Path.Combine(s_fleet, "ws-win10-01.reg"), "--format=json", "-b", "cis-win11-23h2", "--strict"]);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        Assert.DoesNotContain("unknown option", run.Error, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.True(doc.RootElement.GetProperty("strict").GetBoolean());
    }

    [Theory]
    [InlineData("evaluate", "--list-os")]
    [InlineData("explain", "client.RequireSecuritySignature")]
    [InlineData("matrix", null)]
    [InlineData("version", null)]
    public async Task JsonReports_CarryGeneratedAtAndToolVersion(string command, string? argument)
    {
        string[] args = argument is null ? [command, "--format", "json"] : [command, argument, "--format", "json"];
        CliRun run = await CliHarness.RunAsync(args);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        string generated = doc.RootElement.GetProperty("generatedAt").GetString()!;
        Assert.Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", generated);
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("toolVersion").GetString()));
    }
}
