using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SmbSign.Testing;

/// <summary>How a test wants its Samba server configured. Values are smb.conf spellings.</summary>
public sealed record SambaServerOptions
{
    /// <summary><c>server signing</c>: default, auto, mandatory, disabled.</summary>
    public string ServerSigning { get; init; } = "auto";

    /// <summary><c>server min protocol</c>: NT1, SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11.</summary>
    public string MinProtocol { get; init; } = "SMB2_02";

    /// <summary><c>server max protocol</c>.</summary>
    public string MaxProtocol { get; init; } = "SMB3_11";

    /// <summary><c>server smb3 signing algorithms</c>, e.g. "AES-128-GMAC" or "HMAC-SHA256"; null keeps Samba's default.</summary>
    public string? Smb3SigningAlgorithms { get; init; }

    /// <summary><c>server smb encrypt</c>; null keeps Samba's default.</summary>
    public string? ServerSmbEncrypt { get; init; }

    /// <summary>Adds a share "public" with <c>guest ok = yes</c> and <c>map to guest = bad user</c>.</summary>
    public bool GuestShare { get; init; }

    /// <summary>Any further [global] parameters, e.g. the lines <c>smbsign fix --target smbconf</c> generated. A parameter
    /// the fixture sets itself (<c>server signing</c>, <c>server min protocol</c>, ...) is replaced, not repeated: names
    /// compare the way Samba compares them (case, spaces and underscores ignored).</summary>
    public IReadOnlyDictionary<string, string> ExtraGlobal { get; init; } = new Dictionary<string, string>();

    /// <summary>Also runs <c>samba-dcerpcd</c> with the winreg and lsarpc services, so <c>\PIPE\winreg</c> answers
    /// (MS-RRP over the registry that <see cref="SambaServer.RegistryAsync"/> seeds).</summary>
    public bool RemoteRegistry { get; init; }
}

/// <summary>A real <c>smbd</c> on 127.0.0.1 at its own high port, with its own smb.conf and state directories in a
/// temp folder, a local user with a known password (pdbedit) and a share with a known file. Stopped and deleted on dispose.</summary>
public sealed class SambaServer : IAsyncDisposable
{
    public const string ShareName = "data";
    public const string FileName = "hello.txt";
    public const string FileContent = "Hello from the SmbSign Samba fixture.\n";
    public const string Password = "SmbSign-Test-1!";
    public const string Workgroup = "SMBSIGNTEST";
    public const string NetbiosName = "SMBSIGNFIX";
    private const string TestUserName = "smbsigntest";

    private readonly Process _process;
    private readonly StringBuilder _log;
    private Process? _rpcProcess;

    private SambaServer(string root, int port, string user, Process process, StringBuilder log, SambaServerOptions options)
    {
        Root = root;
        Port = port;
        User = user;
        _process = process;
        _log = log;
        Options = options;
    }

    public string Root { get; }

    public int Port { get; }

    public string User { get; }

    public SambaServerOptions Options { get; }

    public static string Host => "127.0.0.1";

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public string ConfigPath => Path.Combine(Root, "smb.conf");

    public string SharePath => Path.Combine(Root, "share");

    /// <summary>What smbd printed so far (for assertion messages).</summary>
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

    /// <summary>Throws with a clear message when smbd or pdbedit are missing: Samba-backed tests fail loudly, never pass silently.</summary>
    public static void EnsureInstalled()
    {
        foreach (string tool in new[] { "smbd", "pdbedit" })
        {
            if (ToolLocator.Find(tool) is null)
            {
                throw new InvalidOperationException(
                    $"Samba is not installed ('{tool}' not found on PATH or in /usr/sbin). Run scripts/test.sh as root to install it, or apt-get install samba smbclient.");
            }
        }
    }

    public static async Task<SambaServer> StartAsync(SambaServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SambaServerOptions();
        EnsureInstalled();
        Exception? last = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return await StartOnceAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (SambaStartException e)
            {
                last = e;
            }
        }

