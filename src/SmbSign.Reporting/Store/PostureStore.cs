using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Store;

/// <summary>
/// The posture history store: every recorded run (kind, time, tool version, inputs, the whole JSON document) and its
/// normalized results, in SQLite (a file) or PostgreSQL with the same schema (<see cref="StoreSchema"/>). A run is written
/// in one transaction, so a reader sees it whole or not at all, and a writer killed mid-run leaves no trace of it.
/// Several processes may write at once: SQLite in WAL mode with a busy timeout, PostgreSQL with row-level concurrency.
/// </summary>
public sealed class PostureStore : IAsyncDisposable
{
    /// <summary>How long a SQLite writer waits for another process's transaction before giving up.</summary>
    private static readonly TimeSpan s_busyTimeout = TimeSpan.FromSeconds(60);

    private readonly DbConnection _connection;
    private readonly NpgsqlDataSource? _dataSource;

    private PostureStore(StoreLocation location, DbConnection connection, NpgsqlDataSource? dataSource)
    {
        Location = location;
        _connection = connection;
        _dataSource = dataSource;
    }

    public StoreLocation Location { get; }

    /// <summary>The schema version after opening (always <see cref="StoreSchema.CurrentVersion"/>).</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>
    /// Opens (and, unless <paramref name="mustExist"/>, creates) the store and migrates its schema to the current version.
    /// <paramref name="mustExist"/> is for readers: a mistyped file name is an error, not a new empty store.
    /// </summary>
    public static async Task<PostureStore> OpenAsync(StoreLocation location, bool mustExist = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        PostureStore store;
        if (location.Engine == StoreEngine.Sqlite)
        {
            if (mustExist && !File.Exists(location.ConnectionString))
            {
                throw new StoreException($"--db: no store at {location.Display} (a store is created by audit, scan, verify or listen with --db).");
            }

            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = location.ConnectionString,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = (int)s_busyTimeout.TotalSeconds,
                ForeignKeys = true,
            };
            SqliteConnection connection;
            try
            {
                connection = new SqliteConnection(builder.ConnectionString);
            }
            catch (Exception e) when (e is TypeInitializationException or DllNotFoundException)
            {
                // A native build copied without the libe_sqlite3.so that ships beside it.
                throw new StoreException("--db: SQLite is not available: libe_sqlite3.so was not found beside the smbsign executable (install the package, or copy the library with it).", e);
            }

            store = new PostureStore(location, connection, null);
        }
        else
        {
            // The slim builder maps only the basic types this schema uses, and stays free of trimming/AOT warnings.
            NpgsqlDataSource dataSource = new NpgsqlSlimDataSourceBuilder(location.ConnectionString).Build();
            store = new PostureStore(location, dataSource.CreateConnection(), dataSource);
        }

