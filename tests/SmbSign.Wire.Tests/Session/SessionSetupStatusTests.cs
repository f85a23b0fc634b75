using System.Buffers.Binary;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb2;
using SmbSign.Testing;
using SmbSign.Wire.Session;

namespace SmbSign.Wire.Tests.Session;

/// <summary>What the final SESSION_SETUP's status means: a wrong password is a logon failure, a request for a third NTLM
/// round is a protocol error that names the status.</summary>
public sealed class SessionSetupStatusTests(MandatorySigningSamba samba) : IClassFixture<MandatorySigningSamba>
{
    [Theory]
    [InlineData(Dialect.Smb210)]
    [InlineData(Dialect.Smb311)]
    public async Task Verify_FinalSessionSetupMoreProcessing_ProtocolErrorNamingTheStatus(Dialect dialect)
    {
        // A proxy turns the STATUS_SUCCESS of the second SESSION_SETUP response into STATUS_MORE_PROCESSING_REQUIRED.
        int sessionSetups = 0;
        await using TamperProxy proxy = TamperProxy.StartRewriting(samba.Server.EndPoint, (message, bytes) =>
        {
            if (message.IsSmb1 || message.Command != 1 || Interlocked.Increment(ref sessionSetups) != 2)
            {
                return false;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], NtStatus.MoreProcessingRequired);
            return true;
        });
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(samba.Server, proxy.Port) with { Dialect = dialect }, SambaServer.Password, CancellationToken.None);

        Assert.Single(proxy.Tampered);
        Assert.NotNull(report.Error);
        Assert.Equal(SessionErrorKind.Protocol, report.Error!.Kind);
        Assert.Equal(NtStatus.MoreProcessingRequired, report.Error.Status);
        Assert.Contains("STATUS_MORE_PROCESSING_REQUIRED", report.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("logon failure", report.Error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(report.Enforced);
    }

    [Fact]
    public async Task Verify_WrongPassword_StillLogonFailure()
    {
        var client = new SmbClientSession(TimeProvider.System);

        VerificationReport report = await client.VerifyAsync(SessionTestHelpers.Options(samba.Server), "not-the-password", CancellationToken.None);

        Assert.Equal(SessionErrorKind.LogonFailure, report.Error?.Kind);
        Assert.Contains("STATUS_LOGON_FAILURE", report.Error!.Message, StringComparison.Ordinal);
        Assert.Null(report.Probes);
    }
}
