using System.Diagnostics;
using SmbSign.Reporting.History;
using SmbSign.Reporting.Records;
using SmbSign.Reporting.Store;

namespace SmbSign.Reporting.Tests.Store;

/// <summary>
/// The store's behaviour, run against real SQLite (<see cref="SqliteStoreTests"/>) and a real PostgreSQL server started
/// on loopback (<see cref="PostgresStoreTests"/>): the same tests, the same schema.
/// </summary>
public abstract class StoreContractTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A new, empty store's <c>--db</c> text.</summary>
    protected abstract Task<string> NewStoreAsync();

    /// <summary>The password the store needs (null for SQLite).</summary>
    protected abstract string? Password { get; }

    /// <summary>Runs SQL against the store outside the product code (to build a version-1 store by hand).</summary>
    protected abstract Task ExecuteRawAsync(string db, string sql);

    /// <summary>The version-1 schema as the first release wrote it, frozen here on purpose.</summary>
    protected abstract string Version1Ddl { get; }

    private Task<PostureStore> OpenAsync(string db, bool mustExist = false) => PostureStore.OpenAsync(StoreLocation.Parse(db, Password), mustExist);

    [Fact]
    public async Task Record_ThenReopen_KeepsDocumentRowsAndInputs()
    {
        string db = await NewStoreAsync();
        RunDocument audit = TestDocuments.Audit(s_t0, "ws-01", 30);
        long id;
        await using (PostureStore store = await OpenAsync(db))
        {
            Assert.Equal(StoreSchema.CurrentVersion, store.SchemaVersion);
            id = await store.RecordAsync(audit, ["/exports/fleet", "--machine ws-01=a.reg"]);
        }

        await using (PostureStore reopened = await OpenAsync(db, mustExist: true))
        {
            StoredRun run = Assert.Single(await reopened.RunsAsync());
            Assert.Equal(id, run.Id);
            Assert.Equal(RunKind.Audit, run.Kind);
            Assert.Equal(s_t0, run.GeneratedAt);
            Assert.Equal(["/exports/fleet", "--machine ws-01=a.reg"], run.Inputs);
            Assert.Equal(Environment.MachineName, run.RecordedBy);
            RunDocument? document = await reopened.DocumentAsync(id);
            Assert.Equal(audit.Json, document!.Json);
            IReadOnlyList<ResultRow> rows = await reopened.ResultsAsync(id);
            Assert.Equal(30, rows.Count);
            Assert.Equal(10, rows.Count(r => r.Status == "fail"));
            Assert.Contains(new ResultRow("machine", "ws-01", "R0", "fail", "0"), rows);
            Assert.Contains(new ResultRow("machine", "ws-01", "R1", "pass", "1"), rows);
        }
    }

    [Fact]
    public async Task LatestDocuments_OnePerKind_Newest()
    {
        string db = await NewStoreAsync();
        await using PostureStore store = await OpenAsync(db);
        await store.RecordAsync(TestDocuments.Audit(s_t0, "old", 2), ["a"]);
        RunDocument newest = TestDocuments.Audit(s_t0.AddDays(1), "new", 2);
        await store.RecordAsync(newest, ["a"]);
        RunDocument scan = TestDocuments.Scan(s_t0, ("10.0.0.1", 445, true, "required", false));
        await store.RecordAsync(scan, ["10.0.0.1"]);

        IReadOnlyList<RunDocument> latest = await store.LatestDocumentsAsync();
        Assert.Equal([RunKind.Audit, RunKind.Scan], latest.Select(d => d.Kind));
        Assert.Equal(newest.Json, latest[0].Json);
        Assert.Equal(scan.Json, latest[1].Json);
    }

    [Fact]
    public async Task Trend_CountsPassFailPerRulePerRun_AndFleetSeries()
    {
        string db = await NewStoreAsync();
        await using PostureStore store = await OpenAsync(db);
        await store.RecordAsync(TestDocuments.Audit(s_t0, [("a", [("R1", "pass", "1"), ("R2", "pass", "1")]), ("b", [("R1", "fail", "0"), ("R2", "pass", "1")])]), ["f"]);
        await store.RecordAsync(TestDocuments.Audit(s_t0.AddDays(1), [("a", [("R1", "fail", "0"), ("R2", "pass", "1")]), ("b", [("R1", "fail", "0"), ("R2", "error", null)])]), ["f"]);
        await store.RecordAsync(TestDocuments.Scan(s_t0.AddDays(1), ("10.0.0.1", 445, true, "required", false), ("10.0.0.2", 445, true, "enabled", true), ("10.0.0.3", 445, false, null, null)), ["10.0.0.0/29"]);

        IReadOnlyList<TrendPoint> all = await store.TrendAsync();
        Assert.Equal(new TrendPoint(s_t0, RunKind.Audit, "R1", 1, 1, 0), all.Single(p => p.Series == "R1" && p.RunAt == s_t0));
        Assert.Equal(new TrendPoint(s_t0.AddDays(1), RunKind.Audit, "R1", 0, 2, 0), all.Single(p => p.Series == "R1" && p.RunAt == s_t0.AddDays(1)));
        Assert.Equal(new TrendPoint(s_t0.AddDays(1), RunKind.Audit, "R2", 1, 0, 1), all.Single(p => p.Series == "R2" && p.RunAt == s_t0.AddDays(1)));
        Assert.Equal(new TrendPoint(s_t0, RunKind.Audit, "machines", 1, 1, 0), all.Single(p => p.Series == "machines" && p.RunAt == s_t0));
        Assert.Equal(new TrendPoint(s_t0.AddDays(1), RunKind.Audit, "machines", 0, 2, 0), all.Single(p => p.Series == "machines" && p.RunAt == s_t0.AddDays(1)));
        Assert.Equal(new TrendPoint(s_t0.AddDays(1), RunKind.Scan, "servers-signing-required", 1, 1, 0), all.Single(p => p.Series == "servers-signing-required"));
        Assert.Equal(new TrendPoint(s_t0.AddDays(1), RunKind.Scan, "relay-targets", 1, 1, 0), all.Single(p => p.Series == "relay-targets"));

        IReadOnlyList<TrendPoint> since = await store.TrendAsync(s_t0.AddHours(1));
        Assert.DoesNotContain(since, p => p.RunAt == s_t0);
        IReadOnlyList<TrendPoint> one = await store.TrendAsync(null, "A");
        Assert.Equal(new TrendPoint(s_t0.AddDays(1), RunKind.Audit, "R1", 0, 1, 0), one.Single(p => p.Series == "R1" && p.RunAt == s_t0.AddDays(1)));
    }

    [Fact]
    public async Task History_ComparesConsecutiveRunsOfTheSameInputs()
    {
        string db = await NewStoreAsync();
        await using PostureStore store = await OpenAsync(db);
        await store.RecordAsync(TestDocuments.Scan(s_t0, ("10.0.0.1", 445, true, "required", false), ("10.0.0.2", 445, true, "enabled", true), ("10.0.0.3", 445, true, "required", false)), ["net-a"]);
        await store.RecordAsync(TestDocuments.Scan(s_t0.AddMinutes(1), ("10.9.0.1", 445, true, "enabled", true)), ["net-b"]);
        await store.RecordAsync(TestDocuments.Scan(s_t0.AddDays(1), ("10.0.0.1", 445, true, "enabled", true), ("10.0.0.2", 445, true, "required", false), ("10.0.0.3", 445, false, null, null), ("10.0.0.4", 445, true, "enabled", true)), ["net-a"]);

        HistoryComparison comparison = Assert.Single(await PostureHistory.CompareAsync(store, null, null));
        Assert.Equal(["net-a"], comparison.To.Inputs);
        Assert.Equal(
            [
                new HistoryChange(ChangeKind.Regressed, "server", "10.0.0.1:445", "relay-target", "pass", "fail", "false", "true"),
                new HistoryChange(ChangeKind.Regressed, "server", "10.0.0.1:445", "signing-required", "pass", "fail", "smb2=required", "smb2=enabled"),
                new HistoryChange(ChangeKind.Fixed, "server", "10.0.0.2:445", "relay-target", "fail", "pass", "true", "false"),
                new HistoryChange(ChangeKind.Fixed, "server", "10.0.0.2:445", "signing-required", "fail", "pass", "smb2=enabled", "smb2=required"),
                new HistoryChange(ChangeKind.Vanished, "server", "10.0.0.3:445", null, null, null, null, null),
                new HistoryChange(ChangeKind.Appeared, "server", "10.0.0.4:445", null, null, null, null, null),
                new HistoryChange(ChangeKind.Regressed, "server", "10.0.0.4:445", "relay-target", null, "fail", null, "true"),
                new HistoryChange(ChangeKind.Regressed, "server", "10.0.0.4:445", "signing-required", null, "fail", null, "smb2=enabled"),
            ],
            comparison.Changes);
        Assert.Empty(await PostureHistory.CompareAsync(store, s_t0.AddDays(2), null));
        HistoryComparison one = Assert.Single(await PostureHistory.CompareAsync(store, null, "10.0.0.2"));
        Assert.All(one.Changes, c => Assert.Equal("10.0.0.2:445", c.Subject));
        Assert.Equal(2, one.Changes.Count);
    }

    [Fact]
    public async Task Migrate_FromVersion1CreatedByHand_KeepsItsRuns()
    {
        string db = await NewStoreAsync();
        await ExecuteRawAsync(db, Version1Ddl);
        await ExecuteRawAsync(db,
            "INSERT INTO schema_version (version, applied_at) VALUES (1, '2026-01-01T00:00:00.0000000Z');" +
            "INSERT INTO runs (kind, generated_at, tool_version, inputs, document) VALUES ('audit', '2026-01-02T00:00:00.0000000Z', '0.1.0', '[\"old\"]', '{\"machines\":[]}');" +
            "INSERT INTO results (run_id, subject_kind, subject, item, status, value) VALUES (1, 'machine', 'ws-old', 'R1', 'fail', '0');");

        await using PostureStore store = await OpenAsync(db, mustExist: true);
        Assert.Equal(2, store.SchemaVersion);
        StoredRun old = Assert.Single(await store.RunsAsync());
        Assert.Null(old.RecordedBy);
        Assert.Equal(["old"], old.Inputs);
        Assert.Equal([new ResultRow("machine", "ws-old", "R1", "fail", "0")], await store.ResultsAsync(old.Id));

        // The migrated store takes new runs and compares them with the old one.
        await store.RecordAsync(TestDocuments.Audit(s_t0, [("ws-old", [("R1", "pass", "1")])]), ["old"]);
        HistoryChange change = Assert.Single(Assert.Single(await PostureHistory.CompareAsync(store, null, null)).Changes);
        Assert.Equal(ChangeKind.Fixed, change.Change);
    }

    [Fact]
    public async Task Open_StoreFromANewerVersion_IsRefused()
    {
        string db = await NewStoreAsync();
        await using (await OpenAsync(db))
        {
        }

        await ExecuteRawAsync(db, "INSERT INTO schema_version (version, applied_at) VALUES (99, '2030-01-01T00:00:00.0000000Z')");
        StoreException e = await Assert.ThrowsAsync<StoreException>(() => OpenAsync(db));
        Assert.Contains("schema version 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoWriterProcesses_AtOnce_EveryRunWhole()
    {
        string db = await NewStoreAsync();
        await using (await OpenAsync(db))
        {
        }

        Task<(int, string)> a = RunHelperAsync("write", db, 15, 400, "A");
        Task<(int, string)> b = RunHelperAsync("write", db, 15, 400, "B");
        (int codeA, string outA) = await a;
        (int codeB, string outB) = await b;
        Assert.True(codeA == 0, outA);
        Assert.True(codeB == 0, outB);

        await using PostureStore store = await OpenAsync(db, mustExist: true);
        IReadOnlyList<StoredRun> runs = await store.RunsAsync();
        Assert.Equal(30, runs.Count);
        Assert.Equal(15, runs.Count(r => r.Inputs.SequenceEqual(["A"])));
        Assert.Equal(15, runs.Count(r => r.Inputs.SequenceEqual(["B"])));
        foreach (StoredRun run in runs)
        {
            Assert.Equal(400, (await store.ResultsAsync(run.Id)).Count);
        }
    }

    [Fact]
    public async Task WriterKilledMidRun_CommittedRunsIntact_PartialRunAbsent()
    {
        string db = await NewStoreAsync();
        ProcessStartInfo start = HelperStart("crash", db, 3, 5000, "K");
        using Process process = Process.Start(start)!;
        var committed = new List<long>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            while (true)
            {
                string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    Assert.Fail("the writer exited early: " + await process.StandardError.ReadToEndAsync());
                }

                if (line.StartsWith("committed ", StringComparison.Ordinal))
                {
                    committed.Add(long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
                }

                if (line.StartsWith("inside partial", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            // SIGKILL: no finally blocks, no rollback by the writer; the engine must recover on its own.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.Equal(3, committed.Count);
        await using PostureStore store = await OpenAsync(db, mustExist: true);
        IReadOnlyList<StoredRun> runs = await store.RunsAsync();
        Assert.Equal(committed, runs.Select(r => r.Id));
        foreach (StoredRun run in runs)
        {
            Assert.Equal(5000, (await store.ResultsAsync(run.Id)).Count);
        }

        // Nothing of the partial run: no result rows without a committed run.
        Assert.DoesNotContain(await store.TrendAsync(null, "K-partial"), p => p.Passed + p.Failed + p.Other > 0);

        // And the store still takes writes after the crash.
        await store.RecordAsync(TestDocuments.Audit(s_t0, "after", 3), ["K"]);
        Assert.Equal(4, (await store.RunsAsync()).Count);
    }

    private async Task<(int ExitCode, string Output)> RunHelperAsync(string mode, string db, int runs, int rows, string tag)
    {
        using Process process = Process.Start(HelperStart(mode, db, runs, rows, tag))!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    private ProcessStartInfo HelperStart(string mode, string db, int runs, int rows, string tag)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { typeof(Program).Assembly.Location, mode, db, runs.ToString(System.Globalization.CultureInfo.InvariantCulture), rows.ToString(System.Globalization.CultureInfo.InvariantCulture), tag })
        {
            start.ArgumentList.Add(arg);
        }

        if (Password is not null)
        {
            start.Environment["PGPASSWORD"] = Password;
        }

        return start;
    }
}
