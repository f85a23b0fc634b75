namespace SmbSign.Cli.Tests;

/// <summary><c>smbsign verify</c> input errors: each exits 2 with a specific message before any connection is made.</summary>
public sealed class VerifyCommandUsageTests
{
    private static readonly Dictionary<string, string> s_password = new() { ["SMBSIGN_PASSWORD"] = "not-used-Secret-42" };

    [Theory]
    [InlineData("missing user", new[] { "verify", "//127.0.0.1:1/data" }, "--user")]
    [InlineData("bad target", new[] { "verify", "127.0.0.1/data", "-u", "a" }, "not a UNC target")]
    [InlineData("bad port", new[] { "verify", "//127.0.0.1:99999/data", "-u", "a" }, "port")]
    [InlineData("unknown dialect", new[] { "verify", "//127.0.0.1:1/data", "-u", "a", "--dialect", "4.0" }, "--dialect")]
    [InlineData("unknown algorithm", new[] { "verify", "//127.0.0.1:1/data", "-u", "a", "--signing-algorithm", "sha1" }, "--signing-algorithm")]
    [InlineData("gmac below 3.1.1", new[] { "verify", "//127.0.0.1:1/data", "-u", "a", "--dialect", "3.0", "--signing-algorithm", "gmac" }, "always signs with AES-CMAC")]
    [InlineData("zero timeout", new[] { "verify", "//127.0.0.1:1/data", "-u", "a", "--timeout", "0" }, "--timeout")]
    [InlineData("bad format", new[] { "verify", "//127.0.0.1:1/data", "-u", "a", "--format", "csv" }, "--format")]
    [InlineData("password on argv is not an option", new[] { "verify", "//127.0.0.1:1/data", "-u", "a", "--password", "x" }, "--password")]
    public async Task Verify_BadInput_ExitsTwoWithMessage(string description, string[] args, string expected)
    {
        CliRun run = await CliHarness.RunAsync(args, s_password);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.NotNull(description);
    }

    [Fact]
    public async Task Verify_NoPasswordAnywhere_ExplainsTheThreeSources()
    {
        CliRun run = await CliHarness.RunAsync(["verify", "//127.0.0.1:1/data", "-u", "a"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("SMBSIGN_PASSWORD", run.Error, StringComparison.Ordinal);
        Assert.Contains("--password-file", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_MissingPasswordFile_ExitsTwo()
    {
        string path = Path.Combine(Path.GetTempPath(), "smbsign-no-such-" + Guid.NewGuid().ToString("N"));

        CliRun run = await CliHarness.RunAsync(["verify", "//127.0.0.1:1/data", "-u", "a", "--password-file", path]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--password-file", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_EmptyPasswordFile_ExitsTwo()
    {
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "\n");

            CliRun run = await CliHarness.RunAsync(["verify", "//127.0.0.1:1/data", "-u", "a", "--password-file", path]);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("empty", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
