using System.Text.Json;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Commands;

/// <summary><c>--db</c> usage errors on every recording command, and history's bad input: exit 2, one line, secrets never echoed.</summary>
public sealed class StoreOptionTests : IDisposable
{
    private const string Secret = "Tr0ub4dor-and-3";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "smbsign-dbopt-" + Guid.NewGuid().ToString("N")[..12]);

    public StoreOptionTests() => Directory.CreateDirectory(_folder);

    public static TheoryData<string[]> Commands => new()
    {
        { ["audit", Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet", "ws-win10-01.reg")] },
        { ["scan", "127.0.0.1:1"] },
        { ["verify", "//127.0.0.1:1/IPC$", "-u", "someone"] },
        { ["listen", "--address", "127.0.0.1", "--port", "0", "--clients", "1", "--duration", "1"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Db_WithPasswordInKeywords_IsRefusedBeforeAnyWork_WithoutEchoingIt(string[] command)
    {
        CliRun run = await CliHarness.RunAsync([.. command, "--db", $"Host=127.0.0.1;Port=1;Username=u;Password={Secret};Database=d"], new Dictionary<string, string> { ["SMBSIGN_PASSWORD"] = "x" });
        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("contains a password", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, run.Error + run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("recorded", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Db_WithPasswordInUri_IsRefused_WithoutEchoingIt(string[] command)
    {
        CliRun run = await CliHarness.RunAsync([.. command, "--db", $"postgres://u:{Secret}@127.0.0.1:1/d"], new Dictionary<string, string> { ["SMBSIGN_PASSWORD"] = "x" });
        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("contains a password", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, run.Error + run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_Db_RecordsEveryItemEvenWithFailuresOnly()
    {
        string db = Path.Combine(_folder, "a.db");
        string export = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet", "ws-win11-23h2-01.reg");
        CliRun run = await CliHarness.RunAsync(["audit", export, "--os", "win11-23h2-enterprise", "--failures-only", "--db", db]);
        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        Assert.Contains($"recorded audit run 1 in {db}", run.Error, StringComparison.Ordinal);
        CliRun all = await CliHarness.RunAsync(["audit", export, "--os", "win11-23h2-enterprise", "--format", "json"]);
        using JsonDocument json = JsonDocument.Parse(all.Output);
        int items = json.RootElement.GetProperty("machines")[0].GetProperty("results").GetArrayLength();

        await using Reporting.Store.PostureStore store = await Reporting.Store.PostureStore.OpenAsync(Reporting.Store.StoreLocation.Parse(db), mustExist: true);
        Reporting.Records.StoredRun stored = Assert.Single(await store.RunsAsync());
        Assert.Equal([Path.GetFullPath(export)], stored.Inputs);
        Assert.Equal(items, (await store.ResultsAsync(stored.Id)).Count);
        Assert.Equal(16, items);
    }

    [Fact]
    public async Task History_WithoutDb_IsAUsageError()
    {
        CliRun run = await CliHarness.RunAsync(["history"]);
        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("give --db", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_MissingStore_IsAnError_AndCreatesNothing()
    {
        string db = Path.Combine(_folder, "typo.db");
        CliRun run = await CliHarness.RunAsync(["history", "--db", db]);
        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("no store at", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public async Task History_NotAStore_OneLineError()
    {
        string file = Path.Combine(_folder, "notes.txt");
        await File.WriteAllTextAsync(file, new string('x', 2048));
        CliRun run = await CliHarness.RunAsync(["history", "--db", file]);
        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.Contains("not a SQLite database", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_BadSince_IsAUsageError()
    {
        string db = Path.Combine(_folder, "s.db");
        CliRun run = await CliHarness.RunAsync(["history", "--db", db, "--since", "last tuesday"]);
        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("--since: 'last tuesday' is not a date", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DbPasswordFile_WithSqlite_IsAUsageError()
    {
        string file = Path.Combine(_folder, "pw");
        await File.WriteAllTextAsync(file, "x\n");
        CliRun run = await CliHarness.RunAsync(["history", "--db", Path.Combine(_folder, "x.db"), "--db-password-file", file]);
        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("--db-password-file is for a PostgreSQL --db", run.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
