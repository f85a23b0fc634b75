using System.Net.Sockets;
using System.Net;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SmbSign.Testing;

/// <summary>How a test wants its domain controller configured. Values are smb.conf spellings.</summary>
public sealed record SambaAdDcOptions
{
    /// <summary><c>server signing</c>: default, auto, mandatory, disabled.</summary>
    public string ServerSigning { get; init; } = "mandatory";

    /// <summary><c>server min protocol</c>.</summary>
    public string MinProtocol { get; init; } = "SMB2_02";

    /// <summary><c>server max protocol</c>.</summary>
    public string MaxProtocol { get; init; } = "SMB3_11";

    /// <summary><c>server smb3 signing algorithms</c>; null keeps Samba's default (AES-128-GMAC, AES-128-CMAC, HMAC-SHA256).</summary>
    public string? Smb3SigningAlgorithms { get; init; }

    /// <summary>Further [global] parameters, written after the fixture's own (Samba takes the last value).</summary>
    public IReadOnlyDictionary<string, string> ExtraGlobal { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A real Samba Active Directory domain controller (Debian's <c>samba-ad-dc</c>) on 127.0.0.1: realm
/// <see cref="Realm"/>, its KDC, and smbd with a share <see cref="ShareName"/> holding <see cref="FileName"/>, each on its
/// own free high port, with a domain user <see cref="UserName"/> whose password is <see cref="UserPassword"/>.
/// <para>The domain is provisioned once per machine and Samba version (about 20 s) into a template folder under the temp
/// directory, then copied for each instance, so every instance shares the same keys (the DC's machine account keys, the
/// krbtgt key, the user's keys). The server answers as <see cref="ServerFqdn"/> (SPN <c>cifs/dc1.smbsign.test</c>), a name
/// that does not resolve: clients connect to 127.0.0.1 and name the server (smbclient <c>-I 127.0.0.1</c>, smbsign
/// <c>--target-ip 127.0.0.1</c>); <see cref="Krb5ConfigPath"/> (use it as <c>KRB5_CONFIG</c>) points the realm at this KDC.</para>
/// <para>In AD mode smbd maps SIDs to uids through winbindd, and its client library only looks at the compiled-in
/// <c>/run/samba/winbindd</c>; so samba runs in its own mount namespace (<c>unshare -m</c>, root) with a private folder
/// bind-mounted on <c>/run/samba</c>, and instances (even from other test processes) never share a winbindd.</para>
/// </summary>
public sealed class SambaAdDc : IAsyncDisposable
{
    public const string Realm = "SMBSIGN.TEST";
    public const string DnsDomain = "smbsign.test";
    public const string NetbiosDomain = "SMBSIGN";
    public const string ServerName = "DC1";
    public const string ServerFqdn = "dc1.smbsign.test";
    public const string ShareName = "data";
    public const string FileName = "hello.txt";
    public const string FileContent = "Hello from the SmbSign Samba AD DC fixture.\n";
    public const string UserName = "alice";
    public const string UserPassword = "Alice-Pass-1!";
    public const string AdminPassword = "SmbSign-Admin-1!";

    /// <summary>Bumped when the template's contents change, so an old cached template is not reused.</summary>
    private const int TemplateVersion = 1;

    private static readonly SemaphoreSlim s_templateLock = new(1, 1);
    private static string? s_template;

    private readonly Process _process;
    private readonly StringBuilder _log;

    private SambaAdDc(string root, int smbPort, int kdcPort, Process process, StringBuilder log, SambaAdDcOptions options)
    {
        Root = root;
        SmbPort = smbPort;
        KdcPort = kdcPort;
        _process = process;
        _log = log;
        Options = options;
    }

    public string Root { get; }

    public int SmbPort { get; }

    public int KdcPort { get; }

    public SambaAdDcOptions Options { get; }

    public static string Host => "127.0.0.1";

    public IPEndPoint EndPoint => new(IPAddress.Loopback, SmbPort);

    public string ConfigPath => Path.Combine(Root, "smb.conf");

    /// <summary>A krb5.conf for clients: realm <see cref="Realm"/> at this KDC (TCP), no DNS lookups or canonicalisation,
    /// forwardable tickets (smbclient asks to delegate). Use it as <c>KRB5_CONFIG</c> for kinit, smbclient and smbsign.</summary>
    public string Krb5ConfigPath => Path.Combine(Root, "krb5.conf");

    /// <summary>Like <see cref="Krb5ConfigPath"/>, but the client asks only for RC4-HMAC tickets and session keys
    /// (<c>default_tgs_enctypes = rc4-hmac</c>): the KDC then issues service tickets with an RC4 session key.</summary>
    public string Krb5ConfigRc4Path => Path.Combine(Root, "krb5-rc4.conf");

    public string SharePath => Path.Combine(Root, "share");

    /// <summary>The user's principal, <c>alice@SMBSIGN.TEST</c>.</summary>
    public static string UserPrincipal => UserName + "@" + Realm;

    /// <summary>The SPN of the file server, <c>cifs/dc1.smbsign.test</c>.</summary>
    public static string CifsPrincipal => "cifs/" + ServerFqdn;

    /// <summary>What samba printed so far (for assertion messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Throws a clear message when the AD DC or MIT Kerberos tools are missing: tests fail loudly, never pass silently.</summary>
    public static void EnsureInstalled()
    {
        foreach ((string tool, string package) in new[] { ("samba", "samba-ad-dc"), ("samba-tool", "samba-ad-provision"), ("kinit", "krb5-user"), ("unshare", "util-linux") })
        {
            if (ToolLocator.Find(tool) is null)
            {
                throw new InvalidOperationException(
                    $"'{tool}' is not installed; scripts/test.sh installs it as root (apt-get install {package}).");
            }
        }

        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            throw new InvalidOperationException("the Samba AD DC fixture needs Linux and root (samba runs in its own mount namespace)");
        }
    }

    public static async Task<SambaAdDc> StartAsync(SambaAdDcOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SambaAdDcOptions();
        EnsureInstalled();
        string template = await TemplateAsync(cancellationToken).ConfigureAwait(false);
        Exception? last = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return await StartOnceAsync(template, options, cancellationToken).ConfigureAwait(false);
            }
            catch (DcStartException e)
            {
                last = e;
            }
        }

        throw new InvalidOperationException("samba (AD DC) did not start after 3 attempts: " + last?.Message, last);
    }

