using System.Diagnostics;
using SmbSign.Fuzz;

namespace SmbSign.Cli.Tests.Fuzz;

/// <summary>Replays every input the fuzzer (bench/fuzz.sh) turned into a regression file, through the same target
/// logic that found it (bench/SmbSign.Fuzz/Targets, compiled into this assembly): no exception outside the parser's
/// documented rejection, bounded time, at most 64 MB allocated. Files live in
/// <c>TestData/fuzz-regressions/TARGET/</c>; each target folder's README says what each input found.</summary>
public sealed class FuzzRegressionTests
{
    private static readonly string s_root = Path.Combine(AppContext.BaseDirectory, "TestData", "fuzz-regressions");

    /// <summary>AFL calls an input over 1 s a hang; the replay allows more because the test suite shares a loaded
    /// 2-core machine. The inputs kept here took seconds to minutes (or forever) before their fixes.</summary>
    private static readonly TimeSpan s_replayTimeLimit = TimeSpan.FromSeconds(5);

    public static TheoryData<string, string> RegressionInputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string directory in Directory.GetDirectories(s_root).Order(StringComparer.Ordinal))
        {
            foreach (string file in Directory.GetFiles(directory).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(directory), Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RegressionInputs))]
    public void Regression_input_is_rejected_cleanly_in_bounded_time_and_memory(string target, string file)
    {
        FuzzTarget fuzzTarget = FuzzTargets.Find(target) ?? throw new InvalidOperationException($"fuzz-regressions/{target} names no fuzz target");
        byte[] input = File.ReadAllBytes(Path.Combine(s_root, target, file));

        // First run: loads the settings catalog and JIT-compiles the parser (not the input's cost). Any exception
        // escaping it fails the test, as it would be a crash under AFL.
        fuzzTarget.Run(input);
        var clock = Stopwatch.StartNew();
        long allocated = FuzzTargets.RunMeasured(fuzzTarget, input);
        clock.Stop();

        Assert.True(clock.Elapsed < s_replayTimeLimit, $"{target}/{file}: {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(allocated <= FuzzTargets.AllocationLimit, $"{target}/{file}: {allocated} bytes allocated");
    }

    [Fact]
    public void Every_regression_folder_names_a_fuzz_target()
    {
        string[] unknown = [.. Directory.GetDirectories(s_root).Select(Path.GetFileName).Where(name => FuzzTargets.Find(name!) is null).Select(name => name!)];

        Assert.Empty(unknown);
    }

    /// <summary>The harness's own contract: every target takes empty, tiny and patterned garbage through its
    /// documented rejection (so a target that threw for every input could not pass for a clean parser).</summary>
    [Fact]
    public void Every_target_rejects_trivial_garbage_through_its_documented_channel()
    {
        byte[][] inputs = [[], [0], [0xFF, 0xFE], new byte[4096], [.. Enumerable.Repeat((byte)0xFF, 4096)], "[{\"x\":1}]"u8.ToArray()];
        Assert.Equal(19, FuzzTargets.All.Count);
        foreach (FuzzTarget target in FuzzTargets.All)
        {
            foreach (byte[] input in inputs)
            {
                long allocated = FuzzTargets.RunMeasured(target, input);
                Assert.True(allocated <= FuzzTargets.AllocationLimit, $"{target.Name}: {allocated} bytes for {input.Length} bytes of input");
            }
        }
    }
}
