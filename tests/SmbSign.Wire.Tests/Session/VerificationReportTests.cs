using SmbSign.Protocol;
using SmbSign.Protocol.Smb2;
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
            new("TREE_CONNECT", MessageDirection.Response, 2, 0, true, true, true)) with { Probes = s_rejected };

        Assert.True(report.Enforced);
        Assert.Equal(EnforcementVerdict.Enforced, report.EnforcementVerdict);
        Assert.Contains("the server requires signing and refused an unsigned ECHO (STATUS_ACCESS_DENIED) and a wrongly signed ECHO (disconnected)", report.Reason, StringComparison.Ordinal);
        Assert.Equal(2, report.SignedCount);
        Assert.Equal(1, report.VerifiedCount);
        Assert.Empty(report.Failures);
    }

    private static readonly EnforcementProbe[] s_rejected =
    [
        new(EnforcementProbeKind.Unsigned, "ECHO", ProbeOutcome.ErrorStatus, NtStatus.AccessDenied, "refused"),
        new(EnforcementProbeKind.BadSignature, "ECHO", ProbeOutcome.Disconnected, null, "disconnected"),
    ];

    private static readonly MessageRecord[] s_allSigned =
    [
        new("TREE_CONNECT", MessageDirection.Request, 2, 0, true, null, true),
        new("TREE_CONNECT", MessageDirection.Response, 2, 0, true, true, true),
    ];

    [Fact]
    public void Enforced_AllSignedButProbesNotRun_Untested()
    {
        VerificationReport report = Report(serverRequires: true, s_allSigned) with { ProbeSkipReason = "the probes were skipped (--no-probe)" };

        Assert.False(report.Enforced);
        Assert.Equal(EnforcementVerdict.Untested, report.EnforcementVerdict);
        Assert.Contains("enforcement is untested: the probes were skipped (--no-probe)", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Enforced_ProbeAnswered_NotEnforced()
    {
        EnforcementProbe answered = EnforcementProbe.FromStatus(EnforcementProbeKind.Unsigned, "ECHO", NtStatus.Success);
        VerificationReport report = Report(serverRequires: true, s_allSigned) with { Probes = [answered, s_rejected[1]] };

        Assert.False(answered.Rejected);
        Assert.False(report.Enforced);
        Assert.Equal(EnforcementVerdict.NotEnforced, report.EnforcementVerdict);
        Assert.Contains("advertises that it requires signing, but the server answered an unsigned ECHO request with STATUS_SUCCESS (0x00000000)", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Enforced_ProbeNotRun_Untested()
    {
        var notRun = new EnforcementProbe(EnforcementProbeKind.BadSignature, "ECHO", ProbeOutcome.NotRun, null, "its connection failed");
        VerificationReport report = Report(serverRequires: true, s_allSigned) with { Probes = [s_rejected[0], notRun] };

        Assert.False(report.Enforced);
        Assert.Equal(EnforcementVerdict.Untested, report.EnforcementVerdict);
    }

    [Fact]
    public void Enforced_Smb1SignedServerNotRequiring_FalseAndNotBlamedOnTheClient()
    {
        VerificationReport report = Report(serverRequires: false, s_allSigned) with { Dialect = Dialect.Smb1, Probes = s_rejected };

        Assert.False(report.Enforced);
        Assert.DoesNotContain("client required", report.Reason, StringComparison.Ordinal);
        Assert.Contains("SMB1 signs whenever both sides enable signing", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ProbeStatus_WarningOrError_Rejected_SuccessAnswered()
    {
        Assert.True(EnforcementProbe.FromStatus(EnforcementProbeKind.Unsigned, "ECHO", NtStatus.AccessDenied).Rejected);
        Assert.True(EnforcementProbe.FromStatus(EnforcementProbeKind.Unsigned, "ECHO", NtStatus.NoMoreFiles).Rejected);
        Assert.False(EnforcementProbe.FromStatus(EnforcementProbeKind.Unsigned, "ECHO", NtStatus.Success).Rejected);
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