    /// <summary>Runs <c>samba-tool ARGS... -s SMB.CONF</c> against this DC's databases (user, spn, domain…) and returns its
    /// output; throws when it fails.</summary>
    public async Task<string> SambaToolAsync(params string[] arguments)
    {
        (int code, string output) = await ProcessRunner.RunAsync(
            ToolLocator.Require("samba-tool", "samba-ad-provision"), [.. arguments, "-s", ConfigPath], null, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        return code == 0 ? output : throw new InvalidOperationException($"samba-tool {string.Join(' ', arguments)} failed ({code}): {output}");
    }

    /// <summary>Writes the keys of <paramref name="principal"/> (default: every principal of the domain, including
    /// <c>cifs/dc1.smbsign.test</c> and <c>DC1$</c>) to a keytab at <paramref name="path"/>
    /// (<c>samba-tool domain exportkeytab</c>) and returns the path.</summary>
    public async Task<string> ExportKeytabAsync(string path, string? principal = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var args = new List<string> { "domain", "exportkeytab", path };
        if (principal is not null)
        {
            args.Add("--principal=" + principal);
        }

        await SambaToolAsync([.. args]).ConfigureAwait(false);
        return path;
    }

    /// <summary>Environment for a Kerberos client of this realm: <c>KRB5_CONFIG</c> (the RC4-only variant when
    /// <paramref name="rc4"/>) and, when given, <c>KRB5CCNAME=FILE:ccache</c>.</summary>
    public Dictionary<string, string> KerberosEnvironment(string? ccache = null, bool rc4 = false)
    {
        var environment = new Dictionary<string, string> { ["KRB5_CONFIG"] = rc4 ? Krb5ConfigRc4Path : Krb5ConfigPath };
        if (ccache is not null)
        {
            environment["KRB5CCNAME"] = "FILE:" + ccache;
        }

        return environment;
    }

    /// <summary>Runs MIT <c>kinit</c> for <see cref="UserPrincipal"/> (password on stdin) into a new credential cache file
    /// under this DC's folder and returns its path. With <paramref name="rc4"/>, uses <see cref="Krb5ConfigRc4Path"/>, and
    /// also fetches the <c>cifs/</c> ticket (<c>kvno</c>) so it is in the cache with its RC4 session key.</summary>
    public async Task<string> KinitAsync(bool rc4 = false, CancellationToken cancellationToken = default)
    {
        string ccache = Path.Combine(Root, "ccache-" + Guid.NewGuid().ToString("N")[..8]);
        Dictionary<string, string> environment = KerberosEnvironment(ccache, rc4);
        (int code, string output) = await ProcessRunner.RunAsync(
            ToolLocator.Require("kinit", "krb5-user"), [UserPrincipal], UserPassword + "\n", TimeSpan.FromSeconds(30), environment, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"kinit {UserPrincipal} failed ({code}): {output}\nsamba log:\n{Tail(Log)}");
        }

        if (rc4)
        {
            (code, output) = await ProcessRunner.RunAsync(
                ToolLocator.Require("kvno", "krb5-user"), [CifsPrincipal], null, TimeSpan.FromSeconds(30), environment, cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                throw new InvalidOperationException($"kvno {CifsPrincipal} failed ({code}): {output}");
            }
        }

        return ccache;
    }

