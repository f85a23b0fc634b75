using System.Globalization;
using System.Text.Json;
using SmbSign.Testing;
using SmbSign.Wire.Session.Kerberos;

namespace SmbSign.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class CliSambaAdDcCollection : ICollectionFixture<SambaAdDcFixture>
{
    public const string Name = "CLI Samba AD DC";
}

/// <summary><c>smbsign verify -k</c> end to end against the Samba AD DC: a ticket from kinit (--ccache), a password,
/// --realm/--kdc instead of a krb5.conf, and the one-line errors. The library reads KRB5_CONFIG from the C environment,
/// so each test points it at the DC's krb5.conf first.</summary>
[Collection(CliSambaAdDcCollection.Name)]
public sealed class VerifyKerberosTests
{
    private readonly SambaAdDc _dc;

    public VerifyKerberosTests(SambaAdDcFixture fixture)
    {
        _dc = fixture.Dc;
        Krb5Configuration.SetEnvironment("KRB5_CONFIG", _dc.Krb5ConfigPath);
    }

    private string Target => $"//{SambaAdDc.ServerFqdn}:{_dc.SmbPort.ToString(CultureInfo.InvariantCulture)}/{SambaAdDc.ShareName}";

    [Fact]
    public async Task Kerberos_CcacheFromKinit_Json_EnforcedWithKerberosFields()
    {
        string ccache = await _dc.KinitAsync();

        CliRun run = await CliHarness.RunAsync(
            ["verify", Target, "--target-ip", SambaAdDc.Host, "-k", "--ccache", ccache, "--read", SambaAdDc.FileName, "--format", "json"]);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement root = json.RootElement;
        Assert.Equal("kerberos", root.GetProperty("authentication").GetString());
        Assert.Equal(SambaAdDc.UserPrincipal, root.GetProperty("kerberos").GetProperty("clientPrincipal").GetString());
        Assert.Equal("aes256-cts-hmac-sha1-96", root.GetProperty("kerberos").GetProperty("sessionKeyType").GetString());
        Assert.Equal(32, root.GetProperty("kerberos").GetProperty("sessionKeyLength").GetInt32());
        Assert.Equal("enforced", root.GetProperty("verdict").GetString());
        Assert.All(root.GetProperty("probes").EnumerateArray(), p => Assert.True(p.GetProperty("rejected").GetBoolean()));
    }

    [Fact]
    public async Task Kerberos_Password_RealmAndKdcWithoutKrb5Conf_Table()
    {
        // An empty krb5.conf: realm and KDC come only from --realm and --kdc.
        string empty = Path.Combine(_dc.Root, "empty-krb5.conf");
        await File.WriteAllTextAsync(empty, string.Empty);
        Krb5Configuration.SetEnvironment("KRB5_CONFIG", empty);
        Krb5Configuration.SetEnvironment("KRB5CCNAME", "FILE:" + Path.Combine(_dc.Root, "unused-ccache"));

        CliRun run = await CliHarness.RunAsync(
            ["verify", Target, "--target-ip", SambaAdDc.Host, "-k", "-u", SambaAdDc.UserName, "--realm", SambaAdDc.Realm,
             "--kdc", "127.0.0.1:" + _dc.KdcPort.ToString(CultureInfo.InvariantCulture), "--dialect", "3.0.2"],
            new Dictionary<string, string> { ["SMBSIGN_PASSWORD"] = SambaAdDc.UserPassword });

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("Kerberos as alice@SMBSIGN.TEST, session key aes256-cts-hmac-sha1-96 (32 bytes; signing keys from the first 16)", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(SambaAdDc.UserPassword, run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kerberos_NoTicket_ExitTwoOneLine()
    {
        string missing = Path.Combine(_dc.Root, "nothing-here");
        Krb5Configuration.SetEnvironment("KRB5CCNAME", "FILE:" + missing);

        CliRun run = await CliHarness.RunAsync(["verify", Target, "--target-ip", SambaAdDc.Host, "-k"]);

        Assert.Equal(2, run.ExitCode);
        string[] lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("smbsign: no Kerberos ticket in the default credential cache", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kerberos_MissingCcacheFile_UsageError()
    {
        CliRun run = await CliHarness.RunAsync(["verify", Target, "-k", "--ccache", Path.Combine(_dc.Root, "nope")]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--ccache", run.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KerberosOptionsWithoutK_UsageError()
    {
        CliRun run = await CliHarness.RunAsync(["verify", Target, "-u", "alice", "--realm", SambaAdDc.Realm]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--realm needs -k/--kerberos", run.Error, StringComparison.Ordinal);
    }
}

/// <summary>Without the GSSAPI library, -k says which package to install. Run as a child process: the library is bound
/// once per process.</summary>
public sealed class VerifyKerberosLibraryMissingTests
{
    [Fact]
    public async Task Kerberos_LibraryMissing_NamesTheDebianPackage()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "smbsign.dll");

        (int code, string output) = await ProcessRunner.RunAsync(
            "dotnet", [dll, "verify", "//dc1.smbsign.test:1/data", "--target-ip", "127.0.0.1", "-k", "--no-probe"], null, TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["SMBSIGN_GSSAPI_LIBRARY"] = "/nonexistent/libgssapi_krb5.so.2" });

        Assert.True(code == 2, output);
        Assert.Contains("smbsign: Kerberos is not available: the MIT Kerberos GSSAPI library could not be loaded (/nonexistent/libgssapi_krb5.so.2): apt-get install libgssapi-krb5-2", output, StringComparison.Ordinal);
    }
}

/// <summary><c>audit --remote -k</c>: the remote-registry reader rides on the same Kerberos session; Samba's AD DC answers
/// \PIPE\winreg (samba-dcerpcd on demand). The target is an address, so the DC gets the SPN cifs/127.0.0.1 first.</summary>
[Collection(CliSambaAdDcCollection.Name)]
public sealed class AuditRemoteKerberosTests
{
    private readonly SambaAdDc _dc;

    public AuditRemoteKerberosTests(SambaAdDcFixture fixture)
    {
        _dc = fixture.Dc;
        Krb5Configuration.SetEnvironment("KRB5_CONFIG", _dc.Krb5ConfigPath);
    }

    [Fact]
    public async Task AuditRemote_Kerberos_ReadsTheDcRegistry()
    {
        try
        {
            await _dc.SambaToolAsync("spn", "add", "cifs/127.0.0.1", "DC1$");
        }
        catch (InvalidOperationException e) when (e.Message.Contains("already", StringComparison.OrdinalIgnoreCase))
        {
        }

        string ccache = await _dc.KinitAsync();
        string target = "127.0.0.1:" + _dc.SmbPort.ToString(CultureInfo.InvariantCulture);

        CliRun run = await CliHarness.RunAsync(["audit", "--remote", target, "-k", "--ccache", ccache, "--format", "json"]);

        Assert.True(run.ExitCode is 0 or 1, run.Output + run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement machine = json.RootElement.GetProperty("machines")[0];
        Assert.Equal(target, machine.GetProperty("name").GetString());
        JsonElement source = machine.GetProperty("sources")[0];
        Assert.Equal("winreg://" + target, source.GetProperty("path").GetString());
        Assert.Equal("live-registry", source.GetProperty("format").GetString());
        Assert.Equal(0, source.GetProperty("errors").GetInt32());
    }
}
