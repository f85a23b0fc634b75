using System.CommandLine;
using SmbSign.Protocol.Errors;
using SmbSign.Reporting.Records;
using SmbSign.Reporting.Store;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>--db FILE|CONNSTRING</c> and <c>--db-password-file FILE</c>: where audit, scan, verify and listen record their run
/// and where history reads. A PostgreSQL password comes from the file, <c>PGPASSWORD</c> or <c>~/.pgpass</c>, never from
/// the command line (a connection string with a password is refused before any work, without echoing it).
/// </summary>
internal sealed class RunStore
{
    /// <summary>Environment variable PostgreSQL clients read the password from (libpq's name).</summary>
    public const string PasswordVariable = "PGPASSWORD";

    public Option<string?> Db { get; } = new("--db")
    {
        Description = "Record this run in the posture store: a SQLite FILE (created when missing) or a PostgreSQL connection string (postgres://user@host:port/db or Host=...;Database=...). The PostgreSQL password comes from --db-password-file, PGPASSWORD or ~/.pgpass, never from the command line.",
        HelpName = "FILE|CONNSTRING",
    };

    public Option<FileInfo?> PasswordFile { get; } = new("--db-password-file")
    {
        Description = "Read the PostgreSQL password for --db from the first line of FILE (otherwise PGPASSWORD, otherwise ~/.pgpass).",
        HelpName = "FILE",
    };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Db);
        command.Options.Add(PasswordFile);
    }

    /// <summary>
    /// The store location, or null without <c>--db</c>. Opens it once (creating and migrating a SQLite file, connecting to
    /// PostgreSQL) so a wrong path, a refused connection or a bad password fails before the command does its work.
    /// </summary>
    public async Task<StoreLocation?> ResolveAsync(CliServices services, ParseResult parseResult, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        string? text = parseResult.GetValue(Db);
        if (text is null)
        {
            if (parseResult.GetValue(PasswordFile) is not null)
            {
                throw new CliException("--db-password-file needs --db (a PostgreSQL connection string).");
            }

            return null;
        }

        StoreLocation location = Parse(services, text, parseResult.GetValue(PasswordFile));
        await using (await OpenAsync(location, mustExist: false, cancellationToken))
        {
        }

        return location;
    }

    /// <summary>Parses <paramref name="text"/> with the password from <paramref name="passwordFile"/> or <c>PGPASSWORD</c>.</summary>
    public static StoreLocation Parse(CliServices services, string text, FileInfo? passwordFile)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(text);
        bool postgres = StoreLocation.IsPostgres(text);
        if (passwordFile is not null && !postgres)
        {
            throw new CliException("--db-password-file is for a PostgreSQL --db; a SQLite file has no password.");
        }

        string? password = null;
        if (postgres)
        {
            password = passwordFile is not null ? ReadPasswordFile(passwordFile) : services.GetEnvironmentVariable(PasswordVariable);
        }

        // A bad value throws StoreException: CliApp prints its one line and exits 2 (ExitCodes.For).
        return StoreLocation.Parse(text, string.IsNullOrEmpty(password) ? null : password);
    }

    /// <summary>Opens the store; a <see cref="StoreException"/> reaches CliApp as a one-line error (exit 2).</summary>
    public static Task<PostureStore> OpenAsync(StoreLocation location, bool mustExist, CancellationToken cancellationToken) =>
        PostureStore.OpenAsync(location, mustExist, cancellationToken);

    /// <summary>
    /// Records the run (one transaction) and says so on stderr. A run that cannot be recorded is an error (exit 2): the
    /// user asked for it to be kept; the report itself was already written.
    /// </summary>
    public static async Task RecordAsync(CliServices services, StoreLocation? location, RunKind kind, string json, IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (location is null)
        {
            return;
        }

        var document = new RunDocument(kind, services.Time.GetUtcNow(), Rendering.ReportMetadata.ToolVersion, json);
        long id;
        try
        {
            await using PostureStore store = await PostureStore.OpenAsync(location, mustExist: false, cancellationToken);

            // The document's own generatedAt is the run's time when it has one (audit, verify, listen documents do).
            if (TryGeneratedAt(json) is { } at)
            {
                document = document with { GeneratedAt = at };
            }

            id = await store.RecordAsync(document, inputs, cancellationToken);
        }
        catch (StoreException e)
        {
            throw new CliException("--db: the run was not recorded: " + e.Message);
        }

        await services.Error.WriteLineAsync($"smbsign: recorded {Reporting.Store.ResultExtractor.Name(kind)} run {id} in {location.Display}");
    }

    /// <summary>"--name value" (or "--flag") for each of <paramref name="options"/> given on the command line: the options
    /// that change what a command observes, kept as the run's inputs so runs are compared only with runs that used the same.</summary>
    public static IEnumerable<string> Given(ParseResult parseResult, params Option[] options)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        foreach (Option option in options)
        {
            if (parseResult.GetResult(option) is { Implicit: false } result)
            {
                yield return result.Tokens.Count == 0 ? option.Name : option.Name + " " + string.Join(' ', result.Tokens.Select(t => t.Value));
            }
        }
    }

    private static DateTimeOffset? TryGeneratedAt(string json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            System.Text.Json.JsonElement root = document.RootElement;
            if (root.ValueKind == System.Text.Json.JsonValueKind.Array)
            {
                root = root.GetArrayLength() > 0 ? root[0] : default;
            }

            return root.ValueKind == System.Text.Json.JsonValueKind.Object
                && root.TryGetProperty(Rendering.ReportMetadata.GeneratedAtName, out System.Text.Json.JsonElement at)
                && at.ValueKind == System.Text.Json.JsonValueKind.String
                && DateTimeOffset.TryParse(at.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed)
                ? parsed
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string ReadPasswordFile(FileInfo file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file.FullName, System.Text.Encoding.UTF8);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            throw new CliException($"--db-password-file: cannot read '{file.FullName}': {e.GetType().Name}");
        }

        int newline = text.IndexOfAny(['\r', '\n']);
        string line = newline < 0 ? text : text[..newline];
        return line.Length == 0 ? throw new CliException($"--db-password-file: the first line of '{file.FullName}' is empty.") : line;
    }
}