    /// <summary>Lists a credential cache with encryption types (<c>klist -e</c>).</summary>
    public async Task<string> KlistAsync(string ccache)
    {
        (int code, string output) = await ProcessRunner.RunAsync(
            ToolLocator.Require("klist", "krb5-user"), ["-e"], null, TimeSpan.FromSeconds(30), KerberosEnvironment(ccache)).ConfigureAwait(false);
        return code == 0 ? output : throw new InvalidOperationException($"klist failed ({code}): {output}");
    }

    /// <summary>Runs the real <c>smbclient</c> against this DC's share with Kerberos only (<c>--use-kerberos=required</c>),
    /// the tickets of <paramref name="ccache"/>, naming the server <see cref="ServerFqdn"/> and connecting to 127.0.0.1.</summary>
    public async Task<(int ExitCode, string Output)> SmbClientKerberosAsync(string ccache, string protocol = "SMB3_11", string command = "get " + FileName + " -", IEnumerable<string>? extraOptions = null, bool rc4 = false)
    {
        var arguments = new List<string>
        {
            "-s", "/dev/null",
            $"//{ServerFqdn}/{ShareName}",
            "-I", Host,
            "-p", SmbPort.ToString(CultureInfo.InvariantCulture),
            "--use-kerberos=required",
            "--use-krb5-ccache=" + ccache,
            "-m", protocol,
            $"--option=client min protocol={protocol}",
            "--option=client signing=required",
            "--option=client ipc signing=required",
        };
        foreach (string option in extraOptions ?? [])
        {
            arguments.Add("--option=" + option);
        }

        arguments.Add("-c");
        arguments.Add(command);
        return await ProcessRunner.RunAsync(ToolLocator.Require("smbclient", "smbclient"), arguments, null, TimeSpan.FromSeconds(60), KerberosEnvironment(ccache, rc4)).ConfigureAwait(false);
    }

