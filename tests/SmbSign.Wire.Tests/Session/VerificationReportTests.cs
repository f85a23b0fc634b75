using SmbSign.Protocol;
using SmbSign.Wire.Session;

namespace SmbSign.Wire.Tests.Session;

/// <summary>The verdict rules of <see cref="VerificationReport"/>: enforced only when every message after authentication was
/// signed and every such response verified.</summary>
public sealed class VerificationReportTests
{
    private static readonly MessageRecord[] s_preAuth =
    [
        new("NEGOTIATE", MessageDirection.Request, 0, 0, false, null, false),
        new("NEGOTIATE", MessageDirection.Response, 0, 0, false, null, false),
    ];

    [Fact]
    public void Enforced_AllSignedAndVerified_True()
    {
        VerificationReport report = Report(serverRequires: true,
            new("TREE_CONNECT", MessageDirection.Request, 2, 0, true, null, true),
            new("TREE_CONNECT", MessageDirection.Response, 2, 0, true, true, true));

        Assert.True(report.Enforced);
        Assert.Contains("the server requires signing", report.Reason, StringComparison.Ordinal);
        Assert.Equal(2, report.SignedCount);
        Assert.Equal(1, report.VerifiedCount);
        Assert.Empty(report.Failures);
    }

    [Fact]
    public void Enforced_UnsignedAfterAuthentication_FalseWithReason()
    {
        VerificationReport report = Report(serverRequires: false,
            new("TREE_CONNECT", MessageDirection.Request, 2, 0, true, null, true),
            new("CREATE", MessageDirection.Request, 3, 0, false, null, true),
            new("CREATE", MessageDirection.Response, 3, 0, false, null, true));

        Assert.False(report.Enforced);
        Assert.Contains("2 of 3 messages after authentication were not signed", report.Reason, StringComparison.Ordinal);
        Assert.Contains("CREATE request, MessageId 3", report.Reason, StringComparison.Ordinal);
        Assert.Contains("the server does not require signing", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Enforced_FailedVerification_FalseAndNamesTheMessage()
    {
        VerificationReport report = Report(serverRequires: true,
            new("TREE_CONNECT", MessageDirection.Request, 3, 0, true, null, true),
            new("TREE_CONNECT", MessageDirection.Response, 3, 0, true, false, true, "signature mismatch"));

        Assert.False(report.Enforced);
        VerificationFailure failure = Assert.Single(report.Failures);
        Assert.Equal(new VerificationFailure("TREE_CONNECT", MessageDirection.Response, 3, "signature mismatch"), failure);
        Assert.Contains("MessageId 3", report.Reason, StringComparison.Ordinal);
        Assert.Contains("not trusted", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Enforced_Error_False()
    {
        VerificationReport report = Report(serverRequires: true) with { Error = new SessionError(SessionErrorKind.LogonFailure, "logon failure") };

        Assert.False(report.Enforced);
        Assert.Contains("logon failure", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Enforced_NothingAfterAuthentication_False()
    {
        Assert.False(Report(serverRequires: true).Enforced);
    }

    [Fact]
    public void SessionFlagNames_EachBit_Named()
    {
        VerificationReport report = Report(serverRequires: false) with { SessionFlags = 0x0007 };

        Assert.Equal(["guest", "anonymous", "encrypt"], report.SessionFlagNames);
    }

    private static VerificationReport Report(bool serverRequires, params MessageRecord[] afterAuthentication) => new()
    {
        Target = "//h:445/s",
        Dialect = Dialect.Smb311,
        SigningAlgorithm = SigningAlgorithm.AesGmac,
        ServerRequiresSigning = serverRequires,
        Messages = [.. s_preAuth, .. afterAuthentication],
    };
}
