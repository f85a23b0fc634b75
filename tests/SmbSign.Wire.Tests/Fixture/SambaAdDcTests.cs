using SmbSign.Testing;

namespace SmbSign.Wire.Tests.Fixture;

[CollectionDefinition(Name)]
public sealed class SambaAdDcCollection : ICollectionFixture<SambaAdDcFixture>
{
    public const string Name = "Samba AD DC";
}

/// <summary>Proves the AD DC fixture itself: the KDC issues tickets to the domain user, the real smbclient reads the share
/// with Kerberos only, and the server's keys can be exported to a keytab.</summary>
[Collection(SambaAdDcCollection.Name)]
public sealed class SambaAdDcTests(SambaAdDcFixture fixture)
{
    private SambaAdDc Dc => fixture.Dc;

    [Fact]
    public async Task Kinit_ThenSmbclientKerberosOnly_ReadsTheShare()
    {
        string ccache = await Dc.KinitAsync();

        (int code, string output) = await Dc.SmbClientKerberosAsync(ccache);

        Assert.True(code == 0, output + "\n" + Dc.Log);
        Assert.Contains(SambaAdDc.FileContent.Trim(), output, StringComparison.Ordinal);
        string tickets = await Dc.KlistAsync(ccache);
        Assert.Contains(SambaAdDc.CifsPrincipal + "@" + SambaAdDc.Realm, tickets, StringComparison.Ordinal);
        Assert.Contains("aes256-cts-hmac-sha1-96", tickets, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rc4Config_GivesAnRc4SessionKeyForCifs()
    {
        string ccache = await Dc.KinitAsync(rc4: true);

        string tickets = await Dc.KlistAsync(ccache);
        (int code, string output) = await Dc.SmbClientKerberosAsync(ccache, rc4: true);

        string cifsLine = tickets.Split('\n').SkipWhile(l => !l.Contains(SambaAdDc.CifsPrincipal, StringComparison.Ordinal)).Skip(1).First();
        Assert.Contains("(skey, tkt): DEPRECATED:arcfour-hmac", cifsLine, StringComparison.Ordinal);
        Assert.True(code == 0, output);
        Assert.Contains(SambaAdDc.FileContent.Trim(), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportKeytab_HoldsTheFileServerPrincipal()
    {
        string keytab = Path.Combine(Dc.Root, "server.keytab");

        await Dc.ExportKeytabAsync(keytab, SambaAdDc.CifsPrincipal);

        (int code, string output) = await ProcessRunner.RunAsync(ToolLocator.Require("klist", "krb5-user"), ["-k", "-e", keytab], null, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, output);
        Assert.Contains(SambaAdDc.CifsPrincipal + "@" + SambaAdDc.Realm, output, StringComparison.Ordinal);
        Assert.Contains("aes256-cts-hmac-sha1-96", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPassword_IsRefusedByTheKdc()
    {
        (int code, string output) = await ProcessRunner.RunAsync(
            ToolLocator.Require("kinit", "krb5-user"), [SambaAdDc.UserPrincipal], "not-the-password\n", TimeSpan.FromSeconds(30),
            Dc.KerberosEnvironment(Path.Combine(Dc.Root, "ccache-wrong")));

        Assert.NotEqual(0, code);
        Assert.Contains("Password incorrect", output, StringComparison.OrdinalIgnoreCase);
    }
}