    /// <summary>The provisioned domain: made once per machine (guarded by a lock file, published by an atomic rename), then reused.</summary>
    private static async Task<string> TemplateAsync(CancellationToken cancellationToken)
    {
        await s_templateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (s_template is not null)
            {
                return s_template;
            }

            (int _, string versionOutput) = await ProcessRunner.RunAsync(ToolLocator.Find("samba")!, ["--version"], null, TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
            string version = new(versionOutput.Trim().Where(c => char.IsAsciiLetterOrDigit(c) || c == '.').ToArray());
            string template = Path.Combine(Path.GetTempPath(), $"smbsign-addc-template-v{TemplateVersion}-{version}");
            string done = Path.Combine(template, "provisioned");
            using (FileStream lockFile = await LockAsync(template + ".lock", cancellationToken).ConfigureAwait(false))
            {
                if (!File.Exists(done))
                {
                    string building = template + ".building-" + Environment.ProcessId;
                    if (Directory.Exists(building))
                    {
                        Directory.Delete(building, recursive: true);
                    }

                    await ProvisionAsync(building, cancellationToken).ConfigureAwait(false);
                    if (Directory.Exists(template))
                    {
                        Directory.Delete(template, recursive: true);
                    }

                    Directory.Move(building, template);
                    await File.WriteAllTextAsync(done, DateTime.UtcNow.ToString("O"), cancellationToken).ConfigureAwait(false);
                }
            }

            s_template = template;
            return template;
        }
        finally
        {
            s_templateLock.Release();
        }
    }

    /// <summary>An exclusive lock on a file shared by every test process on the machine (waits for the holder).</summary>
    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary><c>samba-tool domain provision</c> (no DNS server: clients get the KDC from krb5.conf), then the test user
    /// and the file server SPN on the DC's account, all offline against the new databases.</summary>
    private static async Task ProvisionAsync(string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(target);
        string sambaTool = ToolLocator.Require("samba-tool", "samba-ad-provision");
        (int code, string output) = await ProcessRunner.RunAsync(sambaTool,
        [
            "domain", "provision",
            "--targetdir=" + target,
            "--realm=" + Realm,
            "--domain=" + NetbiosDomain,
            "--server-role=dc",
            "--dns-backend=NONE",
            "--host-name=" + ServerName.ToLowerInvariant(),
            "--host-ip=127.0.0.1",
            "--adminpass=" + AdminPassword,
            "--option=interfaces=127.0.0.1",
            "--option=bind interfaces only=yes",
        ], null, TimeSpan.FromMinutes(5), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"samba-tool domain provision failed ({code}): {Tail(output)}");
        }

