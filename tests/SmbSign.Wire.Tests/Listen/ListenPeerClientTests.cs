using SmbSign.Protocol;
using SmbSign.Testing;
using SmbSign.Wire.Listen;
using SmbSign.Wire.Session;

namespace SmbSign.Wire.Tests.Listen;

/// <summary>impacket's SMBConnection and SmbSign's own verification client against the listener.</summary>
public sealed class ListenPeerClientTests
{
    /// <summary>impacket logs in, reads probe.txt and prints it; the password comes from the environment. A second
    /// argument "smb1" forces NT LM 0.12 with <c>preferredDialect=SMB_DIALECT</c>.</summary>
    private const string ImpacketScript = """
        import os, sys
        from impacket.smb import SMB_DIALECT
        from impacket.smbconnection import SMBConnection
        port = int(sys.argv[1])
        dialect = SMB_DIALECT if sys.argv[2:] == ['smb1'] else None
        conn = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port, preferredDialect=dialect)
        conn.login(os.environ['PROBE_USER'], os.environ['PROBE_PASSWORD'], 'WORKGROUP')
        chunks = []
        conn.getFile('probe', 'probe.txt', chunks.append)
        sys.stdout.write(b''.join(chunks).decode())
        conn.logoff()
        """;

    [Theory]
    [InlineData(ListenTestMode.Observe, ClientEnforcementVerdict.Untested)]
    [InlineData(ListenTestMode.Unsigned, ClientEnforcementVerdict.NotEnforced)]
    [InlineData(ListenTestMode.BadSignature, ClientEnforcementVerdict.NotEnforced)]
    public async Task Impacket_does_not_require_signing_and_is_judged_so(ListenTestMode mode, ClientEnforcementVerdict expected)
    {
        (ListenClientReport report, int exit, string output) = await ListenHarness.RunAsync(ListenHarness.Options(mode), port => RunImpacketAsync(port, smb1: false));
        Assert.True(exit == 0 && output.Contains("SmbSign listen probe file", StringComparison.Ordinal), output);
        Assert.Equal(ListenAuthentication.User, report.Authentication);
        Assert.False(report.RequiresSigning);
        Assert.True(report.Enforcement == expected, report.EnforcementReason);
    }

    /// <summary>impacket at SMB1 does not ask for signing (no SECURITY_SIGNATURE bit in SESSION_SETUP_ANDX) against a
    /// server that only enables it, and uses unsigned and badly signed answers alike.</summary>
    [Theory]
    [InlineData(ListenTestMode.Observe, ClientEnforcementVerdict.Untested)]
    [InlineData(ListenTestMode.Unsigned, ClientEnforcementVerdict.NotEnforced)]
    [InlineData(ListenTestMode.BadSignature, ClientEnforcementVerdict.NotEnforced)]
    public async Task Impacket_at_smb1_does_not_sign_and_is_judged_so(ListenTestMode mode, ClientEnforcementVerdict expected)
    {
        (ListenClientReport report, int exit, string output) = await ListenHarness.RunAsync(ListenHarness.Options(mode), port => RunImpacketAsync(port, smb1: true));
        Assert.True(exit == 0 && output.Contains("SmbSign listen probe file", StringComparison.Ordinal), output);
        Assert.Equal(Dialect.Smb1, report.Dialect);
        Assert.Equal(ListenAuthentication.User, report.Authentication);
        Assert.False(report.RequiresSigning);
        Assert.Equal(0, report.SignedRequests);
        Assert.True(report.Enforcement == expected, report.EnforcementReason);
        Assert.Equal(mode != ListenTestMode.Observe, report.TamperedResponses > 0);
    }

