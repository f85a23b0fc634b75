using System.Net;
using System.Net.Sockets;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Wire.Listen;

namespace SmbSign.Wire.Tests.Listen;

/// <summary>Clients that misbehave on purpose: the listener closes them within its limits and keeps serving.</summary>
public sealed class ListenHostileClientTests
{
    private static ListenOptions Tight() => ListenHarness.Options(ListenTestMode.Observe) with
    {
        MaxConcurrentConnections = 2,
        // Generous limits: these clients end the connection by what they send, never by a loaded machine's timer (the
        // timeouts themselves are ListenTimeoutTests, on a fake clock).
        IdleTimeout = TimeSpan.FromSeconds(30),
        ConnectionDeadline = TimeSpan.FromSeconds(60),
        MaxFrameSize = 4096,
    };

    [Fact]
    public async Task Oversized_frame_is_refused_from_its_length_prefix_without_buffering()
    {
        await using ListenServer server = ListenServer.Start(Tight(), ListenHarness.Password);
        using Socket client = await ConnectAsync(server);
        await client.SendAsync(new byte[] { 0x00, 0xFF, 0xFF, 0xFF, 0xFE, 0x53, 0x4D, 0x42 });
        ListenClientReport report = await NextReportAsync(server);
        Assert.StartsWith("transport:", report.End, StringComparison.Ordinal);
        Assert.Equal(ClientEnforcementVerdict.Untested, report.Enforcement);
    }

