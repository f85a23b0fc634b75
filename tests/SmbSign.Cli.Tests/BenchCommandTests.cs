using System.Text.Json;

namespace SmbSign.Cli.Tests;

public sealed class BenchCommandTests
{
    [Fact]
    public async Task BenchSigning_Json_MeasuresEveryAlgorithmAndSize()
    {
        CliRun run = await CliHarness.RunAsync(["bench", "signing", "--sizes", "128,4K", "--seconds", "0.02", "--format", "json"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement[] results = [.. doc.RootElement.GetProperty("results").EnumerateArray()];
        Assert.Equal(8, results.Length);
        Assert.Equal(
            ["HMAC-SHA256", "HMAC-SHA256", "AES-CMAC", "AES-CMAC", "AES-GMAC", "AES-GMAC", "MD5", "MD5"],
            results.Select(r => r.GetProperty("algorithm").GetString()));
        Assert.Equal([128, 4096, 128, 4096, 128, 4096, 128, 4096], results.Select(r => r.GetProperty("size").GetInt32()));
        Assert.All(results, r =>
        {
            Assert.True(r.GetProperty("signaturesPerSecond").GetDouble() > 0);
            Assert.True(r.GetProperty("gigabytesPerSecond").GetDouble() > 0);
            Assert.True(r.GetProperty("signatures").GetInt64() > 0);
            // One signing thread: it cannot use more CPU than there is, and the per-CPU-second rate is the count over it.
            double cpu = r.GetProperty("cpuSeconds").GetDouble();
            Assert.InRange(cpu, 1e-6, (r.GetProperty("seconds").GetDouble() * Environment.ProcessorCount) + 0.05);
            double expected = r.GetProperty("signatures").GetInt64() * (double)r.GetProperty("size").GetInt32() / cpu / 1e9;
            Assert.Equal(expected, r.GetProperty("gigabytesPerCpuSecond").GetDouble(), Math.Max(expected * 0.02, 0.0002)); // both rounded to 4 places
        });
        Assert.True(doc.RootElement.GetProperty("hardware").TryGetProperty("aesNi", out _));
    }

    [Fact]
    public async Task BenchSigning_AlgorithmFilterAndSuffixes_SelectOneCell()
    {
        CliRun run = await CliHarness.RunAsync(["bench", "signing", "--algorithms", "gmac", "--sizes", "64KiB", "--seconds", "0.02", "--format", "json"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement result = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal("AES-GMAC", result.GetProperty("algorithm").GetString());
        Assert.Equal(65536, result.GetProperty("size").GetInt32());
    }

    [Fact]
    public async Task BenchSigning_Table_ShowsThroughputColumns()
    {
        CliRun run = await CliHarness.RunAsync(["bench", "signing", "--sizes", "1M", "--algorithms", "cmac,md5", "--seconds", "0.02"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("GB/s", run.Output, StringComparison.Ordinal);
        Assert.Contains("Signatures/s", run.Output, StringComparison.Ordinal);
        Assert.Contains("1 MiB", run.Output, StringComparison.Ordinal);
        Assert.Contains("AES-CMAC", run.Output, StringComparison.Ordinal);
        Assert.Contains("MD5", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("size below the SMB2 header", new[] { "bench", "signing", "--sizes", "32" }, "smaller than the 64-byte")]
    [InlineData("size not a number", new[] { "bench", "signing", "--sizes", "big" }, "'big' is not a size")]
    [InlineData("size too large", new[] { "bench", "signing", "--sizes", "64M" }, "'64M' is not a size")]
    [InlineData("unknown algorithm", new[] { "bench", "signing", "--algorithms", "rc4" }, "'rc4' is not one of")]
    [InlineData("zero seconds", new[] { "bench", "signing", "--seconds", "0" }, "--seconds must be")]
    [InlineData("no subcommand", new[] { "bench" }, "Required command")]
    public async Task BenchSigning_BadArguments_ExitTwo(string description, string[] args, string expected)
    {
        CliRun run = await CliHarness.RunAsync(args);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.NotEmpty(description);
    }
}