    [Theory]
    [InlineData(true, ListenTestMode.Observe, ClientEnforcementVerdict.Untested, true)]
    [InlineData(true, ListenTestMode.Unsigned, ClientEnforcementVerdict.Enforced, false)]
    [InlineData(true, ListenTestMode.BadSignature, ClientEnforcementVerdict.Enforced, false)]
    [InlineData(false, ListenTestMode.Unsigned, ClientEnforcementVerdict.NotEnforced, true)]
    public async Task SmbSign_verify_client_is_judged_by_its_require_signing_option(bool requireSigning, ListenTestMode mode, ClientEnforcementVerdict expected, bool completes)
    {
        (ListenClientReport report, VerificationReport verification) = await RunVerifyClientAsync(mode, Dialect.Smb311, requireSigning);
        Assert.Equal(ListenAuthentication.User, report.Authentication);
        Assert.Equal(requireSigning, report.RequiresSigning);
        Assert.True(report.Enforcement == expected, $"{report.EnforcementReason}; verify: {verification.Reason}");
        Assert.Equal(completes, verification.Error is null && verification.Failures.Count == 0);
    }

    /// <summary>SmbSign's own client at SMB1: its policy is "enabled", so against a server that enables signing it always
    /// signs, and it stops at the first response whose MD5 signature does not verify. RequireSigning adds the
    /// SECURITY_SIGNATURE_REQUIRED bit; without it the requirement is not stated (null).</summary>
    [Theory]
    [InlineData(true, ListenTestMode.Observe, ClientEnforcementVerdict.Untested, true)]
    [InlineData(true, ListenTestMode.Unsigned, ClientEnforcementVerdict.Enforced, false)]
    [InlineData(true, ListenTestMode.BadSignature, ClientEnforcementVerdict.Enforced, false)]
    [InlineData(false, ListenTestMode.Unsigned, ClientEnforcementVerdict.Enforced, false)]
    public async Task SmbSign_verify_client_at_smb1_signs_and_stops_at_a_bad_answer(bool requireSigning, ListenTestMode mode, ClientEnforcementVerdict expected, bool completes)
    {
        (ListenClientReport report, VerificationReport verification) = await RunVerifyClientAsync(mode, Dialect.Smb1, requireSigning);
        Assert.Equal(Dialect.Smb1, report.Dialect);
        Assert.Equal(ListenAuthentication.User, report.Authentication);
        Assert.Equal(requireSigning ? true : null, report.RequiresSigning);
        Assert.True(report.SignedRequests > 0 && report.UnsignedRequests == 0 && report.BadlySignedRequests == 0, report.EnforcementReason);
        Assert.True(report.Enforcement == expected, $"{report.EnforcementReason}; verify: {verification.Reason}");
        Assert.Equal(completes, verification.Error is null && verification.Failures.Count == 0);
    }

    /// <summary>SmbSign's own verify client against the listener: the listener's report and the client's own.</summary>
    private static async Task<(ListenClientReport Report, VerificationReport Verification)> RunVerifyClientAsync(ListenTestMode mode, Dialect dialect, bool requireSigning)
    {
        VerificationReport? verification = null;
        (ListenClientReport report, int _, string _) = await ListenHarness.RunAsync(ListenHarness.Options(mode), async port =>
        {
            var options = new SmbSign.Wire.Session.SmbClientOptions
            {
                Host = "127.0.0.1",
                Port = port,
                Share = "probe",
                User = ListenHarness.User,
                Domain = "WORKGROUP",
                Dialect = dialect,
                RequireSigning = requireSigning,
                ReadPath = "probe.txt",
                Timeout = TimeSpan.FromSeconds(5),
            };
            verification = await new SmbClientSession(TimeProvider.System).VerifyAsync(options, ListenHarness.Password, CancellationToken.None);
            return (0, string.Empty);
        });
        return (report, verification!);
    }

    private static Task<(int ExitCode, string Output)> RunImpacketAsync(int port, bool smb1) =>
        ProcessRunner.RunAsync(
            "/usr/bin/python3",
            ["-c", ImpacketScript, port.ToString(System.Globalization.CultureInfo.InvariantCulture), smb1 ? "smb1" : "default"],
            null,
            TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["PROBE_USER"] = ListenHarness.User, ["PROBE_PASSWORD"] = ListenHarness.Password });
}
