using System.Net;
using System.Text.RegularExpressions;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Testing;
using SmbSign.Wire.Scanning;

namespace SmbSign.Wire.Tests.Scanning;

/// <summary>The prober against real smbd instances: every field Samba's configuration determines.</summary>
public sealed partial class SambaInteropTests
{
    private static async Task<ServerPosture> ProbeAsync(SambaServerOptions options, bool deep = true)
    {
        await using SambaServer server = await SambaServer.StartAsync(options);
        var prober = new SmbProber(new ProbeOptions { Deep = deep, Timeout = TimeSpan.FromSeconds(10) });
        ServerPosture posture = await prober.ProbeAsync(new ScanTarget(SambaServer.Host, IPAddress.Loopback, server.Port));
        Assert.True(posture.Error is null, $"{posture.Error}\n{server.Log}");
        Assert.True(posture.Reachable);
        return posture;
    }

    [Theory]
    [InlineData("auto", Smb1SigningState.Enabled, true)]
    [InlineData("mandatory", Smb1SigningState.Required, false)]
    [InlineData("disabled", Smb1SigningState.Disabled, true)]
    public async Task Probe_Smb1Only_ReportsSmb1SigningFromSecurityMode(string serverSigning, Smb1SigningState expected, bool relay)
    {
        ServerPosture p = await ProbeAsync(new SambaServerOptions { MinProtocol = "NT1", MaxProtocol = "NT1", ServerSigning = serverSigning });

        Assert.True(p.Smb1.Enabled);
        Assert.Equal(expected, p.Smb1.Signing);
        Assert.False(p.Smb2.Enabled);
        Assert.Null(p.Smb2.Dialect);
        Assert.Equal(SambaServer.NetbiosName, p.Host.NetbiosName);
        Assert.Equal(SambaServer.Workgroup, p.Host.Domain);
        Assert.Equal(relay, p.RelayTarget);
    }

    [Fact]
    public async Task Probe_Smb2Max21_DialectHmacNoCipher()
    {
        ServerPosture p = await ProbeAsync(new SambaServerOptions { MinProtocol = "SMB2_02", MaxProtocol = "SMB2_10" });

        AssertSmb2(p, Dialect.Smb210, Smb2SigningState.Enabled, SigningAlgorithm.HmacSha256);
        Assert.Null(p.Smb2.Cipher);
        Assert.Equal([Dialect.Smb202, Dialect.Smb210], p.Smb2.Dialects);
        Assert.Null(p.Smb2.SigningAlgorithms);
        Assert.False(p.Smb1.Enabled);
        Assert.True(p.RelayTarget);
    }

    [Fact]
    public async Task Probe_Smb2Max30_CmacAndCcmCipher()
    {
        ServerPosture p = await ProbeAsync(new SambaServerOptions { MinProtocol = "SMB2_02", MaxProtocol = "SMB3_00" });

        AssertSmb2(p, Dialect.Smb300, Smb2SigningState.Enabled, SigningAlgorithm.AesCmac);
        Assert.Equal(EncryptionCipher.Aes128Ccm, p.Smb2.Cipher);
        Assert.Equal([Dialect.Smb202, Dialect.Smb210, Dialect.Smb300], p.Smb2.Dialects);
        Assert.True(p.RelayTarget);
    }

    [Theory]
    [InlineData("mandatory", Smb2SigningState.Required, false)]
    [InlineData("auto", Smb2SigningState.Enabled, true)]
    [InlineData("default", Smb2SigningState.Enabled, true)]
    public async Task Probe_Smb311_SigningFromSecurityModeBits(string serverSigning, Smb2SigningState expected, bool relay)
    {
        ServerPosture p = await ProbeAsync(new SambaServerOptions { ServerSigning = serverSigning });

        // Samba's default algorithm list starts with AES-128-GMAC and its cipher list with AES-128-GCM.
        AssertSmb2(p, Dialect.Smb311, expected, SigningAlgorithm.AesGmac);
        Assert.Equal(EncryptionCipher.Aes128Gcm, p.Smb2.Cipher);
        Assert.Equal(DialectInfo.Smb2Dialects, p.Smb2.Dialects);
        Assert.Equal([SigningAlgorithm.AesGmac, SigningAlgorithm.AesCmac, SigningAlgorithm.HmacSha256], p.Smb2.SigningAlgorithms);
        Assert.False(p.Smb1.Enabled);
        Assert.Equal(relay, p.RelayTarget);
    }