    [Fact]
    public async Task Garbage_and_truncated_negotiate_end_the_connection_with_a_reason()
    {
        await using ListenServer server = ListenServer.Start(Tight(), ListenHarness.Password);
        using (Socket garbage = await ConnectAsync(server))
        {
            await garbage.SendAsync(new byte[] { 0x00, 0x00, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8 });
            Assert.Equal("not an SMB message", (await NextReportAsync(server)).End);
        }

        using Socket truncated = await ConnectAsync(server);
        byte[] negotiate = Smb2NegotiateRequest.CreateProbe(Guid.NewGuid(), new byte[32]).ToArray(Smb2Requests.Header(Smb2Command.Negotiate, 0));
        byte[] frame = new byte[4 + 70];
        frame[3] = 70;
        negotiate.AsSpan(0, 70).CopyTo(frame.AsSpan(4));
        await truncated.SendAsync(frame);
        ListenClientReport report = await NextReportAsync(server);
        Assert.StartsWith("protocol error:", report.End, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_over_the_cap_are_closed_at_accept_and_the_listener_keeps_serving()
    {
        await using ListenServer server = ListenServer.Start(Tight(), ListenHarness.Password);
        using Socket first = await ConnectAsync(server);
        using Socket second = await ConnectAsync(server);
        await Task.Delay(200);
        using Socket third = await ConnectAsync(server);
        byte[] buffer = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        int read = await third.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        Assert.Equal(0, read);
        Assert.Equal(1, server.RefusedConnections);

        first.Dispose();
        second.Dispose();
        await NextReportAsync(server);
        await NextReportAsync(server);
        ListenClientReport report = await NextAfterSmbClientAsync(server);
        Assert.Equal(Dialect.Smb311, report.Dialect);
    }

    /// <summary>SMB1 requests after an NT LM 0.12 NEGOTIATE whose AndX offsets, word counts or byte counts lie: each ends the
    /// connection as a protocol error naming the field, without reading out of bounds or following a chain backwards.</summary>
    [Theory]
    [InlineData("AndXOffset points back at the first block", "0C 75 00 2000 0000000000000000000000000000000000000000 0000", "points before the end")]
    [InlineData("AndXOffset past the end of the message", "0C 75 00 F0FF 0000000000000000000000000000000000000000 0000", "lies outside")]
    [InlineData("chained block truncated", "0C 75 00 3B00 0000000000000000000000000000000000000000 0000 04 FF00", "truncated")]
    [InlineData("chained ByteCount past the end", "0C 75 00 3B00 0000000000000000000000000000000000000000 0000 00 FF7F", "ByteCount")]
    [InlineData("WordCount larger than the message", "FF FF 00 0000 0000", "truncated")]
    [InlineData("ByteCount past the end", "0C FF 00 0000 0000000000000000000000000000000000000000 0010 0000", "ByteCount")]
    [InlineData("WordCount too small for an AndX block", "01 FF00 0000", "too small for an AndX block")]
    [InlineData("no extended security (WordCount 13)", "0D FF 00 0000 00000000000000000000000000000000000000000000000000000000 0000", "without extended security")]
    public async Task Smb1_lying_andx_offsets_and_counts_end_the_connection_with_the_field_named(string description, string sessionSetupBody, string reason)
    {
        await using ListenServer server = ListenServer.Start(Tight(), ListenHarness.Password);
        using Socket client = await ConnectAsync(server);
        byte[] negotiate = new Smb1NegotiateRequest
        {
            Dialects = [Smb1NegotiateRequest.NtLm012],
            Flags2 = Smb1Flags2.ExtendedSecurity | Smb1Flags2.NtStatus | Smb1Flags2.Unicode,
        }.ToArray();
        await client.SendAsync(Frame(negotiate));
        byte[] buffer = new byte[4096];
        using (var read = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            Assert.True(await client.ReceiveAsync(buffer, SocketFlags.None, read.Token) > 4 + 32, description);
        }

        byte[] header = new byte[Smb1Header.Size];
        new Smb1Header(Smb1Command.SessionSetupAndX, 0, Smb1Flags.None, Smb1Flags2.ExtendedSecurity | Smb1Flags2.NtStatus | Smb1Flags2.Unicode, 0, 0, 0, 1, 0, 1)
            .Write(header);
        await client.SendAsync(Frame([.. header, .. Convert.FromHexString(sessionSetupBody.Replace(" ", string.Empty, StringComparison.Ordinal))]));

        ListenClientReport report = await NextReportAsync(server);
        Assert.StartsWith("protocol error:", report.End, StringComparison.Ordinal);
        Assert.Contains(reason, report.End, StringComparison.Ordinal);
        Assert.Equal(Dialect.Smb1, report.Dialect);
        Assert.Equal(ClientEnforcementVerdict.Untested, report.Enforcement);
    }

    /// <summary>An SMB1 message after an SMB2 NEGOTIATE, and an SMB1 request before any NEGOTIATE, end the connection.</summary>
    [Fact]
    public async Task Smb1_request_out_of_order_ends_the_connection()
    {
        await using ListenServer server = ListenServer.Start(Tight(), ListenHarness.Password);
        using Socket client = await ConnectAsync(server);
        byte[] header = new byte[Smb1Header.Size];
        new Smb1Header(Smb1Command.SessionSetupAndX, 0, Smb1Flags.None, Smb1Flags2.NtStatus, 0, 0, 0, 1, 0, 1).Write(header);
        await client.SendAsync(Frame([.. header, 0, 0, 0]));
        Assert.Equal("SMB1 request before NEGOTIATE", (await NextReportAsync(server)).End);
    }

    private static byte[] Frame(byte[] message) =>
        [0, (byte)(message.Length >> 16), (byte)(message.Length >> 8), (byte)message.Length, .. message];

    private static async Task<ListenClientReport> NextAfterSmbClientAsync(ListenServer server)
    {
        (int exit, string output) = await ListenHarness.SmbClientAsync(server.LocalEndPoint.Port, "SMB3_11", "required");
        Assert.True(exit == 0, output);
        return await NextReportAsync(server);
    }

    private static async Task<Socket> ConnectAsync(ListenServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint.Port));
        return socket;
    }

    private static async Task<ListenClientReport> NextReportAsync(ListenServer server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await server.Reports.ReadAsync(timeout.Token);
    }
}
