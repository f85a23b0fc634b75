using SmbSign.Protocol;
using SmbSign.Wire.Listen;

namespace SmbSign.Wire.Tests.Listen;

/// <summary>Real smbclient against the listener on loopback, at 2.1, 3.0 and 3.1.1 (each signing algorithm), with
/// <c>client signing = required | if_required | disabled</c>, in every test mode. The password reaches smbclient through
/// an authentication file.</summary>
public sealed class ListenSmbClientTests
{
    public static TheoryData<string, string, string, ListenTestMode> Matrix()
    {
        var data = new TheoryData<string, string, string, ListenTestMode>();
        foreach (string protocol in new[] { "SMB2_10", "SMB3_00", "SMB3_11:AES-128-GMAC", "SMB3_11:AES-128-CMAC", "SMB3_11:HMAC-SHA256" })
        {
            foreach (string signing in new[] { "required", "if_required", "disabled" })
            {
                foreach (ListenTestMode mode in Enum.GetValues<ListenTestMode>())
                {
                    string[] parts = protocol.Split(':');
                    data.Add(parts[0], parts.Length > 1 ? parts[1] : string.Empty, signing, mode);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Verdict_matches_the_client_configuration(string protocol, string algorithm, string signing, ListenTestMode mode)
    {
        IReadOnlyList<string> extra = algorithm.Length > 0 ? [$"client smb3 signing algorithms = {algorithm}"] : [];
        (ListenClientReport report, int exit, string output) = await ListenHarness.RunAsync(
            ListenHarness.Options(mode),
            port => ListenHarness.SmbClientAsync(port, protocol, signing, extraOptions: extra));
        string context = $"{protocol} {algorithm} {signing} {mode}: exit {exit}, {report.Enforcement}: {report.EnforcementReason}; end {report.End}\n{output}";

        Assert.Equal(ListenAuthentication.User, report.Authentication);
        Assert.True(report.RequiresSigning == (signing == "required"), context);
        Assert.Equal(DialectInfo.TryParse(protocol, out Dialect dialect) ? dialect : default, report.Dialect);
        SigningAlgorithm expectedAlgorithm = protocol switch
        {
            "SMB2_10" => SigningAlgorithm.HmacSha256,
            "SMB3_00" => SigningAlgorithm.AesCmac,
            _ => SigningAlgorithmInfo.TryParse(algorithm.Replace("AES-128-", string.Empty, StringComparison.Ordinal), out SigningAlgorithm parsed) ? parsed : default,
        };
        Assert.Equal(expectedAlgorithm, report.SigningAlgorithm);
        Assert.Equal(0, report.BadlySignedRequests);
        switch (mode)
        {
            case ListenTestMode.Observe:
                Assert.True(exit == 0 && output.Contains("SmbSign listen probe file", StringComparison.Ordinal), context);
                Assert.True(report.ReadProbeFile, context);
                Assert.Equal(ClientEnforcementVerdict.Untested, report.Enforcement);
                Assert.Equal(0, report.TamperedResponses);
                break;
            case ListenTestMode.Unsigned:
                if (signing == "required")
                {
                    Assert.True(exit != 0 && !output.Contains("SmbSign listen probe file", StringComparison.Ordinal), context);
                    Assert.True(report.Enforcement == ClientEnforcementVerdict.Enforced, context);
                }
                else
                {
                    Assert.True(exit == 0 && output.Contains("SmbSign listen probe file", StringComparison.Ordinal), context);
                    Assert.True(report.Enforcement == ClientEnforcementVerdict.NotEnforced, context);
                }

                break;
            default:
                // smbclient verifies every signature it is given ([MS-SMB2] 3.2.5.1.3), so it refuses a bad one even
                // without requiring signing; only a client that signs the session is judged enforcing from that.
                Assert.True(exit != 0 && !output.Contains("SmbSign listen probe file", StringComparison.Ordinal), context);
                Assert.True(
                    report.Enforcement == (signing == "required" ? ClientEnforcementVerdict.Enforced : ClientEnforcementVerdict.Untested),
                    context);
                break;
        }
    }

    [Theory]
    [InlineData("required", ClientEnforcementVerdict.Enforced, false)]
    [InlineData("if_required", ClientEnforcementVerdict.NotEnforced, true)]
    public async Task Guest_only_listener_judges_by_whether_the_client_uses_a_session_that_cannot_be_signed(string signing, ClientEnforcementVerdict expected, bool succeeds)
    {
        (ListenClientReport report, int exit, string output) = await ListenHarness.RunAsync(
            ListenHarness.Options(ListenTestMode.Observe, withUser: false),
            port => ListenHarness.SmbClientAsync(port, "SMB3_11", signing));
        Assert.Equal(ListenAuthentication.Guest, report.Authentication);
        Assert.True(report.Enforcement == expected, $"{report.EnforcementReason}\n{output}");
        Assert.Equal(succeeds, exit == 0);
        Assert.Equal(ListenHarness.User, report.Ntlm?.User);
    }

    [Fact]
    public async Task Wrong_password_is_a_logon_failure_and_nothing_is_tested()
    {
        (ListenClientReport report, int exit, _) = await ListenHarness.RunAsync(
            ListenHarness.Options(ListenTestMode.Unsigned),
            port => ListenHarness.SmbClientAsync(port, "SMB3_11", "required", withPassword: false));
        Assert.NotEqual(0, exit);
        Assert.Equal(ListenAuthentication.Failed, report.Authentication);
        Assert.Equal(ClientEnforcementVerdict.Untested, report.Enforcement);
        Assert.Equal(0, report.TamperedResponses);
    }

    public static TheoryData<string, ListenTestMode> Smb1Matrix()
    {
        var data = new TheoryData<string, ListenTestMode>();
        foreach (string signing in new[] { "required", "if_required", "disabled" })
        {
            foreach (ListenTestMode mode in Enum.GetValues<ListenTestMode>())
            {
                data.Add(signing, mode);
            }
        }

        return data;
    }

    /// <summary>smbclient forced to NT1 is served at NT LM 0.12. With <c>client signing = required</c> it sets
    /// SECURITY_SIGNATURE_REQUIRED in SESSION_SETUP_ANDX, signs every request and refuses an unsigned or badly signed
    /// NT_CREATE_ANDX answer (NT_STATUS_ACCESS_DENIED). With <c>if_required</c> or <c>disabled</c> it does not ask for
    /// signing against a server that only enables it, so SMB1 signing never starts and it uses both kinds of answer —
    /// unlike SMB 2/3, where it verifies every signature it is given.</summary>
    [Theory]
    [MemberData(nameof(Smb1Matrix))]
    public async Task Smb1_verdict_matches_the_client_configuration(string signing, ListenTestMode mode)
    {
        (ListenClientReport report, int exit, string output) = await ListenHarness.RunAsync(
            ListenHarness.Options(mode),
            port => ListenHarness.SmbClientAsync(port, "NT1", signing));
        string context = $"NT1 {signing} {mode}: exit {exit}, {report.Enforcement}: {report.EnforcementReason}; end {report.End}\n{output}";
        bool printed = output.Contains("SmbSign listen probe file", StringComparison.Ordinal);
        bool required = signing == "required";

        Assert.Equal(Dialect.Smb1, report.Dialect);
        Assert.Equal(SigningAlgorithm.Md5Smb1, report.SigningAlgorithm);
        Assert.Equal(ListenAuthentication.User, report.Authentication);
        Assert.Contains("NT LM 0.12", report.Smb1!.Dialects);
        Assert.NotNull(report.Smb1.SessionSetupFlags2);
        Assert.True(report.RequiresSigning == required, context);
        Assert.Equal(0, report.BadlySignedRequests);
        Assert.Contains(Protocol.Smb1.Smb1Command.NtCreateAndX, report.Smb1Commands);
        if (required)
        {
            Assert.True(report.SignedRequests > 0 && report.UnsignedRequests == 0, context);
        }
        else
        {
            Assert.True(report.SignedRequests == 0 && report.UnsignedRequests > 0 && report.SignedResponses == 0, context);
        }

        if (mode == ListenTestMode.Observe)
        {
            Assert.True(exit == 0 && printed && report.ReadProbeFile, context);
            Assert.Equal(ClientEnforcementVerdict.Untested, report.Enforcement);
            Assert.Equal(0, report.TamperedResponses);
            Assert.Equal(required, report.SignedResponses > 0);
        }
        else if (required)
        {
            Assert.True(exit != 0 && !printed && output.Contains("NT_STATUS_ACCESS_DENIED", StringComparison.Ordinal), context);
            Assert.True(report.Enforcement == ClientEnforcementVerdict.Enforced, context);
            Assert.Contains("NT_CREATE_ANDX", report.EnforcementReason, StringComparison.Ordinal);
            Assert.DoesNotContain(Protocol.Smb1.Smb1Command.ReadAndX, report.Smb1Commands);
        }
        else
        {
            Assert.True(exit == 0 && printed && report.ReadProbeFile, context);
            Assert.True(report.Enforcement == ClientEnforcementVerdict.NotEnforced, context);
            Assert.True(report.TamperedResponses > 0, context);
        }
    }

    [Theory]
    [InlineData("required", ClientEnforcementVerdict.Enforced, false)]
    [InlineData("if_required", ClientEnforcementVerdict.NotEnforced, true)]
    public async Task Smb1_guest_only_listener_is_refused_by_a_client_that_requires_signing(string signing, ClientEnforcementVerdict expected, bool succeeds)
    {
        (ListenClientReport report, int exit, string output) = await ListenHarness.RunAsync(
            ListenHarness.Options(ListenTestMode.Observe, withUser: false),
            port => ListenHarness.SmbClientAsync(port, "NT1", signing));
        Assert.Equal(Dialect.Smb1, report.Dialect);
        Assert.Equal(ListenAuthentication.Guest, report.Authentication);
        Assert.True(report.Enforcement == expected, $"{report.EnforcementReason}\n{output}");
        Assert.Equal(succeeds, exit == 0);
    }

    /// <summary>Directory listings are not served at SMB1 (TRANS2 FIND_FIRST2 gets STATUS_NOT_SUPPORTED). That error is
    /// signed, not tampered with, so a client that gives up on it is not judged as enforcing signing.</summary>
    [Fact]
    public async Task Smb1_listing_fails_and_an_error_answer_is_never_taken_for_enforcement()
    {
        (ListenClientReport report, int exit, string output) = await ListenHarness.RunAsync(
            ListenHarness.Options(ListenTestMode.Unsigned),
            port => ListenHarness.SmbClientAsync(port, "NT1", "required", command: "ls"));
        Assert.True(exit != 0 && output.Contains("NT_STATUS_NOT_SUPPORTED", StringComparison.Ordinal), output);
        Assert.Contains(Protocol.Smb1.Smb1Command.Transaction2, report.Smb1Commands);
        Assert.Equal(0, report.TamperedResponses);
        Assert.Equal(ClientEnforcementVerdict.Untested, report.Enforcement);
    }

    [Fact]
    public async Task Smb1_wrong_password_is_a_logon_failure_and_nothing_is_tested()
    {
        (ListenClientReport report, int exit, _) = await ListenHarness.RunAsync(
            ListenHarness.Options(ListenTestMode.Unsigned),
            port => ListenHarness.SmbClientAsync(port, "NT1", "required", withPassword: false));
        Assert.NotEqual(0, exit);
        Assert.Equal(Dialect.Smb1, report.Dialect);
        Assert.Equal(ListenAuthentication.Failed, report.Authentication);
        Assert.Equal(ClientEnforcementVerdict.Untested, report.Enforcement);
        Assert.Equal(0, report.TamperedResponses);
    }

    [Fact]
    public async Task Client_details_are_reported_without_secrets()
    {
        (ListenClientReport report, int exit, _) = await ListenHarness.RunAsync(
            ListenHarness.Options(ListenTestMode.Observe),
            port => ListenHarness.SmbClientAsync(port, "SMB3_11", "required", command: "ls"));
        Assert.Equal(0, exit);
        Assert.NotNull(report.Negotiate);
        Assert.Contains(Dialect.Smb311, report.Negotiate!.Dialects);
        Assert.NotEqual(Guid.Empty, report.Negotiate.ClientGuid);
        Assert.NotNull(report.Negotiate.SigningAlgorithms);
        Assert.NotNull(report.Negotiate.PreauthHashAlgorithms);
        Assert.Equal("127.0.0.1", report.Negotiate.NetName);
        Assert.Equal("WORKGROUP", report.Ntlm!.Domain);
        Assert.False(string.IsNullOrEmpty(report.Ntlm.Workstation));
        Assert.Contains(Protocol.Smb2.Smb2Command.QueryDirectory, report.Commands);
        Assert.DoesNotContain(ListenHarness.Password, report.ToString(), StringComparison.Ordinal);
    }
}
