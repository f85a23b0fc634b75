using System.Buffers.Binary;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb2;
using SmbSign.Testing;
using SmbSign.Wire.Session;

namespace SmbSign.Wire.Tests.Session;

/// <summary>The active enforcement check: "enforced" only when the server refuses an unsigned and a wrongly signed request.</summary>
public sealed class EnforcementProbeTests(MandatorySigningSamba samba) : IClassFixture<MandatorySigningSamba>
{
    [Theory]
    [InlineData(Dialect.Smb210)]
    [InlineData(Dialect.Smb311)]
    public async Task Verify_MandatorySamba_BothProbesRejected_Enforced(Dialect dialect)
    {
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(samba.Server) with { Dialect = dialect }, SambaServer.Password, CancellationToken.None);

        string why = SessionTestHelpers.Describe(report, samba.Server) + Probes(report);
        Assert.NotNull(report.Probes);
        Assert.Equal([EnforcementProbeKind.Unsigned, EnforcementProbeKind.BadSignature], report.Probes!.Select(p => p.Kind));
        Assert.All(report.Probes, p => Assert.True(p.Rejected, why));
        Assert.All(report.Probes, p => Assert.Equal("ECHO", p.Command));
        Assert.True(report.Enforced, why);
        Assert.Equal(EnforcementVerdict.Enforced, report.EnforcementVerdict);
        Assert.Contains("refused an unsigned ECHO", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_NoProbe_Untested_NeverEnforced()
    {
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(samba.Server) with { ProbeEnforcement = false }, SambaServer.Password, CancellationToken.None);

        Assert.Null(report.Probes);
        Assert.False(report.Enforced, SessionTestHelpers.Describe(report));
        Assert.Equal(EnforcementVerdict.Untested, report.EnforcementVerdict);
        Assert.Contains("untested", report.Reason, StringComparison.Ordinal);
        Assert.Contains("--no-probe", report.Reason, StringComparison.Ordinal);
    }

    /// <summary>A Samba that does not require signing, behind a proxy that sets SIGNING_REQUIRED in its NEGOTIATE
    /// response at 2.1 (no preauth hash, no VALIDATE_NEGOTIATE to catch the change): the client signs everything and
    /// every response verifies, yet the server serves an unsigned request. Before the probes this was "enforced".
    /// (Samba refuses the wrongly signed request even here: it checks any signature that is present.)</summary>
    [Fact]
    public async Task Verify_AdvertiseButAcceptProxy_UnsignedProbeAnswered_NotEnforced()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "auto", MaxProtocol = "SMB2_10" });
        await using TamperProxy proxy = TamperProxy.StartRewriting(server.EndPoint, SetSigningRequiredInNegotiate);
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server, proxy.Port) with { Dialect = Dialect.Smb210 }, SambaServer.Password, CancellationToken.None);

        string why = SessionTestHelpers.Describe(report, server) + Probes(report);
        Assert.NotEmpty(proxy.Tampered);
        Assert.True(report.ServerRequiresSigning, why);
        Assert.Null(report.Error);
        Assert.Empty(report.Failures);
        Assert.All(report.Messages.Where(m => m.MustBeSigned), m => Assert.True(m.Signed, why));
        EnforcementProbe unsigned = Assert.Single(report.Probes!, p => p.Kind == EnforcementProbeKind.Unsigned);
        Assert.False(unsigned.Rejected, why);
        Assert.Equal(ProbeOutcome.Answered, unsigned.Outcome);
        Assert.Equal(NtStatus.Success, unsigned.Status);
        // Samba checks a signature whenever one is present, even on a session that does not require signing, so the
        // wrongly signed ECHO is refused; the unsigned one alone shows that signing is not enforced.
        EnforcementProbe bad = Assert.Single(report.Probes!, p => p.Kind == EnforcementProbeKind.BadSignature);
        Assert.True(bad.Rejected, why);
        Assert.Equal(NtStatus.AccessDenied, bad.Status);
        Assert.False(report.Enforced, why);
        Assert.Equal(EnforcementVerdict.NotEnforced, report.EnforcementVerdict);
        Assert.Contains("advertises that it requires signing, but the server answered an unsigned ECHO", report.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("disabled")]
    public async Task Verify_Smb1ServerNotRequiringSigning_NotEnforced(string serverSigning)
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = serverSigning, MinProtocol = "NT1", MaxProtocol = "NT1" });
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server) with { Dialect = Dialect.Smb1 }, SambaServer.Password, CancellationToken.None);

        string why = SessionTestHelpers.Describe(report, server) + Probes(report);
        Assert.Null(report.Error);
        Assert.False(report.ServerRequiresSigning);
        Assert.False(report.Enforced, why);
        Assert.DoesNotContain("client required", report.Reason, StringComparison.Ordinal);
        EnforcementProbe unsigned = Assert.Single(report.Probes!, p => p.Kind == EnforcementProbeKind.Unsigned);
        Assert.Equal("TREE_CONNECT_ANDX", unsigned.Command);
        if (serverSigning == "auto")
        {
            // SMB1 signs when both sides enable signing: the session was signed, but not because anybody required it.
            Assert.Contains("SMB1 signs whenever both sides enable signing", report.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Verify_Smb1Mandatory_BothProbesRejected_Enforced()
    {
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory", MinProtocol = "NT1", MaxProtocol = "NT1" });
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(server) with { Dialect = Dialect.Smb1 }, SambaServer.Password, CancellationToken.None);

        string why = SessionTestHelpers.Describe(report, server) + Probes(report);
        Assert.Equal(2, report.Probes!.Count);
        Assert.All(report.Probes, p => Assert.True(p.Rejected, why));
        Assert.True(report.Enforced, why);
    }

    /// <summary>[MS-SMB2] 2.2.4: SecurityMode is the 16-bit field at offset 2 of the NEGOTIATE response body.</summary>
    private static bool SetSigningRequiredInNegotiate(ProxiedMessage message, Span<byte> bytes)
    {
        if (message.IsSmb1 || message.Command != 0 || bytes.Length < 64 + 4)
        {
            return false;
        }

        Span<byte> securityMode = bytes.Slice(64 + 2, 2);
        BinaryPrimitives.WriteUInt16LittleEndian(securityMode, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(securityMode) | 0x0002));
        return true;
    }

    private static string Probes(VerificationReport report) =>
        "\nprobes: " + (report.Probes is null ? "none (" + report.ProbeSkipReason + ")"
            : string.Join("; ", report.Probes.Select(p => $"{p.KindName} {p.Command} {p.Outcome} {p.Status:X8} {p.Detail}")));
}
