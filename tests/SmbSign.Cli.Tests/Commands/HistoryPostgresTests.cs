using System.Text.Json;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Commands;

/// <summary>One PostgreSQL server for the class (started on loopback by the suite).</summary>
public sealed class CliPostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary><c>--db</c> as a PostgreSQL connection string: the password from PGPASSWORD or --db-password-file, never argv.</summary>
public sealed class HistoryPostgresTests(CliPostgresFixture fixture) : IClassFixture<CliPostgresFixture>, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "smbsign-pgcli-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task AuditTwice_IntoPostgres_HistoryReadsIt()
    {
        Directory.CreateDirectory(_folder);
        string export = Path.Combine(_folder, "ws-07.reg");
        await File.WriteAllTextAsync(export, "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n\"RequireSecuritySignature\"=dword:00000001\r\n");
        string passwordFile = Path.Combine(_folder, "pgpass");
        await File.WriteAllTextAsync(passwordFile, PostgresServer.Password + "\n");
        var environment = new Dictionary<string, string> { ["PGPASSWORD"] = PostgresServer.Password };

        // URI form, password from PGPASSWORD.
        CliRun first = await CliHarness.RunAsync(["audit", export, "--os", "win11-23h2-enterprise", "--db", fixture.Server.Uri], environment);
        Assert.True(first.ExitCode is ExitCodes.Findings, first.Error);
        Assert.Contains($"recorded audit run 1 in postgresql://{PostgresServer.User}@127.0.0.1:{fixture.Server.Port}/postgres", first.Error, StringComparison.Ordinal);

        await File.WriteAllTextAsync(export, "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n\"RequireSecuritySignature\"=dword:00000000\r\n");

        // Keyword form, password from --db-password-file (no PGPASSWORD).
        CliRun second = await CliHarness.RunAsync(["audit", export, "--os", "win11-23h2-enterprise", "--db", fixture.Server.ConnectionString, "--db-password-file", passwordFile]);
        Assert.True(second.ExitCode is ExitCodes.Findings, second.Error);

        CliRun history = await CliHarness.RunAsync(["history", "--db", fixture.Server.ConnectionString, "--format", "json"], environment);
        Assert.Equal(ExitCodes.Findings, history.ExitCode);
        using JsonDocument json = JsonDocument.Parse(history.Output);
        JsonElement regressed = Assert.Single(Assert.Single(json.RootElement.GetProperty("comparisons").EnumerateArray().ToList()).GetProperty("regressed").EnumerateArray().ToList());
        Assert.Equal("2.3.8.1", regressed.GetProperty("item").GetString());
        Assert.Equal("ws-07", regressed.GetProperty("subject").GetString());

        // Without any password the server refuses: one line, exit 2, before the audit ran.
        CliRun refused = await CliHarness.RunAsync(["audit", export, "--os", "win11-23h2-enterprise", "--db", fixture.Server.ConnectionString]);
        Assert.Equal(ExitCodes.UsageOrInput, refused.ExitCode);
        Assert.Contains("--db postgresql://", refused.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, refused.Output);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
