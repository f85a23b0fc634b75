using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using SmbSign.Wire.Listen;

namespace SmbSign.Wire.Tests.Listen;

/// <summary>
/// The listener's idle timeout and connection deadline, on a fake clock: the sockets are real, time is not, so a
/// loaded machine can neither close a connection early nor make the test miss a bound. Only the fake clock moves the
/// timers, so "closed at or after the limit, never before" is exact.
/// </summary>
public sealed class ListenTimeoutTests
{
    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Silent_client_is_closed_at_the_idle_timeout_and_not_before()
    {
        ListenOptions options = ListenHarness.Options(ListenTestMode.Observe) with
        {
            IdleTimeout = TimeSpan.FromSeconds(20),
            ConnectionDeadline = TimeSpan.FromSeconds(60),
        };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
        await using ListenServer server = ListenServer.Start(options, ListenHarness.Password, time);
        using Socket silent = await ConnectAsync(server);

        ListenClientReport report = await AdvanceUntilReportAsync(server, time);

        Assert.StartsWith("idle timeout (20 s)", report.End, StringComparison.Ordinal);
        Assert.True(report.Duration >= options.IdleTimeout, $"closed after {report.Duration} of fake time");
        Assert.True(report.Duration < options.ConnectionDeadline, $"closed after {report.Duration} of fake time");
        Assert.Equal(ClientEnforcementVerdict.Untested, report.Enforcement);
    }

    [Fact]
    public async Task Client_held_open_past_the_connection_deadline_is_closed_at_the_deadline_and_not_before()
    {
        // An idle timeout longer than the deadline: only the deadline can end this connection.
        ListenOptions options = ListenHarness.Options(ListenTestMode.Observe) with
        {
            IdleTimeout = TimeSpan.FromMinutes(10),
            ConnectionDeadline = TimeSpan.FromSeconds(2),
        };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
        await using ListenServer server = ListenServer.Start(options, ListenHarness.Password, time);
        using Socket trickle = await ConnectAsync(server);

        // A frame header announcing 4 KiB, then nothing more: the listener waits inside one frame.
        await trickle.SendAsync(new byte[] { 0x00, 0x00, 0x10, 0x00, 0xFE });
        ListenClientReport report = await AdvanceUntilReportAsync(server, time);

        Assert.StartsWith("deadline (2 s)", report.End, StringComparison.Ordinal);
        Assert.True(report.Duration >= options.ConnectionDeadline, $"closed after {report.Duration} of fake time");
    }

    /// <summary>Moves the fake clock in small steps, giving the server real time to react after each, until it
    /// reports the connection. Bounded: a listener that never closes fails the test instead of hanging it.</summary>
    private static async Task<ListenClientReport> AdvanceUntilReportAsync(ListenServer server, FakeTimeProvider time)
    {
        for (int step = 0; step < 4000; step++)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(step == 0 ? 200 : 20));
            try
            {
                return await server.Reports.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                time.Advance(step < 10 ? TimeSpan.Zero : s_step);
            }
        }

        throw new Xunit.Sdk.XunitException("the listener did not close the connection within 1,000 s of fake time");
    }

    private static async Task<Socket> ConnectAsync(ListenServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint.Port));
        return socket;
    }
}
