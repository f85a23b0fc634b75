using System.Text.Json;

namespace SmbSign.Cli.Tests;

public sealed class MatrixCommandTests
{
    [Fact]
    public async Task Matrix_Table_ShowsAllThreeTables()
    {
        CliRun run = await CliHarness.RunAsync(["matrix"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("SMB 2 / SMB 3 (dialect 3.1.1)", run.Output, StringComparison.Ordinal);
        Assert.Contains("SMB1: the \"if client / server agrees\" settings count", run.Output, StringComparison.Ordinal);
        Assert.Contains("SMB1 signing states", run.Output, StringComparison.Ordinal);
        Assert.Contains("fails", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Matrix_Smb2Table_RowsReadAsPublished()
    {
        CliRun run = await CliHarness.RunAsync(["matrix", "--smb2"]);

        string[] lines = run.Output.Split('\n');
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(lines, l => l.Contains("Require=1", StringComparison.Ordinal) && l.Contains("signed", StringComparison.Ordinal) && !l.Contains("not signed", StringComparison.Ordinal) && l.IndexOf("signed", StringComparison.Ordinal) != l.LastIndexOf("signed", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Require=0", StringComparison.Ordinal) && l.Contains("not signed", StringComparison.Ordinal));
        Assert.DoesNotContain("SMB1", run.Output.Replace("SMB1 +", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Matrix_Json_Smb1CellsMatchIssueTable()
    {
        CliRun run = await CliHarness.RunAsync(["matrix", "--smb1", "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement[] tables = [.. doc.RootElement.GetProperty("tables").EnumerateArray()];
        Assert.Equal(["smb1", "smb1-states"], tables.Select(t => t.GetProperty("id").GetString()!).ToArray());
        string[] rows = [.. tables[0].GetProperty("rows").EnumerateArray().Select(r => string.Join(",", r.GetProperty("cells").EnumerateArray().Select(c => c.GetProperty("outcome").GetString())))];
        Assert.Equal(["signed,signed,signed", "signed,signed,not-signed", "signed,not-signed,not-signed"], rows);
        string[] states = [.. tables[1].GetProperty("rows").EnumerateArray().Select(r => string.Join(",", r.GetProperty("cells").EnumerateArray().Select(c => c.GetProperty("outcome").GetString())))];
        Assert.Equal(
            ["not-signed,not-signed,not-signed,fails", "not-signed,not-signed,not-signed,signed", "not-signed,not-signed,signed,signed", "fails,signed,signed,signed"],
            states);
    }

    [Fact]
    public async Task Matrix_Json_Smb2WithDialect_HasAlgorithms()
    {
        CliRun run = await CliHarness.RunAsync(["matrix", "--smb2", "--dialect", "3.0", "--format", "json"]);

        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement table = doc.RootElement.GetProperty("tables")[0];
        JsonElement firstCell = table.GetProperty("rows")[0].GetProperty("cells")[0];
        Assert.Equal("AES-CMAC", firstCell.GetProperty("algorithm").GetString());
        Assert.Equal("3.0", firstCell.GetProperty("dialect").GetString());
        Assert.True(firstCell.GetProperty("signed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, table.GetProperty("rows")[1].GetProperty("cells")[1].GetProperty("algorithm").ValueKind);
    }

    [Theory]
    [InlineData("both filters", new[] { "--smb1", "--smb2" }, "exclude each other")]
    [InlineData("bad dialect", new[] { "--dialect", "smb1" }, "not an SMB 2/3 dialect")]
    [InlineData("dialect with smb1", new[] { "--smb1", "--dialect", "3.0" }, "cannot be combined with --smb1")]
    [InlineData("bad format", new[] { "--format", "csv" }, "csv")]
    public async Task Matrix_BadInput_ExitsTwo(string description, string[] args, string expected)
    {
        CliRun run = await CliHarness.RunAsync(["matrix", .. args]);

        Assert.True(run.ExitCode == ExitCodes.UsageOrInput, description);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }
}
