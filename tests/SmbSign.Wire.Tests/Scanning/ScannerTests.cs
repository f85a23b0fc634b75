using System.Diagnostics;
using System.Net;
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
        var scanner = new Scanner(new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromMilliseconds(800) }), new ScanOptions { Concurrency = 8 });

        var results = new List<ServerPosture>();
        await foreach (ServerPosture posture in scanner.ScanAsync(targets))
        {
            results.Add(posture);
        }

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
        var scanner = new Scanner(new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromMilliseconds(800) }), new ScanOptions { Concurrency = 8, PreserveOrder = false });

        var results = new List<ServerPosture>();
        await foreach (ServerPosture posture in scanner.ScanAsync(targets))
        {
            results.Add(posture);
        }

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
        var scanner = new Scanner(new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(30) }), new ScanOptions { Concurrency = 4 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ServerPosture _ in scanner.ScanAsync(targets, cts.Token))
            {
            }
        });

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
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
}
