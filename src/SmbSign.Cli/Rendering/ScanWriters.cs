using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace SmbSign.Cli.Rendering;

/// <summary>Streams scan rows in one format. JSON is an array written element by element, JSONL one object per line,
/// CSV one line per target; the table collects rows (display strings only) and renders at the end.</summary>
internal abstract class ScanWriter
{
    public abstract void Write(ScanRow row);

    public virtual void Complete(ScanSummary summary)
    {
    }

    /// <summary>The writer for <paramref name="format"/>; JSON rows are stamped with <paramref name="time"/> (<see cref="ReportMetadata"/>).</summary>
    public static ScanWriter Create(OutputFormat format, TextWriter output, IAnsiConsole? console, TimeProvider? time = null) => format switch
    {
        OutputFormat.Json => new JsonArrayWriter(output, time ?? TimeProvider.System),
        OutputFormat.Jsonl => new JsonLinesWriter(output, time ?? TimeProvider.System),
        OutputFormat.Csv => new CsvWriter(output),
        _ => new TableWriter(output, console),
    };
}

internal sealed record ScanSummary(long Targets, long Reachable, long RelayTargets, long Errors);

/// <summary>Each row carries <c>generatedAt</c> (when the target was written out) and <c>toolVersion</c>.</summary>
internal sealed class JsonArrayWriter(TextWriter output, TimeProvider time) : ScanWriter
{
    private bool _first = true;

    public override void Write(ScanRow row)
    {
        output.Write(_first ? "[\n" : ",\n");
        _first = false;
        string json = ReportMetadata.Stamp(JsonSerializer.Serialize(row, ScanJsonContext.Default.ScanRow), time);
        output.Write("  ");
        output.Write(json.Replace("\n", "\n  ", StringComparison.Ordinal));
    }

    public override void Complete(ScanSummary summary) => output.Write(_first ? "[]\n" : "\n]\n");
}

/// <summary>Each line carries <c>generatedAt</c> and <c>toolVersion</c>, so a line shipped alone still says when and by what.</summary>
internal sealed class JsonLinesWriter(TextWriter output, TimeProvider time) : ScanWriter
{
    public override void Write(ScanRow row) => output.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(row, ScanJsonLineContext.Default.ScanRow), time));
}

/// <summary>RFC 4180 CSV; column names are the JSON paths; lists are joined with ';'.</summary>
internal sealed class CsvWriter : ScanWriter
{
    public const string Header = "target,port,reachable,smb1.enabled,smb1.signing,smb2.enabled,smb2.dialect,smb2.dialects,smb2.signing,"
        + "smb2.signingAlgorithm,smb2.signingAlgorithms,smb2.cipher,smb2.serverGuid,smb2.mechanisms,smb2.capabilities,"
        + "host.netbiosName,host.dnsName,host.domain,host.osVersion,relayTarget,clientOutcome,error";

    private readonly TextWriter _output;

    public CsvWriter(TextWriter output)
    {
        _output = output;
        _output.WriteLine(Header);
    }

    public override void Write(ScanRow row)
    {
        string?[] fields =
        [
            row.Target, row.Port.ToString(CultureInfo.InvariantCulture), Bool(row.Reachable),
            Bool(row.Smb1.Enabled), row.Smb1.Signing,
            Bool(row.Smb2.Enabled), row.Smb2.Dialect, List(row.Smb2.Dialects), row.Smb2.Signing, row.Smb2.SigningAlgorithm,
            List(row.Smb2.SigningAlgorithms), row.Smb2.Cipher, row.Smb2.ServerGuid, List(row.Smb2.Mechanisms), List(row.Smb2.Capabilities),
            row.Host.NetbiosName, row.Host.DnsName, row.Host.Domain, row.Host.OsVersion,
            Bool(row.RelayTarget), row.ClientOutcome, row.Error is { } e ? $"{e.Kind}: {e.Phase}: {e.Message}" : null,
        ];
        _output.WriteLine(string.Join(',', fields.Select(Escape)));
    }

