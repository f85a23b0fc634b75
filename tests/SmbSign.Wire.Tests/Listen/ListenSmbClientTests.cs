using SmbSign.Wire.Listen;

namespace SmbSign.Wire.Tests.Listen;

/// <summary>Real smbclient against the listener on loopback.</summary>
public sealed class ListenSmbClientTests
{
    [Theory]
    [InlineData("SMB3_11", "required", ListenTestMode.Unsigned)]
    [InlineData("SMB3_11", "if_required", ListenTestMode.Unsigned)]
    [InlineData("SMB3_11", "required", ListenTestMode.BadSignature)]
    [InlineData("SMB3_11", "if_required", ListenTestMode.BadSignature)]
    [InlineData("SMB3_11", "disabled", ListenTestMode.BadSignature)]
    [InlineData("SMB3_00", "if_required", ListenTestMode.BadSignature)]
    [InlineData("SMB2_10", "if_required", ListenTestMode.BadSignature)]
    [InlineData("SMB2_10", "required", ListenTestMode.Unsigned)]
    [InlineData("SMB2_10", "if_required", ListenTestMode.Unsigned)]
    [InlineData("SMB3_00", "required", ListenTestMode.Observe)]
    [InlineData("SMB3_00", "if_required", ListenTestMode.Observe)]
    [InlineData("NT1", "required", ListenTestMode.Observe)]
    [InlineData("NT1", "if_required", ListenTestMode.Observe)]
    [InlineData("SMB3_11", "required", ListenTestMode.Observe, false)]
    [InlineData("SMB3_11", "if_required", ListenTestMode.Observe, false)]
    public async Task Explore(string protocol, string signing, ListenTestMode mode, bool withUser = true)
    {
        (ListenClientReport report, int exit, string output) = await ListenHarness.RunAsync(
            ListenHarness.Options(mode, withUser),
            port => ListenHarness.SmbClientAsync(port, protocol, signing));
        Assert.Fail($"exit {exit}\n{output}\nreq={report.RequiresSigning} enf={report.Enforcement} {report.EnforcementReason} auth={report.Authentication} end={report.End} smb1={report.Smb1?.Flags2} cmds={string.Join(",", report.Commands)} tampered={report.TamperedResponses} signedresp={report.SignedResponses} signedreq={report.SignedRequests} unsignedreq={report.UnsignedRequests}");
    }
}
