using SmbSign.Protocol;
using SmbSign.Testing;
using SmbSign.Wire.Session;
using SmbSign.Wire.Session.Kerberos;
using SmbSign.Wire.Tests.Fixture;
using SmbClientOptions = SmbSign.Wire.Session.SmbClientOptions;

namespace SmbSign.Wire.Tests.Session;

/// <summary>Kerberos sessions against the real Samba AD DC: tickets from kinit (a credential cache) and from a password
/// through MIT GSSAPI, every SMB 3 dialect and signing algorithm, AES-256 and RC4 session keys, and the errors a user
/// meets. Every session reads the fixture's file through signed messages; a key derived from more than the first 16
/// bytes of the AES-256 session key fails the signature check of the final SESSION_SETUP response.</summary>
[Collection(SambaAdDcCollection.Name)]
public sealed class KerberosSessionTests
{
    private readonly SambaAdDc _dc;

    public KerberosSessionTests(SambaAdDcFixture fixture)
    {
        _dc = fixture.Dc;
        Krb5Configuration.SetEnvironment("KRB5_CONFIG", _dc.Krb5ConfigPath);
    }

    private SmbClientOptions Options(KerberosOptions kerberos, Dialect? dialect = null, SigningAlgorithm? algorithm = null, string user = "") => new()
    {
        Host = SambaAdDc.ServerFqdn,
        TargetAddress = SambaAdDc.Host,
        Port = _dc.SmbPort,
        Share = SambaAdDc.ShareName,
        User = user,
        ReadPath = SambaAdDc.FileName,
        Dialect = dialect,
        SigningAlgorithm = algorithm,
        Kerberos = kerberos,
        Timeout = TimeSpan.FromSeconds(15),
    };

    public static TheoryData<string, string?> DialectsAndAlgorithms => new()
    {
        { "2.1", null },
        { "3.0", null },
        { "3.0.2", null },
        { "3.1.1", "hmac" },
        { "3.1.1", "cmac" },
        { "3.1.1", "gmac" },
    };

    [Theory]
    [MemberData(nameof(DialectsAndAlgorithms))]
    public async Task TicketFromKinit_SignsAndVerifiesEveryMessage_Enforced(string dialectText, string? algorithmText)
    {
        string ccache = await _dc.KinitAsync();
        Dialect dialect = Parse(dialectText);
        SigningAlgorithm? algorithm = algorithmText is null ? null : ParseAlgorithm(algorithmText);

        VerificationReport report = await new SmbClientSession(TimeProvider.System)
            .VerifyAsync(Options(new KerberosOptions { CredentialCache = ccache }, dialect, algorithm), string.Empty, CancellationToken.None);

        Assert.True(report.Error is null && report.Failures.Count == 0, SessionTestHelpers.Describe(report) + "\n" + _dc.Log[^Math.Min(3000, _dc.Log.Length)..]);
        Assert.Equal(dialect, report.Dialect);
        Assert.Equal(algorithm ?? dialect.DefaultSigningAlgorithm(), report.SigningAlgorithm);
        Assert.Equal("kerberos", report.Authentication);
        Assert.Equal("aes256-cts-hmac-sha1-96", report.KerberosSessionKeyType);
        Assert.Equal(32, report.KerberosSessionKeyLength);
        Assert.Equal(SambaAdDc.UserPrincipal, report.ClientPrincipal);
        Assert.Equal(SambaAdDc.FileContent, System.Text.Encoding.UTF8.GetString(report.ReadData.Span));
        Assert.True(report.Enforced, SessionTestHelpers.Describe(report));
        Assert.All(report.Probes!, p => Assert.True(p.Rejected, p.Detail));
    }

