using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmbSign.Cli.Rendering;

/// <summary>Streams scan rows in one format. JSON is an array written element by element, JSONL one object per line,
/// CSV one line per target, the table one fixed-width line per target: nothing is collected, memory stays flat.</summary>
internal abstract class ScanWriter
{
    public abstract void Write(ScanRow row);

    public virtual void Complete(ScanSummary summary)
    {
    }

    /// <param name="format">The output format.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="maxWidth">Table only: cut lines longer than this; null never cuts.</param>
    /// <param name="color">Table only: colour the verdicts.</param>
    /// <param name="time">JSON rows are stamped with this clock (<see cref="ReportMetadata"/>); null is the system clock.</param>
    public static ScanWriter Create(OutputFormat format, TextWriter output, int? maxWidth = null, bool color = false, TimeProvider? time = null) => format switch
    {
        OutputFormat.Json => new JsonArrayWriter(output, time ?? TimeProvider.System),
        OutputFormat.Jsonl => new JsonLinesWriter(output, time ?? TimeProvider.System),
        OutputFormat.Csv => new CsvWriter(output),
        _ => new TableWriter(output, maxWidth, color),
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

/// <summary>The human table, streamed: the header first, then one line per target as it completes, then the summary,
/// so memory stays flat however many targets there are (like jsonl). Every row is exactly one line: columns have fixed
/// widths (a longer value pushes the rest of its line right; it is never wrapped), and when a width is known (COLUMNS,
/// or the terminal's width) a line longer than it is cut at the end with "…", never broken onto a second line.
/// Signing per family is spelled as nmap's smb-security-mode / smb2-security-mode tell it apart: "required",
/// "not required" (signing enabled, not required), "disabled" (signing disabled); "no SMB1" / "no SMB2" when the
/// server does not speak that family.</summary>
internal sealed class TableWriter : ScanWriter
{
    public static readonly string[] Columns = ["Target", "SMB1 signing", "SMB2 signing", "Relay", "Dialect", "Sign alg", "Name", "Note"];

    /// <summary>Every value of the signing, relay, dialect and algorithm columns fits; Target fits an IPv4 address with a
    /// port, Name a NetBIOS name. The first six columns fit in 80 characters, so a cut line keeps the verdicts.</summary>
    private static readonly int[] s_widths = [21, 12, 12, 5, 7, 11, 15, 0];

    private const string Red = "\u001b[31m";
    private const string Green = "\u001b[32m";
    private const string Reset = "\u001b[0m";

    private readonly TextWriter _output;
    private readonly int? _maxWidth;
    private readonly bool _color;
    private readonly StringBuilder _line = new();

    /// <param name="output">Where lines go.</param>
    /// <param name="maxWidth">Cut lines longer than this (COLUMNS or the terminal width); null never cuts.</param>
    /// <param name="color">Colour the verdict cells with ANSI escapes (a colour terminal only).</param>
    public TableWriter(TextWriter output, int? maxWidth = null, bool color = false)
    {
        _output = output;
        _maxWidth = maxWidth is > 0 ? maxWidth : null;
        _color = color;
        Emit(Columns, header: true);
        Emit([.. s_widths.Select((w, i) => new string('-', Math.Max(w, Columns[i].Length)))], header: true);
    }

    public override void Write(ScanRow row) => Emit(Cells(row), header: false);

    public override void Complete(ScanSummary summary) => _output.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{summary.Targets} target(s): {summary.Reachable} reachable, {summary.RelayTargets} relay target(s) (signing not required), {summary.Errors} error(s)."));

    /// <summary>The display cells of one row, in <see cref="Columns"/> order.</summary>
    public static string[] Cells(ScanRow row)
    {
        string smb1 = row.Smb1.Enabled switch
        {
            true => Signing(row.Smb1.Signing),
            false => "no SMB1",

            // An SMB2 server that does not require signing is a relay target whatever SMB1 says: SMB1 is asked only with --deep.
            null when row.Error is null && row.Smb2.Enabled == true => "not checked",
            null => "?",
        };
        string smb2 = row.Smb2.Enabled switch
        {
            true => Signing(row.Smb2.Signing),
            false => "no SMB2",
            null => "?",
        };
        string target = row.Target.Contains(':', StringComparison.Ordinal) ? $"[{row.Target}]:{row.Port}" : $"{row.Target}:{row.Port}";
        string note = row.Error is { } e ? $"{e.Kind} ({e.Phase})" : row.ClientOutcome is { } outcome ? "client: " + outcome : string.Empty;
        if (!row.Reachable && row.Error is null)
        {
            note = "unreachable";
        }

        return
        [
            target, row.Reachable ? smb1 : "-", row.Reachable ? smb2 : "-",
            row.RelayTarget switch { true => "YES", false => "no", null => "?" },
            row.Smb2.Dialect ?? string.Empty, row.Smb2.SigningAlgorithm ?? string.Empty,
            row.Host.NetbiosName is null ? string.Empty : row.Host.Domain is null || row.Host.Domain == row.Host.NetbiosName ? row.Host.NetbiosName : $"{row.Host.Domain}\\{row.Host.NetbiosName}",
            note,
        ];
    }

    private static string Signing(string? state) => state switch
    {
        "required" => "required",
        "enabled" => "not required",
        "disabled" => "disabled",
        _ => "?",
    };

    private void Emit(string[] cells, bool header)
    {
        _line.Clear();
        for (int i = 0; i < cells.Length; i++)
        {
            // No line breaks or control characters from the wire inside a cell: one row, one line.
            string cell = Clean(cells[i]);
            _line.Append(cell);
            if (i < cells.Length - 1)
            {
                _line.Append(' ', Math.Max(Math.Max(s_widths[i], Columns[i].Length) - cell.Length, 0) + 2);
            }
        }

        string text = _line.ToString().TrimEnd();
        if (_maxWidth is { } max && text.Length > max)
        {
            text = max > 1 ? string.Concat(text.AsSpan(0, max - 1), "…") : "…";
        }

        _output.WriteLine(_color && !header ? Colour(text) : text);
    }

    private static string Clean(string cell)
    {
        if (!cell.Any(char.IsControl))
        {
            return cell;
        }

        return string.Concat(cell.Select(c => char.IsControl(c) ? ' ' : c));
    }

    private static string Colour(string line) => line
        .Replace("not required", Red + "not required" + Reset, StringComparison.Ordinal)
        .Replace("  YES  ", "  " + Red + "YES" + Reset + "  ", StringComparison.Ordinal)
        .Replace(" required  ", " " + Green + "required" + Reset + "  ", StringComparison.Ordinal);
}
