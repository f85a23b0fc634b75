using SmbSign.Wire.Scanning;

namespace SmbSign.Wire.Tests.Scanning;

public sealed class TargetSourceTests
{
    [Fact]
    public void Enumerate_ArgumentsThenFile_InOrderWithDefaultPortAndIndexes()
    {
        string file = Path.Combine(Path.GetTempPath(), $"smbsign-targets-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, "# servers\n10.1.0.1  10.1.0.2 # trailing comment\n\n[::1]:4455\n");
        try
        {
            TargetSource source = TargetSource.Create(["10.0.0.1-2"], [file], defaultPort: 445);

            var targets = source.Enumerate().ToList();

            Assert.Equal(5UL, source.Count);
            Assert.Equal(["10.0.0.1:445", "10.0.0.2:445", "10.1.0.1:445", "10.1.0.2:445", "[::1]:4455"], targets.Select(t => t.ToString()));
            Assert.Equal([0L, 1, 2, 3, 4], targets.Select(t => t.Index));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Create_BadLineInFile_ReportsFileAndLine()
    {
        string file = Path.Combine(Path.GetTempPath(), $"smbsign-targets-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, "10.0.0.1\n10.0.0.2\n10.0.0.300\n");
        try
        {
            TargetParseException e = Assert.Throws<TargetParseException>(() => TargetSource.Create([], [file]));

            Assert.StartsWith($"{file}:3: '10.0.0.300'", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(1, 4, new[] { "10.0.0.0", "10.0.0.4", "10.0.0.8" })]
    [InlineData(2, 4, new[] { "10.0.0.1", "10.0.0.5", "10.0.0.9" })]
    [InlineData(4, 4, new[] { "10.0.0.3", "10.0.0.7" })]
    public void Enumerate_Shard_TakesEveryNthAndCountsIt(int index, int count, string[] expected)
    {
        TargetSource source = TargetSource.Create(["10.0.0.0-9"], [], shard: new Shard(index, count));

        var hosts = source.Enumerate().Select(t => t.Host).ToList();

        Assert.Equal(expected, hosts);
        Assert.Equal((ulong)expected.Length, source.Count);
    }

    [Fact]
    public void Shards_TogetherCoverEveryTargetOnce()
    {
        var all = Enumerable.Range(1, 3)
            .SelectMany(i => TargetSource.Create(["10.0.0.0/28"], [], shard: new Shard(i, 3)).Enumerate().Select(t => t.Host))
            .OrderBy(h => h, StringComparer.Ordinal)
            .ToList();

        Assert.Equal(TargetSource.Create(["10.0.0.0/28"], []).Enumerate().Select(t => t.Host).OrderBy(h => h, StringComparer.Ordinal), all);
    }

    [Theory]
    [InlineData("0/4")]
    [InlineData("5/4")]
    [InlineData("1/0")]
    [InlineData("a/b")]
    [InlineData("3")]
    public void ShardTryParse_Invalid_Fails(string text)
    {
        Assert.False(Shard.TryParse(text, out _, out string? error));
        Assert.Contains("I/N", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Enumerate_HugeCidr_StreamsWithoutMaterialising()
    {
        TargetSource source = TargetSource.Create(["10.0.0.0/8", "11.0.0.0/8"], []);
        long before = GC.GetAllocatedBytesForCurrentThread();

        ScanTarget last = source.Enumerate().Skip(100_000).First();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(33_554_432UL, source.Count);
        Assert.Equal("10.1.134.160", last.Host);
        // Streaming allocates per target (strings, records), but nothing proportional to the 33 M total.
        Assert.True(allocated < 100_000L * 1_000, $"allocated {allocated} bytes");
    }
}