        try
        {
            await store.Guard(async () =>
            {
                await store._connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                if (location.Engine == StoreEngine.Sqlite)
                {
                    // WAL: readers never block the writer and the writer never blocks readers; a crash leaves the last
                    // committed transaction intact. synchronous=FULL: a commit is on disk when RecordAsync returns.
                    await store.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(int)s_busyTimeout.TotalMilliseconds}"), cancellationToken).ConfigureAwait(false);
                    await store.ExecuteAsync("PRAGMA journal_mode = WAL", cancellationToken).ConfigureAwait(false);
                    await store.ExecuteAsync("PRAGMA synchronous = FULL", cancellationToken).ConfigureAwait(false);
                }

                store.SchemaVersion = await StoreSchema.MigrateAsync(store._connection, location.Engine, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return store;
    }

    /// <summary>
    /// Records one run: the document, its inputs and every result row, in one transaction. Returns the run's id.
    /// </summary>
    public Task<long> RecordAsync(RunDocument document, IReadOnlyList<string> inputs, CancellationToken cancellationToken = default) =>
        RecordAsync(document, inputs, null, cancellationToken);

    /// <summary>As <see cref="RecordAsync(RunDocument, IReadOnlyList{string}, CancellationToken)"/>; <paramref name="rowsWritten"/>
    /// is called inside the open transaction after every 1,000 rows (tests kill a writer there).</summary>
    internal async Task<long> RecordAsync(RunDocument document, IReadOnlyList<string> inputs, Action<int>? rowsWritten, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(inputs);
        IReadOnlyList<ResultRow> rows = ResultExtractor.Extract(document);
        return await Guard(async () =>
        {
            DbTransaction transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable transactionScope = transaction.ConfigureAwait(false);
            long runId;
            DbCommand insertRun = Command(
                "INSERT INTO runs (kind, generated_at, tool_version, inputs, document, recorded_by) VALUES (@kind, @generated_at, @tool_version, @inputs, @document, @recorded_by) RETURNING id",
                transaction);
            await using (insertRun.ConfigureAwait(false))
            {
                AddParameter(insertRun, "kind", ResultExtractor.Name(document.Kind));
                AddParameter(insertRun, "generated_at", FormatTime(document.GeneratedAt));
                AddParameter(insertRun, "tool_version", document.ToolVersion);
                AddParameter(insertRun, "inputs", InputsJson(inputs));
                AddParameter(insertRun, "document", document.Json);
                AddParameter(insertRun, "recorded_by", Environment.MachineName);
                runId = Convert.ToInt64(await insertRun.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }

            DbCommand insertRow = Command(
                "INSERT INTO results (run_id, subject_kind, subject, item, status, value) VALUES (@run_id, @subject_kind, @subject, @item, @status, @value)",
                transaction);
            await using (insertRow.ConfigureAwait(false))
            {
                AddParameter(insertRow, "run_id", runId);
                DbParameter subjectKind = AddParameter(insertRow, "subject_kind", string.Empty);
                DbParameter subject = AddParameter(insertRow, "subject", string.Empty);
                DbParameter item = AddParameter(insertRow, "item", string.Empty);
                DbParameter status = AddParameter(insertRow, "status", string.Empty);
                DbParameter value = AddParameter(insertRow, "value", DBNull.Value);
                await insertRow.PrepareAsync(cancellationToken).ConfigureAwait(false);
                int written = 0;
                foreach (ResultRow row in rows)
                {
                    subjectKind.Value = row.SubjectKind;
                    subject.Value = row.Subject;
                    item.Value = row.Item;
                    status.Value = row.Status;
                    value.Value = (object?)row.Value ?? DBNull.Value;
                    await insertRow.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    if (++written % 1000 == 0)
                    {
                        rowsWritten?.Invoke(written);
                    }
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return runId;
        }).ConfigureAwait(false);
    }

    /// <summary>The recorded runs, oldest first, optionally of one kind and from <paramref name="since"/> on.</summary>
    public async Task<IReadOnlyList<StoredRun>> RunsAsync(RunKind? kind = null, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        return await Guard(async () =>
        {
            var sql = new StringBuilder("SELECT id, kind, generated_at, tool_version, inputs, recorded_by FROM runs WHERE 1 = 1");
            DbCommand command = Command(string.Empty, null);
            await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
            if (kind is { } k)
            {
                sql.Append(" AND kind = @kind");
                AddParameter(command, "kind", ResultExtractor.Name(k));
            }

            if (since is { } s)
            {
                sql.Append(" AND generated_at >= @since");
                AddParameter(command, "since", FormatTime(s));
            }

            sql.Append(" ORDER BY generated_at, id");
            command.CommandText = sql.ToString();
            var runs = new List<StoredRun>();
            DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                runs.Add(ReadRun(reader));
            }

            return (IReadOnlyList<StoredRun>)runs;
        }).ConfigureAwait(false);
    }

    /// <summary>The run recorded just before <paramref name="run"/> of the same kind and inputs, or null.</summary>
    public async Task<StoredRun?> PreviousAsync(StoredRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        return await Guard(async () =>
        {
            DbCommand command = Command(
                "SELECT id, kind, generated_at, tool_version, inputs, recorded_by FROM runs WHERE kind = @kind AND inputs = @inputs AND (generated_at < @at OR (generated_at = @at AND id < @id)) ORDER BY generated_at DESC, id DESC LIMIT 1",
                null);
            await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
            AddParameter(command, "kind", ResultExtractor.Name(run.Kind));
            AddParameter(command, "inputs", InputsJson(run.Inputs));
            AddParameter(command, "at", FormatTime(run.GeneratedAt));
            AddParameter(command, "id", run.Id);
            DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRun(reader) : null;
        }).ConfigureAwait(false);
    }

    /// <summary>The result rows of one run.</summary>
    public async Task<IReadOnlyList<ResultRow>> ResultsAsync(long runId, CancellationToken cancellationToken = default)
    {
        return await Guard(async () =>
        {
            DbCommand command = Command("SELECT subject_kind, subject, item, status, value FROM results WHERE run_id = @run_id ORDER BY subject_kind, subject, item", null);
            await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
            AddParameter(command, "run_id", runId);
            var rows = new List<ResultRow>();
            DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new ResultRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
            }

            return (IReadOnlyList<ResultRow>)rows;
        }).ConfigureAwait(false);
    }

    /// <summary>The whole document of one run, or null when there is no such run.</summary>
    public async Task<RunDocument?> DocumentAsync(long runId, CancellationToken cancellationToken = default)
    {
        return await Guard(async () =>
        {
            DbCommand command = Command("SELECT kind, generated_at, tool_version, document FROM runs WHERE id = @id", null);
            await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
            AddParameter(command, "id", runId);
            DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadDocument(reader) : null;
        }).ConfigureAwait(false);
    }

    /// <summary>The newest document of each kind that has one (audit, scan, verify, listen order): what the report shows as "now".</summary>
    public async Task<IReadOnlyList<RunDocument>> LatestDocumentsAsync(CancellationToken cancellationToken = default)
    {
        var documents = new List<RunDocument>();
        foreach (RunKind kind in Enum.GetValues<RunKind>())
        {
            RunDocument? document = await Guard(async () =>
            {
                DbCommand command = Command("SELECT kind, generated_at, tool_version, document FROM runs WHERE kind = @kind ORDER BY generated_at DESC, id DESC LIMIT 1", null);
                await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
                AddParameter(command, "kind", ResultExtractor.Name(kind));
                DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadDocument(reader) : null;
            }).ConfigureAwait(false);
            if (document is not null)
            {
                documents.Add(document);
            }
        }

        return documents;
    }

    /// <summary>
    /// Per run from <paramref name="since"/> on, the pass/fail/other counts of every item (CIS rule ids, aspects) and of
    /// the fleet series <c>machines</c> (audit: machines with no failing item pass), <c>servers-signing-required</c>,
    /// <c>relay-targets</c> (passed = not a relay target), <c>clients-enforcing</c> and <c>clients-requiring</c>.
    /// <paramref name="subject"/> limits the counts to one machine, server or client.
    /// </summary>
    public async Task<IReadOnlyList<TrendPoint>> TrendAsync(DateTimeOffset? since = null, string? subject = null, CancellationToken cancellationToken = default)
    {
        return await Guard(async () =>
        {
            string filter = (since is null ? string.Empty : " AND r.generated_at >= @since") + (subject is null ? string.Empty : " AND LOWER(x.subject) = LOWER(@subject)");
            string sql =
                "SELECT r.generated_at, r.kind, x.item, " +
                "SUM(CASE WHEN x.status = 'pass' THEN 1 ELSE 0 END), SUM(CASE WHEN x.status = 'fail' THEN 1 ELSE 0 END), SUM(CASE WHEN x.status NOT IN ('pass', 'fail') THEN 1 ELSE 0 END) " +
                "FROM runs r JOIN results x ON x.run_id = r.id WHERE x.item <> 'reachable'" + filter +
                " GROUP BY r.id, r.generated_at, r.kind, x.item " +
                "UNION ALL " +
                "SELECT m.generated_at, m.kind, 'machines', SUM(CASE WHEN m.fails = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN m.fails > 0 THEN 1 ELSE 0 END), 0 FROM " +
                "(SELECT r.id AS id, r.generated_at AS generated_at, r.kind AS kind, x.subject AS subject, SUM(CASE WHEN x.status = 'fail' THEN 1 ELSE 0 END) AS fails " +
                "FROM runs r JOIN results x ON x.run_id = r.id WHERE r.kind = 'audit'" + filter + " GROUP BY r.id, r.generated_at, r.kind, x.subject) m " +
                "GROUP BY m.id, m.generated_at, m.kind " +
                "ORDER BY 1, 2, 3";
            DbCommand command = Command(sql, null);
            await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
            if (since is { } s)
            {
                AddParameter(command, "since", FormatTime(s));
            }

            if (subject is not null)
            {
                AddParameter(command, "subject", subject);
            }

            var points = new List<TrendPoint>();
            DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _ = ResultExtractor.TryParseKind(reader.GetString(1), out RunKind kind);
                points.Add(new TrendPoint(
                    ParseTime(reader.GetString(0)),
                    kind,
                    SeriesName(kind, reader.GetString(2)),
                    Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture),
                    Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture),
                    Convert.ToInt32(reader.GetValue(5), CultureInfo.InvariantCulture)));
            }

            return (IReadOnlyList<TrendPoint>)points;
        }).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Fleet-wide names for the aspects (TrendPoint's documented series); CIS rule ids stay as they are.</summary>
    private static string SeriesName(RunKind kind, string item) => (kind, item) switch
    {
        (RunKind.Scan or RunKind.Verify, "signing-required") => "servers-signing-required",
        (RunKind.Scan, "relay-target") => "relay-targets",
        (RunKind.Verify, "enforced") => "servers-enforcing",
        (RunKind.Listen, "enforces") => "clients-enforcing",
        (RunKind.Listen, "requires-signing") => "clients-requiring",
        _ => item,
    };

    /// <summary>UTC, fixed width, so text order is time order in both engines: "2026-12-07T03:04:05.0000000Z".</summary>
    internal static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>The inputs as a compact JSON array of strings: the value runs are grouped by for comparison.</summary>
    internal static string InputsJson(IReadOnlyList<string> inputs)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (string input in inputs)
            {
                writer.WriteStringValue(input);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static IReadOnlyList<string> ParseInputs(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetString() ?? string.Empty)];
    }

    private static StoredRun ReadRun(DbDataReader reader)
    {
        _ = ResultExtractor.TryParseKind(reader.GetString(1), out RunKind kind);
        return new StoredRun(reader.GetInt64(0), kind, ParseTime(reader.GetString(2)), reader.GetString(3), ParseInputs(reader.GetString(4)), reader.IsDBNull(5) ? null : reader.GetString(5));
    }

    private static RunDocument ReadDocument(DbDataReader reader)
    {
        _ = ResultExtractor.TryParseKind(reader.GetString(0), out RunKind kind);
        return new RunDocument(kind, ParseTime(reader.GetString(1)), reader.GetString(2), reader.GetString(3));
    }

    private DbCommand Command(string sql, DbTransaction? transaction)
    {
        DbCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = (int)s_busyTimeout.TotalSeconds;
        return command;
    }

    private static DbParameter AddParameter(DbCommand command, string name, object value)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        parameter.DbType = value switch
        {
            long => DbType.Int64,
            int => DbType.Int32,
            _ => DbType.String,
        };
        command.Parameters.Add(parameter);
        return parameter;
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        DbCommand command = Command(sql, null);
        await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Driver errors become one-line <see cref="StoreException"/>s naming the store (never its password).</summary>
    private async Task Guard(Func<Task> action)
    {
        await Guard(async () =>
        {
            await action().ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
    }

    private async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw new StoreException($"--db {Location.Display}: {(e.SqliteErrorCode == 26 ? "the file is not a SQLite database (not a posture store)" : e.Message)}", e);
        }
        catch (PostgresException e)
        {
            throw new StoreException($"--db {Location.Display}: PostgreSQL error {e.SqlState}: {e.MessageText}", e);
        }
        catch (NpgsqlException e)
        {
            throw new StoreException($"--db {Location.Display}: {e.Message}{(e.InnerException is { } inner ? " (" + inner.Message + ")" : string.Empty)}", e);
        }
    }
}
