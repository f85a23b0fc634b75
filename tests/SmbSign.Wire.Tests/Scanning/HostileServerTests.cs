using System.Net;
using Microsoft.Extensions.Time.Testing;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol;
using SmbSign.TestServers;
using SmbSign.Wire.Scanning;

namespace SmbSign.Wire.Tests.Scanning;

public sealed class HostileServerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMilliseconds(1500);

    [Theory]
    [InlineData(HostileBehavior.Silent, ProbeErrorKind.Timeout)]
    [InlineData(HostileBehavior.DripFeed, ProbeErrorKind.Timeout)]
    [InlineData(HostileBehavior.Announces4GB, ProbeErrorKind.InvalidFraming)]
    [InlineData(HostileBehavior.Announces16MB, ProbeErrorKind.FrameTooLarge)]
    [InlineData(HostileBehavior.ResetMidReply, ProbeErrorKind.ConnectionReset)]
    [InlineData(HostileBehavior.Garbage, ProbeErrorKind.InvalidFraming)]
    [InlineData(HostileBehavior.TruncatedNegotiate, ProbeErrorKind.ProtocolError)]
    [InlineData(HostileBehavior.FramedGarbage, ProbeErrorKind.ProtocolError)]
    [InlineData(HostileBehavior.UnofferedDialect, ProbeErrorKind.ProtocolError)]
    public async Task Probe_HostileServer_EndsWithinTimeoutWithSpecificError(HostileBehavior behavior, ProbeErrorKind expected)
    {
        await using HostileResponder server = HostileResponder.Start(behavior);
        // The deadline runs on a fake clock: the probe's one timer fires when the test moves the clock, so a loaded
        // machine can neither end a probe early nor stretch it past a wall-clock bound.
        var time = new FakeTimeProvider();
        var prober = new SmbProber(new ProbeOptions { Timeout = s_timeout }, time);

        Task<ServerPosture> probe = prober.ProbeAsync(new ScanTarget("127.0.0.1", IPAddress.Loopback, server.Port));
        if (expected == ProbeErrorKind.Timeout)
        {
            time.Advance(s_timeout - TimeSpan.FromMilliseconds(1));
            await Task.Delay(300);
            Assert.False(probe.IsCompleted, "the probe ended before its deadline");
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // Every other behaviour ends the probe with the clock standing still: its error comes from what the server
        // sent, not from a timer. A probe that ignored its deadline would hang here until the 30 s guard.
        ServerPosture posture = await probe.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(posture.Reachable);
        Assert.NotNull(posture.Error);
        Assert.Equal(expected, posture.Error!.Kind);
        Assert.Equal("SMB1 multi-protocol NEGOTIATE", posture.Error.Phase);
        Assert.Null(posture.RelayTarget);
    }

    [Theory]
    [InlineData(HostileBehavior.UnofferedDialect, "SMB1 multi-protocol NEGOTIATE")]
    [InlineData(HostileBehavior.UnofferedDialectAfterWildcard, "SMB2 NEGOTIATE")]
    public async Task Probe_ServerChoosesDialectNeverOffered_ProtocolErrorNotSuccess(HostileBehavior behavior, string phase)
    {
        await using HostileResponder server = HostileResponder.Start(behavior);
        // A clock that never moves: the verdict must come from what the server sent, never from a loaded machine's timer.
        var prober = new SmbProber(new ProbeOptions { Timeout = s_timeout }, new FakeTimeProvider());

        ServerPosture posture = await prober.ProbeAsync(new ScanTarget("127.0.0.1", IPAddress.Loopback, server.Port));

        Assert.Equal(ProbeErrorKind.ProtocolError, posture.Error?.Kind);
        Assert.Equal(phase, posture.Error!.Phase);
        Assert.Contains("0xFFFF", posture.Error.Message, StringComparison.Ordinal);
        Assert.Contains("not offered", posture.Error.Message, StringComparison.Ordinal);
        Assert.Null(posture.Smb2.Dialect);
        Assert.Null(posture.RelayTarget);
    }

    /// <summary>Many targets that reset right after accept, probed concurrently: each is connection-reset, exactly as
    /// when probed alone, never "unreachable" (a TCP connection was made).</summary>
    [Fact]
    public async Task Scan_ResetAfterAccept_ManyTargets_ConnectionResetLikeAlone()
    {
        await using HostileResponder server = HostileResponder.Start(HostileBehavior.ResetOnAccept);
        ScanTarget[] targets = [.. Enumerable.Range(0, 200).Select(_ => new ScanTarget("127.0.0.1", IPAddress.Loopback, server.Port))];
        // A reset answers at once; the long deadline only keeps a loaded machine from turning a slow probe into a timeout.
        var scanner = new Scanner(new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(15) }), new ScanOptions { Concurrency = 64 });

        var results = new List<ServerPosture>();
        await foreach (ServerPosture posture in scanner.ScanAsync(targets))
        {
            results.Add(posture);
        }

        Assert.Equal(targets.Length, results.Count);
        Assert.All(results, r => Assert.Equal(ProbeErrorKind.ConnectionReset, r.Error?.Kind));
        Assert.All(results, r => Assert.True(r.Reachable, "a reset is an answer: the host is reachable"));

        ServerPosture alone = await new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(15) }).ProbeAsync(targets[0]);
        Assert.Equal(ProbeErrorKind.ConnectionReset, alone.Error?.Kind);
        Assert.True(alone.Reachable);
    }

    [Fact]
    public async Task Scan_HostileServersAmongHealthyOnes_EveryTargetGetsItsOwnResult()
    {
        var hostile = Enum.GetValues<HostileBehavior>().Select(HostileResponder.Start).ToList();
        await using LoopbackSmbResponder healthy = LoopbackSmbResponder.Start(new ResponderProfile { Smb2SecurityMode = Smb2SecurityMode.SigningEnabled | Smb2SecurityMode.SigningRequired });
        try
        {
            var targets = new List<ScanTarget>();
            foreach (HostileResponder h in hostile)
            {
                targets.Add(new ScanTarget("127.0.0.1", IPAddress.Loopback, healthy.Port));
                targets.Add(new ScanTarget("127.0.0.1", IPAddress.Loopback, h.Port));
            }

            // Real time here, with a deadline generous enough that a loaded machine cannot turn a healthy neighbour's
            // probe into a timeout; how exactly the deadline ends a hostile probe is the fake-clock test above.
            var scanner = new Scanner(new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(5) }), new ScanOptions { Concurrency = 4 });
            var results = new List<ServerPosture>();
            await foreach (ServerPosture posture in scanner.ScanAsync(targets))
            {
                results.Add(posture);
            }

            Assert.Equal(targets.Count, results.Count);
            Assert.Equal(targets, results.Select(r => r.Target));
            for (int i = 0; i < results.Count; i += 2)
            {
                Assert.Null(results[i].Error);
                Assert.Equal(Smb2SigningState.Required, results[i].Smb2.Signing);
                Assert.Equal(Dialect.Smb311, results[i].Smb2.Dialect);
                Assert.Equal("RESPONDER", results[i].Host.NetbiosName);
                Assert.False(results[i].RelayTarget);
                Assert.NotNull(results[i + 1].Error);
            }

        }
        finally
        {
            foreach (HostileResponder h in hostile)
            {
                await h.DisposeAsync();
            }
        }
    }
}
