using SmbSign.Cli.Rendering;
using Spectre.Console;

namespace SmbSign.Cli.Tests.Commands;

/// <summary>The scan table: one line per target whatever the width, streamed, COLUMNS honoured, and signing spelled so
/// that "not required", "disabled" and "no SMB1/2" are told apart.</summary>
public sealed class ScanTableTests
{
    /// <summary>Redirected output, where Spectre falls back to 80 columns: before, a row was wrapped inside its tokens
    /// ("127.0.0." / "1:4452").</summary>
    [Fact]
    public async Task Piped_80ColumnConsole_OneLinePerTarget_TokensWhole()
    {
        (int exit, string output) = await RunAsync(["scan", "127.0.0.1:1", "127.0.0.1:4452", "127.0.0.2:1"], width: 80);

        Assert.Equal(ExitCodes.Success, exit);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2 + 3 + 1, lines.Length);
        Assert.StartsWith("Target ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("127.0.0.1:1 ", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("127.0.0.1:4452 ", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("127.0.0.2:1 ", lines[4], StringComparison.Ordinal);
        Assert.All(lines[2..5], l => Assert.Contains("refused (connect)", l, StringComparison.Ordinal));
        Assert.StartsWith("3 target(s): 0 reachable", lines[5], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("40", 40)]
    [InlineData("300", null)]
    public async Task Columns_Honoured_LinesCutNeverWrapped(string columns, int? expectedMax)
    {
        (_, string output) = await RunAsync(["scan", "127.0.0.1:1", "127.0.0.1:4452"], width: 80, columns: columns);

        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2 + 2 + 1, lines.Length);
        if (expectedMax is { } max)
        {
            Assert.All(lines[..4], l => Assert.True(l.Length <= max, $"'{l}' is {l.Length} > {max}"));
            Assert.EndsWith("…", lines[2], StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("refused (connect)", lines[2], StringComparison.Ordinal);
            Assert.DoesNotContain("…", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Writer_StreamsEachRowBeforeTheEnd()
    {
        var output = new StringWriter();
        var writer = new TableWriter(output);

        writer.Write(Row(smb1Enabled: true, smb1Signing: "disabled", smb2Enabled: false, smb2Signing: null));
        string afterFirstRow = output.ToString();
        writer.Complete(new ScanSummary(1, 1, 1, 0));

        Assert.Contains("10.0.0.1:445", afterFirstRow, StringComparison.Ordinal);
        Assert.DoesNotContain("target(s)", afterFirstRow, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "disabled", false, null, "disabled", "no SMB2")]
    [InlineData(true, "enabled", false, null, "not required", "no SMB2")]
    [InlineData(true, "required", false, null, "required", "no SMB2")]
    [InlineData(false, null, true, "enabled", "no SMB1", "not required")]
    [InlineData(false, null, true, "required", "no SMB1", "required")]
    [InlineData(null, null, true, "enabled", "not checked", "not required")]
    public void Cells_SigningSpelledAsNmapTellsItApart(bool? smb1Enabled, string? smb1Signing, bool? smb2Enabled, string? smb2Signing, string smb1Cell, string smb2Cell)
    {
        string[] cells = TableWriter.Cells(Row(smb1Enabled, smb1Signing, smb2Enabled, smb2Signing));

        Assert.Equal(smb1Cell, cells[1]);
        Assert.Equal(smb2Cell, cells[2]);
    }

    [Fact]
    public void Writer_WireNameWithLineBreak_StillOneLine()
    {
        var output = new StringWriter();
        var writer = new TableWriter(output);

        writer.Write(Row(true, "enabled", false, null) with { Host = new ScanHostRow("EVIL\nNAME", null, null, null) });

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("EVIL NAME", lines[2], StringComparison.Ordinal);
    }

    private static ScanRow Row(bool? smb1Enabled, string? smb1Signing, bool? smb2Enabled, string? smb2Signing) => new(
        "10.0.0.1",
        445,
        true,
        new ScanSmb1Row(smb1Enabled, smb1Signing),
        new ScanSmb2Row(smb2Enabled, smb2Enabled == true ? "3.1.1" : null, null, smb2Signing, null, null, null, null, null, null),
        new ScanHostRow(null, null, null, null),
        true,
        null,
        null);

    private static async Task<(int Exit, string Output)> RunAsync(string[] args, int width, string? columns = null)
    {
        var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        var services = new CliServices
        {
            Console = console,
            Out = output,
            Error = new StringWriter(),
            GetEnvironmentVariable = name => name == "COLUMNS" ? columns : null,
        };
        int exit = await CliApp.RunAsync(args, services);
        return (exit, output.ToString());
    }
}
