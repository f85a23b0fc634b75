using SmbSign.Protocol;
using SmbSign.Testing;
using SmbSign.Wire.Session;
using SmbClientOptions = SmbSign.Wire.Session.SmbClientOptions;

namespace SmbSign.Wire.Tests.Session;

/// <summary>Servers forced to one 3.1.1 signing algorithm, SMB1, and servers that do not require signing.</summary>
public sealed class SmbClientSessionSigningPolicyTests
{
    [Theory]
    [InlineData("HMAC-SHA256", SigningAlgorithm.HmacSha256)]
    [InlineData("AES-128-CMAC", SigningAlgorithm.AesCmac)]
    [InlineData("AES-128-GMAC", SigningAlgorithm.AesGmac)]
    public async Task Verify_ServerForcesAlgorithm_311SignsWithIt(string sambaAlgorithm, SigningAlgorithm expected)
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory", Smb3SigningAlgorithms = sambaAlgorithm });
        var client = new SmbClientSession(TimeProvider.System, SessionTestHelpers.SeededRandom(3));

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server) with { Dialect = Dialect.Smb311 }, SambaServer.Password, CancellationToken.None);

        string why = SessionTestHelpers.Describe(report, server);
        Assert.True(report.Enforced, why);
        Assert.Equal(expected, report.SigningAlgorithm);
        Assert.Empty(report.Failures);
        Assert.Equal(SambaServer.FileContent, System.Text.Encoding.UTF8.GetString(report.ReadData.Span));
    }

    [Fact]
    public async Task Verify_Smb1Mandatory_Md5SignedAndVerified()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory", MinProtocol = "NT1", MaxProtocol = "NT1" });
        var client = new SmbClientSession(TimeProvider.System, SessionTestHelpers.SeededRandom(4));

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server) with { Dialect = Dialect.Smb1 }, SambaServer.Password, CancellationToken.None);

        string why = SessionTestHelpers.Describe(report, server);
        Assert.True(report.Enforced, why);
        Assert.Equal(Dialect.Smb1, report.Dialect);
        Assert.Equal(SigningAlgorithm.Md5Smb1, report.SigningAlgorithm);
        Assert.True(report.ServerRequiresSigning);
        Assert.Equal(SambaServer.FileContent, System.Text.Encoding.UTF8.GetString(report.ReadData.Span));
        foreach (string command in new[] { "SESSION_SETUP_ANDX", "TREE_CONNECT_ANDX", "NT_CREATE_ANDX", "READ_ANDX", "CLOSE", "TREE_DISCONNECT", "LOGOFF_ANDX" })
        {
            Assert.Contains(report.Messages, m => m.Command == command && m.Direction == MessageDirection.Response && m.Verified == true);
        }
    }

    [Theory]
    [InlineData(Dialect.Smb210)]
    [InlineData(Dialect.Smb311)]
    public async Task Verify_NeitherSideRequiresSigning_NotEnforcedWithReason(Dialect dialect)
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "auto" });
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server) with { Dialect = dialect }, SambaServer.Password, CancellationToken.None);

        string why = SessionTestHelpers.Describe(report, server);
        Assert.Null(report.Error);
        Assert.False(report.Enforced, why);
        Assert.False(report.ServerRequiresSigning);
        Assert.Contains("not signed", report.Reason, StringComparison.Ordinal);
        Assert.Contains("the server does not require signing", report.Reason, StringComparison.Ordinal);
        Assert.Empty(report.Failures);
        Assert.Contains(report.Messages, m => m.Command == "READ" && m.Direction == MessageDirection.Response && !m.Signed);
        if (dialect == Dialect.Smb311)
        {
            // 3.1.1 signs the final SESSION_SETUP response and TREE_CONNECT even when signing is not required.
            Assert.Contains(report.Messages, m => m.Command == "SESSION_SETUP" && m.Direction == MessageDirection.Response && m.Verified == true);
            Assert.Contains(report.Messages, m => m.Command == "TREE_CONNECT" && m.Direction == MessageDirection.Request && m.Signed);
            Assert.Contains(report.Messages, m => m.Command == "TREE_CONNECT" && m.Direction == MessageDirection.Response && m.Verified == true);
        }
    }

    [Fact]
    public async Task Verify_ClientRequiresSigningServerDoesNot_SignedButNotEnforced()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "auto" });
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server) with { RequireSigning = true }, SambaServer.Password, CancellationToken.None);

        // Every message was signed, but only because this client asked: the server does not enforce signing.
        Assert.False(report.Enforced, SessionTestHelpers.Describe(report, server));
        Assert.Empty(report.Failures);
        Assert.False(report.ServerRequiresSigning);
        Assert.Contains("the server does not require signing (signed because this client required it)", report.Reason, StringComparison.Ordinal);

        // The probes ask as a client that does not require signing: the server serves its unsigned request.
        Assert.Contains(report.Probes!, p => p.Kind == EnforcementProbeKind.Unsigned && !p.Rejected && p.Outcome == ProbeOutcome.Answered);
    }

    [Fact]
    public async Task Verify_DialectAboveServerMax_DialectRefused()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory", MaxProtocol = "SMB2_10" });
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server) with { Dialect = Dialect.Smb311 }, SambaServer.Password, CancellationToken.None);

        Assert.Equal(SessionErrorKind.DialectRefused, report.Error?.Kind);
        Assert.Contains("3.1.1", report.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_GuestSessionWhileSigningRequired_Refused()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "auto", GuestShare = true });
        var client = new SmbClientSession(TimeProvider.System);
        SmbClientOptions options = SessionTestHelpers.Options(server) with { User = "nosuchuser", Share = "public", RequireSigning = true, ReadPath = null };

        VerificationReport report = await client.VerifyAsync(options, "whatever", CancellationToken.None);

        Assert.Equal(SessionErrorKind.GuestSession, report.Error?.Kind);
        Assert.Contains("guest", report.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("guest", report.SessionFlagNames);
    }

    [Fact]
    public async Task Verify_GuestSessionNoSigningRequired_CompletesNotEnforced()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "auto", GuestShare = true });
        var client = new SmbClientSession(TimeProvider.System);
        SmbClientOptions options = SessionTestHelpers.Options(server) with { User = "nosuchuser", Share = "public", ReadPath = SambaServer.FileName };

        VerificationReport report = await client.VerifyAsync(options, "whatever", CancellationToken.None);

        string why = SessionTestHelpers.Describe(report, server);
        Assert.Null(report.Error);
        Assert.Contains("guest", report.SessionFlagNames);
        Assert.False(report.Enforced, why);
        Assert.Equal(0, report.SignedCount);
        Assert.Equal(SambaServer.FileContent, System.Text.Encoding.UTF8.GetString(report.ReadData.Span));
    }

    [Fact]
    public async Task Verify_Smb1AgainstSmb2OnlyServer_DialectRefused()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server) with { Dialect = Dialect.Smb1 }, SambaServer.Password, CancellationToken.None);

        Assert.Equal(SessionErrorKind.DialectRefused, report.Error?.Kind);
        Assert.Contains("SMB1", report.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Smb1SigningMerelyEnabled_SignsButNotEnforced()
    {
        // SMB1 signs when both sides enable signing ([MS-SMB] 3.2.4.2.4); Samba "auto" enables it without requiring it.
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "auto", MinProtocol = "NT1", MaxProtocol = "NT1" });
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server) with { Dialect = Dialect.Smb1 }, SambaServer.Password, CancellationToken.None);

        // Signed and verified, but the server would serve a client that does not sign: not enforced, and not
        // "because the client required it" (it did not).
        Assert.False(report.Enforced, SessionTestHelpers.Describe(report, server));
        Assert.Empty(report.Failures);
        Assert.True(report.SignedCount > 0);
        Assert.False(report.ServerRequiresSigning);
        Assert.Contains("the server does not require signing (signed because SMB1 signs whenever both sides enable signing)", report.Reason, StringComparison.Ordinal);
    }
}
