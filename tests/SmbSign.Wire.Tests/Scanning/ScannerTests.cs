using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using SmbSign.Protocol.Smb2;
using SmbSign.TestServers;
using SmbSign.Wire.Scanning;

namespace SmbSign.Wire.Tests.Scanning;

public sealed class ScannerTests
{
    [Fact]
    public async Task ScanAsync_PreserveOrder_YieldsInInputOrderDespiteSlowHead()
    {
        await using HostileResponder silent = HostileResponder.Start(HostileBehavior.Silent);
        await using LoopbackSmbResponder fast = LoopbackSmbResponder.Start();
        var targets = new List<ScanTarget> { new("127.0.0.1", IPAddress.Loopback, silent.Port) };
        targets.AddRange(Enumerable.Range(0, 20).Select(_ => new ScanTarget("127.0.0.1", IPAddress.Loopback, fast.Port)));
        var time = new FakeTimeProvider();
        var scanner = new Scanner(new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromMilliseconds(800) }, time), new ScanOptions { Concurrency = 8 });

        var results = new List<ServerPosture>();
        Task scan = CollectAsync(scanner.ScanAsync(targets), results);
        // The clock stands still until every healthy probe has finished, so only the silent head can time out.
        await WaitUntilAsync(() => fast.ClosedConnections >= 20);
        Assert.Empty(results);
        time.Advance(TimeSpan.FromMilliseconds(800));
        await scan.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(targets, results.Select(r => r.Target));
        Assert.Equal(ProbeErrorKind.Timeout, results[0].Error?.Kind);
        Assert.All(results.Skip(1), r => Assert.Null(r.Error));
    }

    [Fact]
    public async Task ScanAsync_AsCompleted_FastTargetsBeforeSlowOne()
    {
        await using HostileResponder silent = HostileResponder.Start(HostileBehavior.Silent);
        await using LoopbackSmbResponder fast = LoopbackSmbResponder.Start();
        var targets = new List<ScanTarget> { new("127.0.0.1", IPAddress.Loopback, silent.Port) };
        targets.AddRange(Enumerable.Range(0, 5).Select(_ => new ScanTarget("127.0.0.1", IPAddress.Loopback, fast.Port)));
        var time = new FakeTimeProvider();
        var scanner = new Scanner(new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromMilliseconds(800) }, time), new ScanOptions { Concurrency = 8, PreserveOrder = false });

        var results = new List<ServerPosture>();
        Task scan = CollectAsync(scanner.ScanAsync(targets), results);
        // The five healthy targets are reported while the clock stands still; only then does the silent one time out.
        await WaitUntilAsync(() =>
        {
            lock (results)
            {
                return results.Count >= 5;
            }
        });
        time.Advance(TimeSpan.FromMilliseconds(800));
        await scan.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(6, results.Count);
        Assert.Equal(silent.Port, results[^1].Target.Port);
    }

    [Fact]
    public async Task ScanAsync_Rate_SpacesStarts()
    {
        // Closed port on loopback: each probe ends at once with "refused", so the pacing is all that takes time.
        var targets = Enumerable.Range(0, 11).Select(_ => new ScanTarget("127.0.0.1", IPAddress.Loopback, ClosedPort())).ToList();
        var scanner = new Scanner(new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(2) }), new ScanOptions { Concurrency = 16, RatePerSecond = 50 });
        var watch = Stopwatch.StartNew();

        int count = 0;
        await foreach (ServerPosture posture in scanner.ScanAsync(targets))
        {
            Assert.Equal(ProbeErrorKind.Refused, posture.Error?.Kind);
            Assert.False(posture.Reachable);
            count++;
        }

        Assert.Equal(11, count);
        // 11 starts at 50/s: the last starts 10 × 20 ms = 200 ms after the first.
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(190), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task ScanAsync_Cancelled_ThrowsOperationCanceled()
    {
        await using HostileResponder silent = HostileResponder.Start(HostileBehavior.Silent);
        var targets = Enumerable.Range(0, 50).Select(_ => new ScanTarget("127.0.0.1", IPAddress.Loopback, silent.Port));
        // One fake clock for the probes' deadlines and the caller's cancellation: only cancellation can end this scan
        // (the probe deadline is 30 s of fake time), and it does so the moment the clock passes 300 ms.
        var time = new FakeTimeProvider();
        var scanner = new Scanner(new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(30) }, time), new ScanOptions { Concurrency = 4 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300), time);

        Task scan = Task.Run(async () =>
        {
            await foreach (ServerPosture _ in scanner.ScanAsync(targets, cts.Token))
            {
            }
        });
        await Task.Delay(200);
        Assert.False(scan.IsCompleted, "the scan of silent servers ended before it was cancelled");
        time.Advance(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scan.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task ScanAsync_ManyTargetsSmallWindow_HoldsAtMostTheWindow()
    {
        await using LoopbackSmbResponder fast = LoopbackSmbResponder.Start(new ResponderProfile { Smb2SecurityMode = Smb2SecurityMode.SigningEnabled });
        int produced = 0;
        IEnumerable<ScanTarget> Targets()
        {
            for (int i = 0; i < 200; i++)
            {
                Interlocked.Increment(ref produced);
                yield return new ScanTarget("127.0.0.1", IPAddress.Loopback, fast.Port, i);
            }
        }

        var scanner = new Scanner(new SmbProber(), new ScanOptions { Concurrency = 4, Window = 8 });
        int consumed = 0;
        await foreach (ServerPosture posture in scanner.ScanAsync(Targets()))
        {
            consumed++;
            Assert.True(Volatile.Read(ref produced) <= consumed + 8 + 1, $"produced {produced} while consumed {consumed}");
            Assert.True(posture.RelayTarget);
        }

        Assert.Equal(200, consumed);
    }

    private static int ClosedPort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task CollectAsync(IAsyncEnumerable<ServerPosture> scan, List<ServerPosture> results)
    {
        await foreach (ServerPosture posture in scan)
        {
            lock (results)
            {
                results.Add(posture);
            }
        }
    }

    /// <summary>Polls a condition on real time, bounded: a scan that never gets there fails instead of hanging.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "timed out waiting for the healthy probes");
    }
}
