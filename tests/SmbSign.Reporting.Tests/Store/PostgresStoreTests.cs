using SmbSign.Reporting.Store;
using SmbSign.Testing;

namespace SmbSign.Reporting.Tests.Store;

/// <summary>One PostgreSQL server for the class (initdb + pg_ctl on a free loopback port, removed afterwards).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The store contract on a real PostgreSQL server, one database per test, plus the password rules.</summary>
public sealed class PostgresStoreTests(PostgresFixture fixture) : StoreContractTests, IClassFixture<PostgresFixture>
{
    protected override string? Password => PostgresServer.Password;

    protected override string Version1Ddl =>
        "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);" +
        "CREATE TABLE runs (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind TEXT NOT NULL, generated_at TEXT NOT NULL, tool_version TEXT NOT NULL, inputs TEXT NOT NULL, document TEXT NOT NULL);" +
        "CREATE TABLE results (run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, subject_kind TEXT NOT NULL, subject TEXT NOT NULL, item TEXT NOT NULL, status TEXT NOT NULL, value TEXT, PRIMARY KEY (run_id, subject_kind, subject, item));";

    protected override async Task<string> NewStoreAsync()
    {
        string name = "t_" + Guid.NewGuid().ToString("N")[..12];
        await fixture.Server.PsqlAsync($"CREATE DATABASE {name}");
        return $"Host=127.0.0.1;Port={fixture.Server.Port};Username={PostgresServer.User};Database={name}";
    }

    protected override async Task ExecuteRawAsync(string db, string sql)
    {
        string name = db[(db.LastIndexOf('=') + 1)..];
        await fixture.Server.PsqlAsync(sql, name);
    }

    [Fact]
    public async Task Uri_WithoutPassword_ConnectsWithPasswordFromTheCaller()
    {
        string db = await NewStoreAsync();
        string database = db[(db.LastIndexOf('=') + 1)..];
        await using PostureStore store = await PostureStore.OpenAsync(StoreLocation.Parse($"postgres://{PostgresServer.User}@127.0.0.1:{fixture.Server.Port}/{database}", PostgresServer.Password));
        Assert.Equal(StoreSchema.CurrentVersion, store.SchemaVersion);
        Assert.Equal($"postgresql://{PostgresServer.User}@127.0.0.1:{fixture.Server.Port}/{database}", store.Location.Display);
    }

    [Fact]
    public async Task Uri_ThroughTheUnixSocketFolder_Connects()
    {
        string db = await NewStoreAsync();
        string database = db[(db.LastIndexOf('=') + 1)..];
        string uri = $"postgres://{PostgresServer.User}@/{database}?host={Uri.EscapeDataString(fixture.Server.SocketDirectory)}&port={fixture.Server.Port}";
        await using PostureStore store = await PostureStore.OpenAsync(StoreLocation.Parse(uri, PostgresServer.Password));
        Assert.Equal(StoreSchema.CurrentVersion, store.SchemaVersion);
    }

    [Fact]
    public async Task WrongPassword_OneLineError_WithoutThePassword()
    {
        string db = await NewStoreAsync();
        const string wrong = "Not-The-Password-42";
        StoreException e = await Assert.ThrowsAsync<StoreException>(() => PostureStore.OpenAsync(StoreLocation.Parse(db, wrong)));
        Assert.Contains("28P01", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoStoresMigratingANewDatabaseAtOnce_BothSucceed()
    {
        string db = await NewStoreAsync();
        Task<PostureStore>[] opening = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostureStore.OpenAsync(StoreLocation.Parse(db, PostgresServer.Password))))];
        foreach (PostureStore store in await Task.WhenAll(opening))
        {
            Assert.Equal(StoreSchema.CurrentVersion, store.SchemaVersion);
            await store.DisposeAsync();
        }

        string versions = await fixture.Server.PsqlAsync("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version", db[(db.LastIndexOf('=') + 1)..]);
        Assert.Equal("1,2", versions.Trim());
    }
}
