using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace SmbSign.Reporting.Store;

/// <summary>
/// The store's schema and its migrations, one list of SQL steps per version, the same tables in SQLite and PostgreSQL.
/// <c>schema_version</c> holds one row per applied version. Opening a store applies the missing versions in one
/// transaction; two processes opening a new store at once are serialized (SQLite: BEGIN IMMEDIATE, PostgreSQL: an
/// advisory transaction lock), and the second finds the work done. A store newer than this code is refused, not guessed at.
/// </summary>
public static class StoreSchema
{
    /// <summary>The version this code writes.</summary>
    public const int CurrentVersion = 2;

    /// <summary>Key of the PostgreSQL advisory lock taken while migrating ("SMBSIGN1" as bytes).</summary>
    private const long MigrationLockKey = 0x534D425349474E31;

    /// <summary>
    /// Version 1 (the first release): runs and their results. Version 2: <c>runs.recorded_by</c> (the machine that wrote
    /// the run, for stores shared by several scanning machines) and indexes for history queries.
    /// </summary>
    internal static IReadOnlyList<string> Steps(int version, StoreEngine engine) => version switch
    {
        1 =>
        [
            engine == StoreEngine.Sqlite
                ? "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, generated_at TEXT NOT NULL, tool_version TEXT NOT NULL, inputs TEXT NOT NULL, document TEXT NOT NULL)"
                : "CREATE TABLE runs (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind TEXT NOT NULL, generated_at TEXT NOT NULL, tool_version TEXT NOT NULL, inputs TEXT NOT NULL, document TEXT NOT NULL)",
            "CREATE TABLE results (run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, subject_kind TEXT NOT NULL, subject TEXT NOT NULL, item TEXT NOT NULL, status TEXT NOT NULL, value TEXT, PRIMARY KEY (run_id, subject_kind, subject, item))",
        ],
        2 =>
        [
            "ALTER TABLE runs ADD COLUMN recorded_by TEXT",
            "CREATE INDEX runs_kind_time ON runs (kind, generated_at)",
            "CREATE INDEX results_item ON results (item, status)",
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(version)),
    };

    /// <summary>Brings the store to <see cref="CurrentVersion"/>; returns the version found after migrating.</summary>
    internal static async Task<int> MigrateAsync(DbConnection connection, StoreEngine engine, CancellationToken cancellationToken)
    {
        DbTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable transactionScope = transaction.ConfigureAwait(false);
        if (engine == StoreEngine.PostgreSql)
        {
            await ExecuteAsync(connection, transaction, string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({MigrationLockKey})"), cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)", cancellationToken).ConfigureAwait(false);
        int found = await VersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (found > CurrentVersion)
        {
            throw new StoreException($"the store has schema version {found}, newer than this smbsign knows ({CurrentVersion}); use a newer smbsign to read it.");
        }

        for (int version = found + 1; version <= CurrentVersion; version++)
        {
            foreach (string step in Steps(version, engine))
            {
                await ExecuteAsync(connection, transaction, step, cancellationToken).ConfigureAwait(false);
            }

            DbCommand record = connection.CreateCommand();

            await using ConfiguredAsyncDisposable recordScope = record.ConfigureAwait(false);
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES (@version, @applied_at)";
            DbParameter v = record.CreateParameter();
            v.ParameterName = "version";
            v.Value = version;
            record.Parameters.Add(v);
            DbParameter at = record.CreateParameter();
            at.ParameterName = "applied_at";
            at.Value = PostureStore.FormatTime(DateTimeOffset.UtcNow);
            record.Parameters.Add(at);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Math.Max(found, CurrentVersion);
    }

    private static async Task<int> VersionAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        DbCommand command = connection.CreateCommand();
        await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        object? value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? 0 : Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        DbCommand command = connection.CreateCommand();
        await using ConfiguredAsyncDisposable commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
