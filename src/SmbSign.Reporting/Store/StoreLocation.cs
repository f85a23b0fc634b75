using System.Globalization;
using Npgsql;

namespace SmbSign.Reporting.Store;

/// <summary>Which database engine a store lives in.</summary>
public enum StoreEngine
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// Where the posture store is: a SQLite file (the default) or a PostgreSQL database given as a connection string
/// (<c>postgres://user@host:port/db</c> or <c>Host=...;Database=...</c>). A password is never part of the text the user
/// typed: it comes from <c>PGPASSWORD</c>, a password file, or <c>~/.pgpass</c> (which Npgsql reads itself).
/// </summary>
public sealed class StoreLocation
{
    private StoreLocation(StoreEngine engine, string connectionString, string display)
    {
        Engine = engine;
        ConnectionString = connectionString;
        Display = display;
    }

    public StoreEngine Engine { get; }

    /// <summary>The connection string handed to the driver (may hold the password from the environment; never print it).</summary>
    internal string ConnectionString { get; }

    /// <summary>The SQLite file path, or <c>postgresql://user@host:port/database</c>: safe to print.</summary>
    public string Display { get; }

    /// <summary>True for text that names a PostgreSQL database rather than a SQLite file.</summary>
    public static bool IsPostgres(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || (text.Contains('=', StringComparison.Ordinal) && HasKey(text, "host", "server"));
    }

    /// <summary>
    /// Parses a <c>--db</c> value. <paramref name="password"/> (from a password file or <c>PGPASSWORD</c>) is added to a
    /// PostgreSQL connection string; a password inside <paramref name="text"/> is refused with a message that does not
    /// repeat the text, because it came from the command line where every user of the machine can read it.
    /// </summary>
    public static StoreLocation Parse(string text, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            throw new StoreException("--db: empty; give a SQLite file or a PostgreSQL connection string.");
        }

        if (!IsPostgres(text))
        {
            string full;
            try
            {
                full = Path.GetFullPath(text);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                throw new StoreException($"--db: '{text}' is not a usable file path.", e);
            }

            if (Directory.Exists(full))
            {
                throw new StoreException($"--db: {full} is a folder; give the store's file (it is created when missing).");
            }

            return new StoreLocation(StoreEngine.Sqlite, full, full);
        }

        NpgsqlConnectionStringBuilder builder = text.Contains("://", StringComparison.Ordinal) ? FromUri(text) : FromKeywords(text);
        if (!string.IsNullOrEmpty(password))
        {
            builder.Password = password;
        }

        string display = string.Create(
            CultureInfo.InvariantCulture,
            $"postgresql://{(builder.Username is { Length: > 0 } user ? user + "@" : string.Empty)}{builder.Host}:{builder.Port}/{builder.Database}");
        return new StoreLocation(StoreEngine.PostgreSql, builder.ConnectionString, display);
    }

    private static NpgsqlConnectionStringBuilder FromKeywords(string text)
    {
        if (HasKey(text, "password", "pwd"))
        {
            throw PasswordInArguments();
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException)
        {
            // The driver's message may quote the text; name the problem only.
            throw new StoreException("--db: the PostgreSQL connection string is not valid (expected Key=Value;... with Host, Port, Database, Username; the text is not repeated).");
        }
    }

    /// <summary>postgres://[user@]host[:port][/database][?host=/socket/dir&amp;port=N&amp;sslmode=...]: the libpq URI form.</summary>
    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal) + 3;
        string rest = text[schemeEnd..];
        string query = string.Empty;
        int question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            query = rest[(question + 1)..];
            rest = rest[..question];
        }

        string database = string.Empty;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            database = Uri.UnescapeDataString(rest[(slash + 1)..]);
            rest = rest[..slash];
        }

        var builder = new NpgsqlConnectionStringBuilder();
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            string userInfo = rest[..at];
            rest = rest[(at + 1)..];
            if (userInfo.Contains(':', StringComparison.Ordinal))
            {
                throw PasswordInArguments();
            }

            builder.Username = Uri.UnescapeDataString(userInfo);
        }

        if (rest.Length > 0)
        {
            string host = rest;
            int colon = rest.LastIndexOf(':');
            if (colon > 0 && !rest.EndsWith(']'))
            {
                host = rest[..colon];
                builder.Port = ParsePort(rest[(colon + 1)..]);
            }

            builder.Host = Uri.UnescapeDataString(host.Trim('[', ']'));
        }

        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
            string value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            switch (key)
            {
                case "password":
                    throw PasswordInArguments();
                case "host":
                    builder.Host = value;
                    break;
                case "port":
                    builder.Port = ParsePort(value);
                    break;
                case "user":
                    builder.Username = value;
                    break;
                case "dbname":
                    builder.Database = value;
                    break;
                case "sslmode":
                    builder.SslMode = value.ToLowerInvariant() switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new StoreException($"--db: sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full."),
                    };
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "connect_timeout":
                    builder.Timeout = ParsePositive(value, "connect_timeout");
                    break;
                default:
                    throw new StoreException($"--db: the URI parameter '{key}' is not supported (host, port, user, dbname, sslmode, application_name, connect_timeout).");
            }
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new StoreException("--db: the PostgreSQL URI names no host (postgres://user@host:port/database, or ?host=/socket/dir).");
        }

        return builder;
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535
            ? port
            : throw new StoreException($"--db: port '{text}' is not 1-65535.");

    private static int ParsePositive(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new StoreException($"--db: {name} '{text}' is not a positive number of seconds.");

    private static StoreException PasswordInArguments() => new(
        "--db: the connection string contains a password, and the command line is visible to every user of this machine (ps, /proc); " +
        "remove it and give the password in PGPASSWORD, ~/.pgpass or --db-password-file FILE (the value is not shown).");

    /// <summary>Whether a Key=Value;... string has one of <paramref name="keys"/> (case-insensitive, spaces ignored).</summary>
    private static bool HasKey(string text, params string[] keys)
    {
        foreach (string part in text.Split(';'))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            string key = part[..equals].Replace(" ", string.Empty, StringComparison.Ordinal).Trim();
            foreach (string candidate in keys)
            {
                if (string.Equals(key, candidate, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