    /// <summary>The reference client: smbclient with Kerberos only, the same ticket cache, share, dialect and signing
    /// algorithm, reads the same bytes smbsign read and verified.</summary>
    [Theory]
    [InlineData("SMB3_00", "3.0", null, null)]
    [InlineData("SMB3_02", "3.0.2", null, null)]
    [InlineData("SMB3_11", "3.1.1", "hmac", "HMAC-SHA256")]
    [InlineData("SMB3_11", "3.1.1", "cmac", "AES-128-CMAC")]
    [InlineData("SMB3_11", "3.1.1", "gmac", "AES-128-GMAC")]
    public async Task SmbclientKerberosRequired_ReadsWhatSmbsignVerified(string protocol, string dialectText, string? algorithmText, string? sambaAlgorithm)
    {
        string ccache = await _dc.KinitAsync();

        (int code, string output) = await _dc.SmbClientKerberosAsync(
            ccache, protocol, extraOptions: sambaAlgorithm is null ? null : ["client smb3 signing algorithms=" + sambaAlgorithm]);
        VerificationReport report = await new SmbClientSession(TimeProvider.System).VerifyAsync(
            Options(new KerberosOptions { CredentialCache = ccache }, Parse(dialectText), algorithmText is null ? null : ParseAlgorithm(algorithmText)),
            string.Empty, CancellationToken.None);

        Assert.True(code == 0, output);
        Assert.True(report.Enforced, SessionTestHelpers.Describe(report));
        string read = System.Text.Encoding.UTF8.GetString(report.ReadData.Span);
        Assert.Equal(SambaAdDc.FileContent, read);
        Assert.Contains(read.TrimEnd('\n'), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_GetsItsOwnTicket_WithoutACredentialCache()
    {
        string emptyCache = Path.Combine(_dc.Root, "no-such-ccache");
        Krb5Configuration.SetEnvironment("KRB5CCNAME", "FILE:" + emptyCache);

        VerificationReport report = await new SmbClientSession(TimeProvider.System).VerifyAsync(
            Options(new KerberosOptions(), Dialect.Smb311, user: SambaAdDc.UserName) with { Domain = SambaAdDc.Realm },
            SambaAdDc.UserPassword, CancellationToken.None);

        Assert.True(report.Error is null && report.Failures.Count == 0, SessionTestHelpers.Describe(report));
        Assert.True(report.Enforced);
        Assert.Equal(SambaAdDc.UserPrincipal, report.ClientPrincipal);
        Assert.False(File.Exists(emptyCache), "a password logon must not write the user's credential cache");
    }

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.1.1")]
    public async Task Rc4Ticket_SixteenByteSessionKey_Enforced(string dialectText)
    {
        // The process asks for RC4 session keys the way a user would: a krb5.conf with default_tgs_enctypes = rc4-hmac.
        string ccache = await _dc.KinitAsync(rc4: true);
        Krb5Configuration.SetEnvironment("KRB5_CONFIG", _dc.Krb5ConfigRc4Path);
        VerificationReport report;
        try
        {
            report = await new SmbClientSession(TimeProvider.System)
                .VerifyAsync(Options(new KerberosOptions { CredentialCache = ccache }, Parse(dialectText)), string.Empty, CancellationToken.None);
        }
        finally
        {
            Krb5Configuration.SetEnvironment("KRB5_CONFIG", _dc.Krb5ConfigPath);
        }

        Assert.True(report.Error is null && report.Failures.Count == 0, SessionTestHelpers.Describe(report));
        Assert.Equal("rc4-hmac", report.KerberosSessionKeyType);
        Assert.Equal(16, report.KerberosSessionKeyLength);
        Assert.True(report.Enforced);
    }

    [Fact]
    public async Task NoTicket_OneLineKerberosError()
    {
        string missing = Path.Combine(_dc.Root, "missing-ccache");

        VerificationReport report = await new SmbClientSession(TimeProvider.System)
            .VerifyAsync(Options(new KerberosOptions { CredentialCache = missing }), string.Empty, CancellationToken.None);

        Assert.Equal(SessionErrorKind.Kerberos, report.Error?.Kind);
        Assert.StartsWith("no Kerberos ticket in the credential cache " + missing, report.Error!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', report.Error.Message);
    }

    [Fact]
    public async Task UnknownServicePrincipal_Named()
    {
        string ccache = await _dc.KinitAsync();

        VerificationReport report = await new SmbClientSession(TimeProvider.System).VerifyAsync(
            Options(new KerberosOptions { CredentialCache = ccache }) with { Host = "nosuch.smbsign.test" }, string.Empty, CancellationToken.None);

        Assert.Equal(SessionErrorKind.Kerberos, report.Error?.Kind);
        Assert.StartsWith("the KDC does not know the service principal cifs/nosuch.smbsign.test", report.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KdcUnreachable_Named()
    {
        string conf = Path.Combine(_dc.Root, "krb5-deadkdc.conf");
        int closedPort = ClosedPort();
        await File.WriteAllTextAsync(conf, Krb5Configuration.Build(SambaAdDc.Realm, "127.0.0.1:" + closedPort));
        Krb5Configuration.SetEnvironment("KRB5_CONFIG", conf);
        try
        {
            VerificationReport report = await new SmbClientSession(TimeProvider.System).VerifyAsync(
                Options(new KerberosOptions(), user: SambaAdDc.UserPrincipal), SambaAdDc.UserPassword, CancellationToken.None);

            Assert.Equal(SessionErrorKind.Kerberos, report.Error?.Kind);
            Assert.StartsWith("cannot reach a KDC for the realm", report.Error!.Message, StringComparison.Ordinal);
        }
        finally
        {
            Krb5Configuration.SetEnvironment("KRB5_CONFIG", _dc.Krb5ConfigPath);
        }
    }

    [Fact]
    public async Task WrongPassword_KdcRefuses()
    {
        VerificationReport report = await new SmbClientSession(TimeProvider.System).VerifyAsync(
            Options(new KerberosOptions(), user: SambaAdDc.UserPrincipal), "not-the-password", CancellationToken.None);

        Assert.Equal(SessionErrorKind.Kerberos, report.Error?.Kind);
        Assert.StartsWith("the KDC refused the password", report.Error!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", report.Error.Message, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Dialect Parse(string text) => DialectInfo.TryParse(text, out Dialect d) ? d : throw new ArgumentException(text);

    private static SigningAlgorithm ParseAlgorithm(string text) => SigningAlgorithmInfo.TryParse(text, out SigningAlgorithm a) ? a : throw new ArgumentException(text);
}
