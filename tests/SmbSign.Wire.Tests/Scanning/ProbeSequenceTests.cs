using System.Net;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.TestServers;
using SmbSign.Wire.Scanning;

namespace SmbSign.Wire.Tests.Scanning;

/// <summary>How many connections a probe spends, and what it then knows (protocol notes §15.1): connection A always; the
/// SMB1-only connection B only when its answer can change the verdict (SMB2 requires signing) or with --deep.</summary>
public sealed class ProbeSequenceTests
{
    private const Smb1SecurityMode Smb1SigningEnabled = Smb1SecurityMode.UserSecurity | Smb1SecurityMode.EncryptPasswords | Smb1SecurityMode.SecuritySignaturesEnabled;

    private static async Task<(ServerPosture Posture, long Connections)> ProbeAsync(ResponderProfile profile, bool deep = false)
    {
        await using LoopbackSmbResponder responder = LoopbackSmbResponder.Start(profile);
        ServerPosture posture = await new SmbProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(5), Deep = deep })
            .ProbeAsync(new ScanTarget("127.0.0.1", IPAddress.Loopback, responder.Port));
        Assert.Null(posture.Error);
        return (posture, responder.Connections);
    }

    [Fact]
    public async Task Probe_Smb2NotRequired_OneConnectionAndSmb1NotDetermined()
    {
        (ServerPosture p, long connections) = await ProbeAsync(new ResponderProfile { Smb1SecurityMode = Smb1SigningEnabled });

        Assert.Equal(1, connections);
        Assert.Null(p.Smb1.Enabled);
        Assert.Null(p.Smb1.Signing);
        Assert.Equal(Smb2SigningState.Enabled, p.Smb2.Signing);
        Assert.Equal("responder.loopback.test", p.Host.DnsName);
        Assert.True(p.RelayTarget);
    }

    [Fact]
    public async Task Probe_Smb2Required_SecondConnectionAsksSmb1()
    {
        (ServerPosture p, long connections) = await ProbeAsync(new ResponderProfile
        {
            Smb2SecurityMode = Smb2SecurityMode.SigningEnabled | Smb2SecurityMode.SigningRequired,
            Smb1SecurityMode = Smb1SigningEnabled | Smb1SecurityMode.SecuritySignaturesRequired,
        });

        Assert.Equal(2, connections);
        Assert.True(p.Smb1.Enabled);
        Assert.Equal(Smb1SigningState.Required, p.Smb1.Signing);
        Assert.Equal(Smb2SigningState.Required, p.Smb2.Signing);
        Assert.False(p.RelayTarget);
    }

    [Fact]
    public async Task Probe_Smb2RequiredSmb1Off_SecondConnectionFindsSmb1Off()
    {
        (ServerPosture p, long connections) = await ProbeAsync(new ResponderProfile { Smb2SecurityMode = Smb2SecurityMode.SigningEnabled | Smb2SecurityMode.SigningRequired });

        Assert.Equal(2, connections);
        Assert.False(p.Smb1.Enabled);
        Assert.False(p.RelayTarget);
    }

    [Fact]
    public async Task Probe_DeepSmb2NotRequired_AsksSmb1Too()
    {
        (ServerPosture p, long connections) = await ProbeAsync(new ResponderProfile { Smb1SecurityMode = Smb1SigningEnabled }, deep: true);

        // A, B, five single-dialect connections and three single-algorithm connections at 3.1.1.
        Assert.Equal(1 + 1 + 5 + 3, connections);
        Assert.True(p.Smb1.Enabled);
        Assert.Equal(Smb1SigningState.Enabled, p.Smb1.Signing);
        Assert.Equal(DialectInfo.Smb2Dialects, p.Smb2.Dialects);
        Assert.Equal([SigningAlgorithm.AesCmac], p.Smb2.SigningAlgorithms);
        Assert.True(p.RelayTarget);
    }

    [Fact]
    public async Task Probe_Smb1Only_OneConnection()
    {
        (ServerPosture p, long connections) = await ProbeAsync(new ResponderProfile { MaxDialect = Dialect.Smb1, Smb1SecurityMode = Smb1SigningEnabled });

        Assert.Equal(1, connections);
        Assert.True(p.Smb1.Enabled);
        Assert.False(p.Smb2.Enabled);
        Assert.True(p.RelayTarget);
    }
}
