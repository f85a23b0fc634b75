using System.Net;
using System.Net.Sockets;
using SmbSign.Wire.Session;

namespace SmbSign.Wire.Tests.Session;

/// <summary>A scripted loopback server answering NEGOTIATE with malformed bytes: the client reports a protocol error
/// with what was wrong, never an exception or a hang.</summary>
public sealed class SmbClientSessionHostileServerTests
{
    private const string ResponseHeader = "FE534D42400000000000000000000100010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";

    [Theory]
    [InlineData("truncated NEGOTIATE body", ResponseHeader + "4100")]
    [InlineData("wrong StructureSize", ResponseHeader + "40000100" + "0000")]
    [InlineData("not SMB at all", "00112233445566778899")]
    // [MS-SMB2] 2.2.4 fixed body: StructureSize 65, SecurityMode 1, Dialect 0x0202, …, SecurityBufferOffset 128, SecurityBufferLength 64, no buffer.
    [InlineData("security buffer past the end", ResponseHeader + "41000100020200000000000000000000000000000000000000000000000001000000010000000100000000000000000000000000000000008000400000000000")]
    public async Task Verify_MalformedNegotiateResponse_ProtocolError(string description, string responseHex)
    {
        byte[] payload = Convert.FromHexString(responseHex);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task server = ServeOnceAsync(listener, payload);
        var client = new SmbClientSession(TimeProvider.System);
        var options = new SmbClientOptions { Host = "127.0.0.1", Port = ((IPEndPoint)listener.LocalEndpoint).Port, User = "u", Timeout = TimeSpan.FromSeconds(5) };

        VerificationReport report = await client.VerifyAsync(options, "p", CancellationToken.None);
        await server;

        Assert.True(report.Error?.Kind == SessionErrorKind.Protocol, $"{description}: {report.Error}");
        Assert.False(report.Enforced);
    }

    private static async Task ServeOnceAsync(TcpListener listener, byte[] payload)
    {
        using TcpClient peer = await listener.AcceptTcpClientAsync();
        NetworkStream stream = peer.GetStream();
        byte[] prefix = new byte[4];
        await stream.ReadExactlyAsync(prefix);
        int length = (prefix[1] << 16) | (prefix[2] << 8) | prefix[3];
        await stream.ReadExactlyAsync(new byte[length]);
        byte[] frame = [0, (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
        await stream.WriteAsync(frame);
        await Task.Delay(200);
    }
}