    private static string? Bool(bool? value) => value is null ? null : value.Value ? "true" : "false";

    private static string? List(IReadOnlyList<string>? values) => values is null ? null : string.Join(';', values);

    private static string Escape(string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return string.Empty;
        }

        // Neutralise spreadsheet formulas from wire-provided names, then quote when needed.
        if (field[0] is '=' or '+' or '-' or '@')
        {
            field = "'" + field;
        }

        return field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }
}

/// <summary>The human table. Signing is spelled "required" / "not required" for SMB1 and SMB2 separately.</summary>
internal sealed class TableWriter(TextWriter output, IAnsiConsole? console) : ScanWriter
{
    private readonly List<string[]> _rows = [];

    public static readonly string[] Columns = ["Target", "SMB1 signing", "SMB2 signing", "Dialect", "Sign alg", "Name", "Relay", "Note"];

    public override void Write(ScanRow row)
    {
        string smb1 = row.Smb1.Enabled switch
        {
            true => row.Smb1.Signing == "required" ? "required" : row.Smb1.Signing is null ? "?" : "not required",
            false => "off",

            // An SMB2 server that does not require signing is probed for SMB1 only with --deep.
            null when row.Error is null && row.Smb2.Enabled == true => "not checked",
            null => "?",
        };
        string smb2 = row.Smb2.Enabled switch
        {
            true => row.Smb2.Signing == "required" ? "required" : row.Smb2.Signing is null ? "?" : "not required",
            false => "off",
            null => "?",
        };
        string target = row.Target.Contains(':', StringComparison.Ordinal) ? $"[{row.Target}]:{row.Port}" : $"{row.Target}:{row.Port}";
        string note = row.Error is { } e ? $"{e.Kind} ({e.Phase})" : row.ClientOutcome ?? string.Empty;
        if (!row.Reachable && row.Error is null)
        {
            note = "unreachable";
        }

        _rows.Add(
        [
            target, row.Reachable ? smb1 : "-", row.Reachable ? smb2 : "-", row.Smb2.Dialect ?? string.Empty, row.Smb2.SigningAlgorithm ?? string.Empty,
            row.Host.NetbiosName is null ? string.Empty : row.Host.Domain is null || row.Host.Domain == row.Host.NetbiosName ? row.Host.NetbiosName : $"{row.Host.Domain}\\{row.Host.NetbiosName}",
            row.RelayTarget switch { true => "YES", false => "no", null => "?" }, note,
        ]);
    }

    public override void Complete(ScanSummary summary)
    {
        string footer = string.Create(
            CultureInfo.InvariantCulture,
            $"{summary.Targets} target(s): {summary.Reachable} reachable, {summary.RelayTargets} relay target(s) (signing not required), {summary.Errors} error(s).");
        if (console is not null)
        {
            var table = new Table().Border(TableBorder.Simple);
            foreach (string column in Columns)
            {
                table.AddColumn(column);
            }

            foreach (string[] row in _rows)
            {
                table.AddRow(row.Select(cell => new Markup(Style(cell))).ToArray());
            }

            console.Write(table);
            console.WriteLine(footer);
            return;
        }

        // Plain text (for -o FILE): fixed-width columns.
        int[] widths = Columns.Select((c, i) => Math.Max(c.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var line = new StringBuilder();
        void Emit(IReadOnlyList<string> cells)
        {
            line.Clear();
            for (int i = 0; i < cells.Count; i++)
            {
                line.Append(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
            }

            output.WriteLine(line.ToString().TrimEnd());
        }

        Emit(Columns);
        Emit(widths.Select(w => new string('-', w)).ToArray());
        foreach (string[] row in _rows)
        {
            Emit(row);
        }

        output.WriteLine(footer);
    }

    private static string Style(string cell)
    {
        string escaped = Markup.Escape(cell);
        return cell.StartsWith("not required", StringComparison.Ordinal) || cell == "YES" ? $"[red]{escaped}[/]"
            : cell == "required" ? $"[green]{escaped}[/]"
            : escaped;
    }
}
