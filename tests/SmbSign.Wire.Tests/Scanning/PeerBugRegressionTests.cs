using System.Net;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.TestServers;
using SmbSign.Wire.Scanning;

namespace SmbSign.Wire.Tests.Scanning;

/// <summary>Regression tests for the signing-verdict bugs other scanners shipped (protocol notes §15.4).</summary>
public sealed class PeerBugRegressionTests
{
    private static async Task<ServerPosture> ProbeAsync(ResponderProfile profile)
    {
        await using LoopbackSmbResponder responder = LoopbackSmbResponder.Start(profile);
        return await new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(3) })
            .ProbeAsync(new ScanTarget("127.0.0.1", IPAddress.Loopback, responder.Port));
    }

    [Fact] // NetExec #1292/#1298, impacket 8afe4fe1: SecurityMode 0x01 at 3.1.1 is NOT "required".
    public async Task Probe_Smb311WithSigningEnabledOnly_IsNotRequiredAndARelayTarget()
    {
        ServerPosture p = await ProbeAsync(new ResponderProfile { MaxDialect = Dialect.Smb311, Smb2SecurityMode = Smb2SecurityMode.SigningEnabled });

        Assert.Equal(Dialect.Smb311, p.Smb2.Dialect);
        Assert.Equal(Smb2SigningState.Enabled, p.Smb2.Signing);
        Assert.True(p.RelayTarget);
    }

    [Fact] // nmap: "Message signing is disabled and not required!" for SecurityMode 0 (non-conformant stacks).
    public async Task Probe_Smb2SecurityModeZero_IsDisabled()
    {
        ServerPosture p = await ProbeAsync(new ResponderProfile { MaxDialect = Dialect.Smb210, Smb2SecurityMode = Smb2SecurityMode.None });

        Assert.Equal(Smb2SigningState.Disabled, p.Smb2.Signing);
        Assert.True(p.RelayTarget);
    }

    [Fact] // RunFinger compared SecurityMode == 0x03 / 0x0F; bit tests must accept extra bits.
    public async Task Probe_Smb2RequiredWithExtraBits_IsRequired()
    {
        ServerPosture p = await ProbeAsync(new ResponderProfile { Smb2SecurityMode = (Smb2SecurityMode)0x0006 });

        Assert.Equal(Smb2SigningState.Required, p.Smb2.Signing);
    }

    [Fact] // impacket sets isSigningRequired only in the extended-security branch: non-extended SMB1 servers read "not required".
    public async Task Probe_Smb1NonExtendedRequired_IsRequired()
    {
        ServerPosture p = await ProbeAsync(new ResponderProfile
        {
            MaxDialect = Dialect.Smb1,
            Smb1SecurityMode = Smb1SecurityMode.UserSecurity | Smb1SecurityMode.EncryptPasswords | Smb1SecurityMode.SecuritySignaturesEnabled | Smb1SecurityMode.SecuritySignaturesRequired,
        });

        Assert.True(p.Smb1.Enabled);
        Assert.Equal(Smb1SigningState.Required, p.Smb1.Signing);
        Assert.False(p.Smb2.Enabled);
        Assert.Equal("RESPONDER", p.Host.NetbiosName);
        Assert.Equal("LOOPBACK", p.Host.Domain);
        Assert.False(p.RelayTarget);
    }

    [Fact] // Metasploit PR #16326 assumed "not required" when SMB1 negotiation failed; SMB1 off is not a signing verdict.
    public async Task Probe_Smb1Refused_Smb1OffAndVerdictFromSmb2Only()
    {
        ServerPosture p = await ProbeAsync(new ResponderProfile { Smb1SecurityMode = null, Smb2SecurityMode = Smb2SecurityMode.SigningEnabled | Smb2SecurityMode.SigningRequired });

        Assert.False(p.Smb1.Enabled);
        Assert.Null(p.Smb1.Signing);
        Assert.Equal(Smb2SigningState.Required, p.Smb2.Signing);
        Assert.False(p.RelayTarget);
    }

    [Fact] // Relay lists must not depend on the OS string (NetExec wrote only "windows" hosts): a mixed host is judged per family.
    public async Task Probe_Smb1OpenSmb2Required_IsARelayTarget()
    {
        ServerPosture p = await ProbeAsync(new ResponderProfile
        {
            Smb1SecurityMode = Smb1SecurityMode.UserSecurity | Smb1SecurityMode.EncryptPasswords | Smb1SecurityMode.SecuritySignaturesEnabled,
            Smb2SecurityMode = Smb2SecurityMode.SigningEnabled | Smb2SecurityMode.SigningRequired,
        });

        Assert.True(p.Smb1.Enabled);
        Assert.Equal(Smb1SigningState.Enabled, p.Smb1.Signing);
        Assert.Equal(Smb2SigningState.Required, p.Smb2.Signing);
        Assert.True(p.RelayTarget);
        Assert.Equal("10.0.20348", p.Host.OsVersion);
        Assert.Equal("responder.loopback.test", p.Host.DnsName);
    }
}
