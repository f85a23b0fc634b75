using SmbSign.Protocol;
using SmbSign.Protocol.Smb2;
using SmbSign.Testing;
using SmbSign.Wire.Session;
using SmbClientOptions = SmbSign.Wire.Session.SmbClientOptions;

namespace SmbSign.Wire.Tests.Session;

/// <summary>The client against a real smbd with mandatory signing: every dialect 2.0.2–3.1.1, every response that must
/// be signed is signed and verifies, and the file read through the signed session is the fixture's file.</summary>
public sealed class SmbClientSessionInteropTests(MandatorySigningSamba samba) : IClassFixture<MandatorySigningSamba>
{
    [Theory]
    [InlineData(Dialect.Smb202, SigningAlgorithm.HmacSha256)]
    [InlineData(Dialect.Smb210, SigningAlgorithm.HmacSha256)]
    [InlineData(Dialect.Smb300, SigningAlgorithm.AesCmac)]
    [InlineData(Dialect.Smb302, SigningAlgorithm.AesCmac)]
    [InlineData(Dialect.Smb311, SigningAlgorithm.AesGmac)] // Samba prefers GMAC when the client offers all three
    public async Task Verify_MandatorySigning_EveryResponseVerified(Dialect dialect, SigningAlgorithm expectedAlgorithm)
    {
        var client = new SmbClientSession(TimeProvider.System, SessionTestHelpers.SeededRandom(1));

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(samba.Server) with { Dialect = dialect }, SambaServer.Password, CancellationToken.None);

        string why = SessionTestHelpers.Describe(report, samba.Server);
        Assert.True(report.Enforced, why);
        Assert.Null(report.Error);
        Assert.Empty(report.Failures);
        Assert.Equal(dialect, report.Dialect);
        Assert.Equal(expectedAlgorithm, report.SigningAlgorithm);
        Assert.True(report.ServerRequiresSigning);
        Assert.Equal(SambaServer.FileContent, System.Text.Encoding.UTF8.GetString(report.ReadData.Span));
        MessageRecord[] responses = [.. report.Messages.Where(m => m.Direction == MessageDirection.Response && m.MustBeSigned)];
        Assert.All(responses, m => Assert.True(m.Signed && m.Verified == true, why));
        Assert.Contains(responses, m => m.Command == "SESSION_SETUP"); // the final SESSION_SETUP response is verified
        foreach (string command in new[] { "TREE_CONNECT", "CREATE", "READ", "CLOSE", "TREE_DISCONNECT", "LOGOFF" })
        {
            Assert.Contains(responses, m => m.Command == command);
        }

        Assert.All(report.Messages.Where(m => m.Command == "NEGOTIATE"), m => Assert.False(m.Signed));
    }

    [Theory]
    [InlineData(SigningAlgorithm.HmacSha256)]
    [InlineData(SigningAlgorithm.AesCmac)]
    [InlineData(SigningAlgorithm.AesGmac)]
    public async Task Verify_311ClientOffersOneAlgorithm_ServerUsesIt(SigningAlgorithm algorithm)
    {
        var client = new SmbClientSession(TimeProvider.System, SessionTestHelpers.SeededRandom(2));

        VerificationReport report = await client.VerifyAsync(
            SessionTestHelpers.Options(samba.Server) with { Dialect = Dialect.Smb311, SigningAlgorithm = algorithm }, SambaServer.Password, CancellationToken.None);

        Assert.True(report.Enforced, SessionTestHelpers.Describe(report, samba.Server));
        Assert.Equal(algorithm, report.SigningAlgorithm);
    }

    [Fact]
    public async Task Verify_BestDialectOnIpcShare_311AndEnforced()
    {
        var client = new SmbClientSession(TimeProvider.System);
        SmbClientOptions options = SessionTestHelpers.Options(samba.Server) with { Share = "IPC$", ReadPath = null };

        VerificationReport report = await client.VerifyAsync(options, SambaServer.Password, CancellationToken.None);

        Assert.True(report.Enforced, SessionTestHelpers.Describe(report, samba.Server));
        Assert.Equal(Dialect.Smb311, report.Dialect);
        Assert.Contains(report.Messages, m => m.Command == "TREE_CONNECT" && m.Direction == MessageDirection.Response && m.Verified == true);
    }

    [Fact]
    public async Task Verify_ListsShareRootWhenNoFileGiven()
    {
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(samba.Server) with { ReadPath = null }, SambaServer.Password, CancellationToken.None);

        Assert.True(report.Enforced, SessionTestHelpers.Describe(report, samba.Server));
        Assert.Contains(report.Messages, m => m.Command == "QUERY_DIRECTORY" && m.Direction == MessageDirection.Response && m.Verified == true);
        Assert.Contains(report.Operations, o => o.Contains(SambaServer.FileName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_WrongPassword_LogonFailure()
    {
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(samba.Server), "wrong-" + SambaServer.Password, CancellationToken.None);

        Assert.Equal(SessionErrorKind.LogonFailure, report.Error?.Kind);
        Assert.Contains("logon failure", report.Error!.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(report.Enforced);
    }

    [Fact]
    public async Task Verify_UnknownShare_BadNetworkNameAfterAVerifiedResponse()
    {
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(samba.Server) with { Share = "nosuchshare" }, SambaServer.Password, CancellationToken.None);

        Assert.Equal(SessionErrorKind.BadNetworkName, report.Error?.Kind);
        Assert.Contains("nosuchshare", report.Error!.Message, StringComparison.Ordinal);
        MessageRecord treeConnect = Assert.Single(report.Messages, m => m.Command == "TREE_CONNECT" && m.Direction == MessageDirection.Response);
        Assert.Equal(NtStatus.BadNetworkName, treeConnect.Status);
        Assert.True(treeConnect.Verified, "the error response is signed too");
    }
}
