using System.Net;
using System.Net.Sockets;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb2;
using SmbSign.Testing;
using SmbSign.Wire.Session;
using SmbClientOptions = SmbSign.Wire.Session.SmbClientOptions;

namespace SmbSign.Wire.Tests.Session;

/// <summary>Tampering, timeouts and refused connections.</summary>
public sealed class SmbClientSessionFailureTests(MandatorySigningSamba samba) : IClassFixture<MandatorySigningSamba>
{
    [Theory]
    [InlineData(Dialect.Smb202, 0)]
    [InlineData(Dialect.Smb300, 1)]
    [InlineData(Dialect.Smb311, 0)]
    [InlineData(Dialect.Smb311, 2)]
    public async Task Verify_OneFlippedByteInASignedResponse_FailsExactlyThatMessage(Dialect dialect, int signedIndex)
    {
        await using var proxy = TamperProxy.Start(samba.Server.EndPoint, TamperProxy.NthSigned(signedIndex));
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(samba.Server, proxy.Port) with { Dialect = dialect }, SambaServer.Password, CancellationToken.None);

        string why = SessionTestHelpers.Describe(report, samba.Server);
        ProxiedMessage tampered = Assert.Single(proxy.Tampered);
        VerificationFailure failure = Assert.Single(report.Failures);
        Assert.Equal(tampered.MessageId, failure.MessageId);
        Assert.Equal(CommandName((Smb2Command)tampered.Command), failure.Command);
        Assert.Equal(MessageDirection.Response, failure.Direction);
        Assert.False(report.Enforced, why);
        Assert.Contains("not trusted", report.Reason, StringComparison.Ordinal);
        Assert.True(report.ReadData.IsEmpty, "the session stops at the failed message");
        Assert.Equal(failure.MessageId, report.Messages[^1].MessageId);
    }

    [Fact]
    public async Task Verify_Smb1FlippedByte_FailsThatMessage()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory", MinProtocol = "NT1", MaxProtocol = "NT1" });
        // The TREE_CONNECT_ANDX reply (command 0x75): the first signed reply after the session setup.
        await using var proxy = TamperProxy.Start(server.EndPoint, m => m.IsSmb1 && m.IsSigned && m.Command == 0x75);
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server, proxy.Port) with { Dialect = Dialect.Smb1 }, SambaServer.Password, CancellationToken.None);

        ProxiedMessage tampered = Assert.Single(proxy.Tampered);
        VerificationFailure failure = Assert.Single(report.Failures);
        Assert.Equal(tampered.MessageId, failure.MessageId);
        Assert.Equal("TREE_CONNECT_ANDX", failure.Command);
        Assert.False(report.Enforced, SessionTestHelpers.Describe(report, server));
    }

    [Fact]
    public async Task Verify_ServerNeverAnswers_TimeoutError()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var client = new SmbClientSession(TimeProvider.System);
        var options = new SmbClientOptions { Host = "127.0.0.1", Port = port, User = "u", Timeout = TimeSpan.FromMilliseconds(300) };

        VerificationReport report = await client.VerifyAsync(options, "p", CancellationToken.None);

        Assert.Equal(SessionErrorKind.Timeout, report.Error?.Kind);
        Assert.Contains("NEGOTIATE", report.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_NothingListening_ConnectionError()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var client = new SmbClientSession(TimeProvider.System);
        var options = new SmbClientOptions { Host = "127.0.0.1", Port = port, User = "u", Timeout = TimeSpan.FromSeconds(5) };

        VerificationReport report = await client.VerifyAsync(options, "p", CancellationToken.None);

        Assert.Equal(SessionErrorKind.Connection, report.Error?.Kind);
        Assert.Contains("127.0.0.1", report.Error!.Message, StringComparison.Ordinal);
    }

    private static string CommandName(Smb2Command command) => command switch
    {
        Smb2Command.SessionSetup => "SESSION_SETUP",
        Smb2Command.TreeConnect => "TREE_CONNECT",
        Smb2Command.Ioctl => "IOCTL",
        Smb2Command.Create => "CREATE",
        _ => command.ToString().ToUpperInvariant(),
    };
}
