using System.Diagnostics;
using System.Globalization;

namespace SmbSign.Testing;

/// <summary>
/// A throwaway PostgreSQL server for one test class: <c>initdb</c> into a temp folder, <c>pg_ctl start</c> on a free
/// loopback port with its unix socket in that folder, password authentication (scram-sha-256) for the superuser, stopped
/// and deleted on dispose. As root the server runs as the <c>postgres</c> user (PostgreSQL refuses root) and the folder is
/// handed to it. Fails loudly when Debian's <c>postgresql</c> package is missing (scripts/test.sh installs it).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "smbsign";
    public const string Password = "SmbSign-Pg-Test-1!";
    public const string Database = "postgres";

    private readonly string _bin;
    private readonly bool _asPostgres;

    private PostgresServer(string root, int port, string bin, bool asPostgres)
    {
        Root = root;
        Port = port;
        _bin = bin;
        _asPostgres = asPostgres;
    }

    public string Root { get; }

    public int Port { get; }

    public string DataDirectory => Path.Combine(Root, "data");

    public string SocketDirectory => Path.Combine(Root, "run");

    /// <summary>Key=Value connection string over TCP loopback, without the password.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={User};Database={Database}");

    /// <summary>postgres:// URI over TCP loopback, without the password.</summary>
    public string Uri => string.Create(CultureInfo.InvariantCulture, $"postgres://{User}@127.0.0.1:{Port}/{Database}");

    /// <summary>The newest Debian PostgreSQL bin folder (/usr/lib/postgresql/N/bin), or null.</summary>
    public static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : 0)
                .FirstOrDefault()
            : null;

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        string bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb not found). Run scripts/test.sh as root to install it, or apt-get install postgresql.");
        bool asPostgres = !OperatingSystem.IsWindows() && Environment.UserName == "root";
        string root = Path.Combine(Path.GetTempPath(), "smbsign-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Combine(root, "run"));
        string passwordFile = Path.Combine(root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, Password + "\n", cancellationToken).ConfigureAwait(false);
        var server = new PostgresServer(root, LoopbackPorts.Next(), bin, asPostgres);
        try
        {
            if (asPostgres)
            {
                await server.RunAsync("chown", ["-R", "postgres:postgres", root], asServerUser: false, cancellationToken).ConfigureAwait(false);
            }

            await server.RunAsync(
                Path.Combine(bin, "initdb"),
                ["-D", server.DataDirectory, "-U", User, "--pwfile", passwordFile, "--auth", "scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"],
                asServerUser: true,
                cancellationToken).ConfigureAwait(false);
            File.Delete(passwordFile);
            string options = string.Create(CultureInfo.InvariantCulture, $"-c listen_addresses=127.0.0.1 -c port={server.Port} -c unix_socket_directories={server.SocketDirectory} -c fsync=off");
            await server.RunAsync(
                Path.Combine(bin, "pg_ctl"),
                ["-D", server.DataDirectory, "-l", Path.Combine(root, "server.log"), "-o", options, "-w", "-t", "60", "start"],
                asServerUser: true,
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    /// <summary>What the server logged (for assertion messages).</summary>
    public string Log => File.Exists(Path.Combine(Root, "server.log")) ? File.ReadAllText(Path.Combine(Root, "server.log")) : string.Empty;

    /// <summary>Runs SQL with psql as the superuser (over the unix socket, password from PGPASSWORD); returns its output.</summary>
    public async Task<string> PsqlAsync(string sql, string database = Database, CancellationToken cancellationToken = default) =>
        await RunAsync(Path.Combine(_bin, "psql"), ["-X", "-q", "-A", "-t", "-h", SocketDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql], asServerUser: false, cancellationToken).ConfigureAwait(false);

    private async Task<string> RunAsync(string tool, IReadOnlyList<string> arguments, bool asServerUser, CancellationToken cancellationToken)
    {
        string file = tool;
        IEnumerable<string> args = arguments;
        if (asServerUser && _asPostgres)
        {
            file = ToolLocator.Find("runuser") ?? "/usr/sbin/runuser";
            args = ["-u", "postgres", "--", tool, .. arguments];
        }

        (int code, string output) = await ProcessRunner.RunAsync(
            file, args, null, TimeSpan.FromSeconds(120), new Dictionary<string, string> { ["PGPASSWORD"] = Password }, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(tool)} failed ({code}): {output}\n{Log}");
        }

        return output;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"], asServerUser: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // A server that would not stop: its folder is still removed below; the port is the OS's again when it exits.
            Debug.WriteLine(e.Message);
        }
        finally
        {
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
}