        throw new InvalidOperationException("smbd did not start after 3 attempts: " + last?.Message, last);
    }

    private static async Task<SambaServer> StartOnceAsync(SambaServerOptions options, CancellationToken cancellationToken)
    {
        string root = Path.Combine(Path.GetTempPath(), "smbsign-samba-" + Guid.NewGuid().ToString("N")[..12]);
        foreach (string sub in new[] { "lock", "state", "cache", "private", "pid", "log", "ncalrpc", "share" })
        {
            Directory.CreateDirectory(Path.Combine(root, sub));
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(Path.Combine(root, "share"), (UnixFileMode)0b111_111_111);
        }

        await File.WriteAllTextAsync(Path.Combine(root, "share", FileName), FileContent, cancellationToken).ConfigureAwait(false);
        string user = await EnsureUserAsync(cancellationToken).ConfigureAwait(false);
        int port = LoopbackPorts.Next();
        string conf = BuildConfig(root, port, options);
        string confPath = Path.Combine(root, "smb.conf");
        await File.WriteAllTextAsync(confPath, conf, cancellationToken).ConfigureAwait(false);

        (int code, string output) = await ProcessRunner.RunAsync(
            ToolLocator.Find("pdbedit")!, ["-s", confPath, "-a", "-u", user, "-t"], $"{Password}\n{Password}\n", TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"pdbedit failed ({code}): {output}");
        }

        var log = new StringBuilder();
        var psi = new ProcessStartInfo(ToolLocator.Find("smbd")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // A winbindd on the host (an AD DC's, at /run/samba/winbindd) would otherwise map this standalone server's SIDs
        // to its own uid range and every logon fails; _NO_WINBINDD makes libwbclient ignore it.
        psi.Environment["_NO_WINBINDD"] = "1";
        foreach (string arg in new[] { "-s", confPath, "-F", "--no-process-group", "--debug-stdout", "-d", "1" })
        {
            psi.ArgumentList.Add(arg);
        }

        // A standalone server maps its local users itself; with winbind on, smbd would ask any winbindd listening on the
        // machine's default socket (e.g. a Samba AD DC started by another test) and get that domain's ids instead.
        psi.Environment["_NO_WINBINDD"] = "1";

        Process process = Process.Start(psi) ?? throw new InvalidOperationException("could not start smbd");
        process.OutputDataReceived += (_, e) => LoopbackPorts.AppendLog(log, e.Data);
        process.ErrorDataReceived += (_, e) => LoopbackPorts.AppendLog(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new SambaServer(root, port, user, process, log, options);
        try
        {
            await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
            if (options.RemoteRegistry)
            {
                await server.StartRpcServicesAsync(confPath, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    /// <summary>smbd forwards named pipes to samba-dcerpcd (Samba 4.16+); started here with only winreg and lsarpc
    /// (<c>net rpc</c> opens lsarpc first), listening on this fixture's own ncalrpc directory.</summary>
    private async Task StartRpcServicesAsync(string confPath, CancellationToken cancellationToken)
    {
        string dcerpcd = ToolLocator.Find("samba-dcerpcd") ?? "/usr/libexec/samba/samba-dcerpcd";
        string libexec = Path.GetDirectoryName(dcerpcd)!;
        if (!File.Exists(dcerpcd))
        {
            throw new InvalidOperationException("samba-dcerpcd not found (" + dcerpcd + "); install the samba package");
        }

        var psi = new ProcessStartInfo(dcerpcd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["_NO_WINBINDD"] = "1";
        foreach (string arg in new[] { "-s", confPath, "-F", "--no-process-group", "--debug-stdout", "-d", "1", Path.Combine(libexec, "rpcd_winreg"), Path.Combine(libexec, "rpcd_lsad") })
        {
            psi.ArgumentList.Add(arg);
        }

        _rpcProcess = Process.Start(psi) ?? throw new InvalidOperationException("could not start samba-dcerpcd");
        _rpcProcess.OutputDataReceived += (_, e) => LoopbackPorts.AppendLog(_log, e.Data);
        _rpcProcess.ErrorDataReceived += (_, e) => LoopbackPorts.AppendLog(_log, e.Data);
        _rpcProcess.BeginOutputReadLine();
        _rpcProcess.BeginErrorReadLine();

        // Ready when the winreg pipe socket exists (samba-dcerpcd creates it under ncalrpc/np once listening).
        string socket = Path.Combine(Root, "ncalrpc", "np", "winreg");
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(socket) && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_rpcProcess.HasExited)
            {
                throw new SambaStartException($"samba-dcerpcd exited with {_rpcProcess.ExitCode}: {Log}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Changes <c>server signing</c> in this server's smb.conf and makes smbd reload it (SIGHUP); connections made after
    /// this return see the new value (smbd forks each connection from the reloaded parent). Same port, same name: to a
    /// scanner this is the same server reconfigured.
    /// </summary>
    public async Task SetServerSigningAsync(string value, CancellationToken cancellationToken = default)
    {
        string[] lines = await File.ReadAllLinesAsync(ConfigPath, cancellationToken).ConfigureAwait(false);
        int changed = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("server signing =", StringComparison.Ordinal))
            {
                lines[i] = "  server signing = " + value;
                changed++;
            }
        }

        if (changed != 1)
        {
            throw new InvalidOperationException($"smb.conf has {changed} 'server signing' lines; expected 1");
        }

        await File.WriteAllTextAsync(ConfigPath, string.Join('\n', lines) + "\n", cancellationToken).ConfigureAwait(false);
        (int code, string output) = await ProcessRunner.RunAsync(
            "kill", ["-HUP", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], null, TimeSpan.FromSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"kill -HUP smbd failed ({code}): {output}");
        }
    }

    /// <summary>Runs <c>net -s SMB.CONF registry ARGS...</c> (createkey, setvalue, deletevalue, setsd_sddl…) against this
    /// server's registry.tdb and returns its output; throws when net fails.</summary>
    public async Task<string> RegistryAsync(params string[] arguments)
    {
        string net = ToolLocator.Find("net") ?? "net";
        (int code, string output) = await ProcessRunner.RunAsync(net, ["-s", ConfigPath, "registry", .. arguments], null, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return code == 0 ? output : throw new InvalidOperationException($"net registry {string.Join(' ', arguments)} failed ({code}): {output}");
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new SambaStartException($"smbd exited with {_process.ExitCode}: {Log}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
                if (ListenerIsOurs())
                {
                    return;
                }

                // Something else holds the port (another fixture's listener took it between LoopbackPorts.Next and smbd's bind):
                // our smbd will fail to bind and exit, and the start is retried on a new port.
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new SambaStartException($"smbd did not listen on port {Port} within {timeout.TotalSeconds} s: {Log}");
    }

    private static string BuildConfig(string root, int port, SambaServerOptions options)
    {
        var sb = new StringBuilder();
        void Write(string name, string value) => sb.Append("  ").Append(name).Append(" = ").Append(value).Append('\n');
        HashSet<string> overridden = [.. options.ExtraGlobal.Keys.Select(CanonicalParameter)];
        void Line(string name, string value)
        {
            if (!overridden.Contains(CanonicalParameter(name)))
            {
                Write(name, value);
            }
        }

        sb.Append("[global]\n");
        Line("workgroup", Workgroup);
        Line("netbios name", NetbiosName);
        Line("server role", "standalone server");
        Line("security", "user");
        Line("passdb backend", "tdbsam:" + Path.Combine(root, "private", "passdb.tdb"));
        Line("lock directory", Path.Combine(root, "lock"));
        Line("state directory", Path.Combine(root, "state"));
        Line("cache directory", Path.Combine(root, "cache"));
        Line("private dir", Path.Combine(root, "private"));
        Line("pid directory", Path.Combine(root, "pid"));
        Line("ncalrpc dir", Path.Combine(root, "ncalrpc"));
        // A private winbindd socket directory (which nothing listens on): otherwise smbd asks whatever winbindd serves the
        // default socket, e.g. a Samba AD DC started by another test, and maps our local user to that domain's ids.
        Line("winbindd socket directory", Path.Combine(root, "winbindd"));
        Line("log file", Path.Combine(root, "log", "log.%m"));
        Line("log level", "1");
        Line("smb ports", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Line("interfaces", "127.0.0.1");
        Line("bind interfaces only", "yes");
        Line("disable netbios", "yes");
        Line("load printers", "no");
        Line("printcap name", "/dev/null");
        Line("disable spoolss", "yes");
        Line("rpc start on demand helpers", "false");
        Line("usershare path", string.Empty);
        Line("server signing", options.ServerSigning);
        Line("server min protocol", options.MinProtocol);
        Line("server max protocol", options.MaxProtocol);
        Line("map to guest", options.GuestShare ? "bad user" : "never");
        if (options.Smb3SigningAlgorithms is not null)
        {
            Line("server smb3 signing algorithms", options.Smb3SigningAlgorithms);
        }

        if (options.ServerSmbEncrypt is not null)
        {
            Line("server smb encrypt", options.ServerSmbEncrypt);
        }

        foreach ((string name, string value) in options.ExtraGlobal)
        {
            Write(name, value);
        }

        sb.Append('[').Append(ShareName).Append("]\n");
        Write("path", Path.Combine(root, "share"));
        Write("read only", "no");
        if (options.GuestShare)
        {
            sb.Append("[public]\n");
            Write("path", Path.Combine(root, "share"));
            Write("guest ok", "yes");
            Write("read only", "yes");
        }

        return sb.ToString();
    }

    /// <summary>Samba ignores case, spaces and underscores in parameter names ("Server Signing" = "serversigning").</summary>
    private static string CanonicalParameter(string name) =>
        new(name.Where(c => !char.IsWhiteSpace(c) && c != '_').Select(char.ToLowerInvariant).ToArray());

    /// <summary>
    /// On Linux, whether the socket listening on 127.0.0.1:<see cref="Port"/> belongs to our smbd (its inode in
    /// /proc/net/tcp is one of the process's descriptors), so tests never talk to another fixture's server. Elsewhere true.
    /// </summary>
    private bool ListenerIsOurs()
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        string local = "0100007F:" + Port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        string? inode = null;
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 9 && fields[1] == local && fields[3] == "0A")
            {
                inode = fields[9];
                break;
            }
        }

        if (inode is null)
        {
            return false;
        }

        string socket = "socket:[" + inode + "]";
        try
        {
            return new DirectoryInfo($"/proc/{_process.Id}/fd").EnumerateFileSystemInfos().Any(fd => fd.LinkTarget == socket);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static readonly SemaphoreSlim s_userLock = new(1, 1);

    private static async Task<string> EnsureUserAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows() || Environment.UserName != "root")
        {
            return Environment.UserName;
        }

        await s_userLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            (int exists, _) = await ProcessRunner.RunAsync("id", [TestUserName], null, TimeSpan.FromSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (exists != 0)
            {
                string useradd = ToolLocator.Find("useradd") ?? "useradd";
                (int code, string output) = await ProcessRunner.RunAsync(useradd, ["-M", "-s", "/usr/sbin/nologin", TestUserName], null, TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (code != 0 && code != 9)
                {
                    throw new InvalidOperationException($"useradd {TestUserName} failed ({code}): {output}");
                }
            }

            return TestUserName;
        }
        finally
        {
            s_userLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_rpcProcess is { HasExited: false })
            {
                _rpcProcess.Kill(entireProcessTree: true);
                using var rpcWait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _rpcProcess.WaitForExitAsync(rpcWait.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
        }
        finally
        {
            _rpcProcess?.Dispose();
        }

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

    private sealed class SambaStartException(string message) : Exception(message);
}