    [Theory]
    [InlineData("AES-128-GMAC", SigningAlgorithm.AesGmac)]
    [InlineData("AES-128-CMAC", SigningAlgorithm.AesCmac)]
    [InlineData("HMAC-SHA256", SigningAlgorithm.HmacSha256)]
    public async Task Probe_Smb311RestrictedAlgorithm_ChosenAndOnlyAcceptedOne(string sambaName, SigningAlgorithm expected)
    {
        ServerPosture p = await ProbeAsync(new SambaServerOptions { ServerSigning = "mandatory", Smb3SigningAlgorithms = sambaName });

        AssertSmb2(p, Dialect.Smb311, Smb2SigningState.Required, expected);
        Assert.Equal([expected], p.Smb2.SigningAlgorithms);
        Assert.False(p.RelayTarget);
    }

    [Theory]
    [InlineData("auto", Smb1SigningState.Enabled, Smb2SigningState.Enabled, true)]
    [InlineData("mandatory", Smb1SigningState.Required, Smb2SigningState.Required, false)]
    public async Task Probe_Smb1AndSmb2Deep_ReportsBothFamiliesSeparately(string serverSigning, Smb1SigningState smb1, Smb2SigningState smb2, bool relay)
    {
        ServerPosture p = await ProbeAsync(new SambaServerOptions { MinProtocol = "NT1", MaxProtocol = "SMB3_11", ServerSigning = serverSigning }, deep: true);

        Assert.True(p.Smb1.Enabled);
        Assert.Equal(smb1, p.Smb1.Signing);
        AssertSmb2(p, Dialect.Smb311, smb2, SigningAlgorithm.AesGmac);
        Assert.Equal(DialectInfo.Smb2Dialects, p.Smb2.Dialects);
        Assert.Equal(relay, p.RelayTarget);
    }

    [Fact]
    public async Task Probe_Smb1AndSmb2SigningRequired_DefaultProbeAsksSmb1()
    {
        // SMB2 requires signing, so SMB1 decides the relay verdict: the default probe opens the SMB1-only connection.
        ServerPosture p = await ProbeAsync(new SambaServerOptions { MinProtocol = "NT1", MaxProtocol = "SMB3_11", ServerSigning = "mandatory" }, deep: false);

        Assert.True(p.Smb1.Enabled);
        Assert.Equal(Smb1SigningState.Required, p.Smb1.Signing);
        AssertSmb2(p, Dialect.Smb311, Smb2SigningState.Required, SigningAlgorithm.AesGmac);
        Assert.Null(p.Smb2.Dialects);
        Assert.Null(p.Smb2.SigningAlgorithms);
        Assert.False(p.RelayTarget);
    }

    [Fact]
    public async Task Probe_Smb1AndSmb2SigningNotRequired_DefaultProbeLeavesSmb1Undetermined()
    {
        // SMB2 does not require signing: a relay target whatever SMB1 says, so the default probe spends one connection and
        // reports SMB1 as not determined rather than guessing.
        ServerPosture p = await ProbeAsync(new SambaServerOptions { MinProtocol = "NT1", MaxProtocol = "SMB3_11", ServerSigning = "auto" }, deep: false);

        Assert.Null(p.Smb1.Enabled);
        Assert.Null(p.Smb1.Signing);
        AssertSmb2(p, Dialect.Smb311, Smb2SigningState.Enabled, SigningAlgorithm.AesGmac);
        Assert.Null(p.Smb2.Dialects);
        Assert.True(p.RelayTarget);
    }

    private static void AssertSmb2(ServerPosture p, Dialect dialect, Smb2SigningState signing, SigningAlgorithm algorithm)
    {
        Assert.True(p.Smb2.Enabled);
        Assert.Equal(dialect, p.Smb2.Dialect);
        Assert.Equal(signing, p.Smb2.Signing);
        Assert.Equal(algorithm, p.Smb2.SigningAlgorithm);
        Assert.Contains("NTLMSSP", p.Smb2.Mechanisms!);
        Assert.NotNull(p.Smb2.ServerGuid);
        Assert.True(p.Ntlm);
        Assert.Equal(SambaServer.NetbiosName, p.Host.NetbiosName);

        // A standalone Samba server names itself as its NTLM domain (NbDomainName = netbios name, not the workgroup).
        Assert.Equal(SambaServer.NetbiosName, p.Host.Domain);
        Assert.Matches(VersionPattern(), p.Host.OsVersion!);
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex VersionPattern();
}
