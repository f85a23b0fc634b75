using Microsoft.Data.Sqlite;
using SmbSign.Reporting.Store;

namespace SmbSign.Reporting.Tests.Store;

/// <summary>The store contract on a real SQLite file, plus what only a file can get wrong.</summary>
public sealed class SqliteStoreTests : StoreContractTests, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "smbsign-store-" + Guid.NewGuid().ToString("N")[..12]);

    public SqliteStoreTests() => Directory.CreateDirectory(_folder);

    protected override string? Password => null;

    protected override string Version1Ddl =>
        "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);" +
        "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, generated_at TEXT NOT NULL, tool_version TEXT NOT NULL, inputs TEXT NOT NULL, document TEXT NOT NULL);" +
        "CREATE TABLE results (run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, subject_kind TEXT NOT NULL, subject TEXT NOT NULL, item TEXT NOT NULL, status TEXT NOT NULL, value TEXT, PRIMARY KEY (run_id, subject_kind, subject, item));";

    protected override Task<string> NewStoreAsync() => Task.FromResult(Path.Combine(_folder, Guid.NewGuid().ToString("N")[..8] + ".db"));

    protected override async Task ExecuteRawAsync(string db, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Open_UsesWriteAheadLog()
    {
        string db = await NewStoreAsync();
        await using (await PostureStore.OpenAsync(StoreLocation.Parse(db)))
        {
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Open_MissingFileForAReader_IsAnErrorNotANewStore()
    {
        string db = Path.Combine(_folder, "typo.db");
        StoreException e = await Assert.ThrowsAsync<StoreException>(() => PostureStore.OpenAsync(StoreLocation.Parse(db), mustExist: true));
        Assert.Contains("no store at", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public async Task Open_FileThatIsNotADatabase_OneLineError()
    {
        string db = Path.Combine(_folder, "notes.txt");
        await File.WriteAllTextAsync(db, new string('x', 4096));
        StoreException e = await Assert.ThrowsAsync<StoreException>(() => PostureStore.OpenAsync(StoreLocation.Parse(db)));
        Assert.Contains("not a SQLite database", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
