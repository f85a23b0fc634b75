using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;
using Spectre.Console;

namespace SmbSign.Cli.Rendering;

/// <summary>Console and JSON output of <c>smbsign matrix</c>.</summary>
internal static class MatrixRendering
{
    public static void Write(IAnsiConsole console, IEnumerable<OutcomeTable> tables)
    {
        foreach (OutcomeTable t in tables)
        {
            Table table = new Table().Border(TableBorder.Rounded).Title("[bold]" + Markup.Escape(t.Title) + "[/]")
                .AddColumn(Markup.Escape("Client \\ Server"));
            foreach (string column in t.Columns)
            {
                table.AddColumn(Markup.Escape(column));
            }

            foreach (OutcomeTableRow row in t.Rows)
            {
                table.AddRow([Markup.Escape(row.Label), .. row.Cells.Select(Cell)]);
            }

            console.Write(table);
            console.MarkupLine(Markup.Escape($"  Rows: {t.RowHeader}. Columns: {t.ColumnHeader}."));
            foreach (string note in t.Notes)
            {
                console.MarkupLine("  • " + Markup.Escape(note));
            }

            console.WriteLine();
        }
    }

    public static MatrixReportJson ToJson(IEnumerable<OutcomeTable> tables) => new([.. tables.Select(t => new MatrixTableJson(
        t.Id,
        t.Title,
        t.RowHeader,
        t.ColumnHeader,
        [.. t.Columns],
        [.. t.Rows.Select(r => new MatrixRowJson(r.Label, [.. r.Cells.Select(c => new MatrixCellJson(
            c.Result.ToDisplayString(),
            c.Signed,
            c.Dialect.ToDisplayString(),
            c.Algorithm?.ToDisplayString(),
            [.. c.DecidedBy],
            c.FailureReason))]))],
        [.. t.Notes]))]);

    private static string Cell(SigningOutcome outcome) => outcome.Result switch
    {
        SigningResult.Signed => "[green]signed[/]",
        SigningResult.NotSigned => "[yellow]not signed[/]",
        _ => "[red]fails[/]",
    };
}

internal sealed record MatrixReportJson(IReadOnlyList<MatrixTableJson> Tables);

internal sealed record MatrixTableJson(string Id, string Title, string RowHeader, string ColumnHeader, IReadOnlyList<string> Columns, IReadOnlyList<MatrixRowJson> Rows, IReadOnlyList<string> Notes);

internal sealed record MatrixRowJson(string Label, IReadOnlyList<MatrixCellJson> Cells);

internal sealed record MatrixCellJson(string Outcome, bool Signed, string Dialect, string? Algorithm, IReadOnlyList<string> DecidedBy, string? FailureReason);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MatrixReportJson))]
internal sealed partial class MatrixJsonContext : JsonSerializerContext
{
    /// <summary>Like <see cref="Default"/> but leaves quotes, '§' and other non-ASCII text unescaped (stdout is UTF-8 JSON, never HTML).</summary>
    public static MatrixJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