        string conf = Path.Combine(target, "etc", "smb.conf");
        foreach (string[] args in new[]
        {
            new[] { "user", "create", UserName, UserPassword },
            ["user", "setexpiry", UserName, "--noexpiry"],
        })
        {
            (code, output) = await ProcessRunner.RunAsync(sambaTool, [.. args, "-s", conf], null, TimeSpan.FromMinutes(2), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                throw new InvalidOperationException($"samba-tool {args[0]} {args[1]} failed ({code}): {Tail(output)}");
            }
        }
    }

    private static async Task<SambaAdDc> StartOnceAsync(string template, SambaAdDcOptions options, CancellationToken cancellationToken)
    {
        string root = Path.Combine(Path.GetTempPath(), "smbsign-addc-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        // cp -a keeps the owners, modes and the NT ACLs (xattrs) of sysvol that provisioning set.
        (int code, string output) = await ProcessRunner.RunAsync("cp", ["-a", Path.Combine(template, "private"), Path.Combine(template, "state"), root], null, TimeSpan.FromMinutes(2), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"copying the provisioned domain failed ({code}): {output}");
        }

        foreach (string sub in new[] { "lock", "cache", "pid", "log", "ncalrpc", "run", "share", "bind-dns" })
        {
            Directory.CreateDirectory(Path.Combine(root, sub));
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(Path.Combine(root, "share"), (UnixFileMode)0b111_111_111);
        }
        await File.WriteAllTextAsync(Path.Combine(root, "share", FileName), FileContent, cancellationToken).ConfigureAwait(false);

        int smbPort = LoopbackPorts.Next();
        int kdcPort = LoopbackPorts.Next();
        int kpasswdPort = LoopbackPorts.Next();
        string confPath = Path.Combine(root, "smb.conf");
        await File.WriteAllTextAsync(confPath, BuildConfig(root, smbPort, kdcPort, kpasswdPort, options), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(root, "krb5.conf"), BuildKrb5Config(kdcPort, rc4: false), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(root, "krb5-rc4.conf"), BuildKrb5Config(kdcPort, rc4: true), cancellationToken).ConfigureAwait(false);

        // smbd maps the users' SIDs through winbindd, whose socket its client library looks for only in /run/samba:
        // samba gets a mount namespace of its own with this instance's run folder on /run/samba.
        Directory.CreateDirectory("/run/samba");
        var log = new StringBuilder();
        var psi = new ProcessStartInfo(ToolLocator.Find("unshare")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            "--mount", "--propagation", "private", "--", "/bin/sh", "-c", "mount --bind \"$1\" /run/samba && shift && exec \"$@\"", "sh",
            Path.Combine(root, "run"), ToolLocator.Find("samba")!, "-s", confPath, "-i", "-M", "single", "--debug-stdout", "-d", "1",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        Process process = Process.Start(psi) ?? throw new InvalidOperationException("could not start samba");
        process.OutputDataReceived += (_, e) => LoopbackPorts.AppendLog(log, e.Data);
        process.ErrorDataReceived += (_, e) => LoopbackPorts.AppendLog(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var dc = new SambaAdDc(root, smbPort, kdcPort, process, log, options);
        try
        {
            await dc.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await dc.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return dc;
    }

    /// <summary>Ready when smbd and the KDC accept connections and winbindd's socket exists (sessions need all three).</summary>
    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        string winbindSocket = Path.Combine(Root, "run", "winbindd", "pipe");
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new DcStartException($"samba exited with {_process.ExitCode}: {Tail(Log)}");
            }

            if (File.Exists(winbindSocket) && await AcceptsAsync(SmbPort, cancellationToken).ConfigureAwait(false)
                && await AcceptsAsync(KdcPort, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new DcStartException($"samba did not listen on smb {SmbPort} / kdc {KdcPort} within {timeout.TotalSeconds} s: {Tail(Log)}");
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Only the services the tests use: smbd (s3fs), the KDC, and winbindd (smbd needs it to map SIDs). No
    /// NetBIOS, LDAP, DNS, RPC endpoint mapper (port 135) or replication, so nothing binds a well-known port.</summary>
    private static string BuildConfig(string root, int smbPort, int kdcPort, int kpasswdPort, SambaAdDcOptions options)
    {
        var sb = new StringBuilder();
        void Line(string name, string value) => sb.Append("  ").Append(name).Append(" = ").Append(value).Append('\n');
        string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
        sb.Append("[global]\n");
        Line("workgroup", NetbiosDomain);
        Line("realm", Realm);
        Line("netbios name", ServerName);
        Line("server role", "active directory domain controller");
        Line("server services", "s3fs, kdc, winbindd");
        Line("interfaces", "127.0.0.1");
        Line("bind interfaces only", "yes");
        Line("private dir", Path.Combine(root, "private"));
        Line("state directory", Path.Combine(root, "state"));
        Line("cache directory", Path.Combine(root, "cache"));
        Line("lock directory", Path.Combine(root, "lock"));
        Line("pid directory", Path.Combine(root, "pid"));
        Line("ncalrpc dir", Path.Combine(root, "ncalrpc"));
        Line("binddns dir", Path.Combine(root, "bind-dns"));
        Line("log file", Path.Combine(root, "log", "log.%m"));
        Line("log level", "1");
        Line("smb ports", Port(smbPort));
        Line("krb5 port", Port(kdcPort));
        Line("kpasswd port", Port(kpasswdPort));
        Line("disable netbios", "yes");
        Line("load printers", "no");
        Line("printcap name", "/dev/null");
        Line("disable spoolss", "yes");
        Line("server signing", options.ServerSigning);
        Line("server min protocol", options.MinProtocol);
        Line("server max protocol", options.MaxProtocol);
        if (options.Smb3SigningAlgorithms is not null)
        {
            Line("server smb3 signing algorithms", options.Smb3SigningAlgorithms);
        }

        foreach ((string name, string value) in options.ExtraGlobal)
        {
            Line(name, value);
        }

        sb.Append("[sysvol]\n");
        Line("path", Path.Combine(root, "state", "sysvol"));
        Line("read only", "no");
        sb.Append("[netlogon]\n");
        Line("path", Path.Combine(root, "state", "sysvol", DnsDomain, "scripts"));
        Line("read only", "no");
        sb.Append('[').Append(ShareName).Append("]\n");
        Line("path", Path.Combine(root, "share"));
        Line("read only", "no");
        return sb.ToString();
    }

    /// <summary>A client krb5.conf for this KDC. TCP only (<c>udp_preference_limit = 1</c>), no DNS (the realm and the
    /// KDC are given), no reverse lookup or canonicalisation (the SPN is the name the client typed).</summary>
    private static string BuildKrb5Config(int kdcPort, bool rc4)
    {
        var sb = new StringBuilder();
        sb.Append("[libdefaults]\n");
        sb.Append("  default_realm = ").Append(Realm).Append('\n');
        sb.Append("  dns_lookup_realm = false\n  dns_lookup_kdc = false\n  rdns = false\n  dns_canonicalize_hostname = false\n");
        sb.Append("  udp_preference_limit = 1\n  forwardable = true\n");
        if (rc4)
        {
            sb.Append("  default_tgs_enctypes = rc4-hmac\n  default_tkt_enctypes = rc4-hmac\n  permitted_enctypes = rc4-hmac aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96\n");
        }

        sb.Append("[realms]\n  ").Append(Realm).Append(" = {\n    kdc = 127.0.0.1:").Append(kdcPort.ToString(CultureInfo.InvariantCulture)).Append("\n  }\n");
        sb.Append("[domain_realm]\n  .").Append(DnsDomain).Append(" = ").Append(Realm).Append("\n  ").Append(DnsDomain).Append(" = ").Append(Realm).Append('\n');
        return sb.ToString();
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone or not killable: nothing more to do for a test fixture.
        }
        finally
        {
            _process.Dispose();
            KillStragglers();
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>smbd starts samba-dcerpcd on demand (\PIPE\winreg) and it leaves the process tree: end every process
    /// whose command line names this instance's smb.conf.</summary>
    private void KillStragglers()
    {
        string marker = ConfigPath;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                string commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(marker, StringComparison.Ordinal))
                {
                    using Process process = Process.GetProcessById(pid);
                    process.Kill();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
    }

    private sealed class DcStartException(string message) : Exception(message);
}

/// <summary>One <see cref="SambaAdDc"/> with default options (mandatory signing, SMB2_02..SMB3_11) for a whole xunit
/// collection or class: <c>[CollectionDefinition("name")] class X : ICollectionFixture&lt;SambaAdDcFixture&gt;</c>.</summary>
public sealed class SambaAdDcFixture : Xunit.IAsyncLifetime
{
    public SambaAdDc Dc { get; private set; } = null!;

    public async Task InitializeAsync() => Dc = await SambaAdDc.StartAsync();

    public async Task DisposeAsync() => await Dc.DisposeAsync();
}
