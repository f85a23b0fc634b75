using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Reporting.History;
using SmbSign.Reporting.Records;
using SmbSign.Reporting.Store;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign history [--db FILE|CONNSTRING] [--since DATE] [--machine NAME] [--format table|json|csv]</c>: what changed
/// between consecutive runs of the same kind and inputs in the posture store (regressed, fixed, changed, appeared,
/// vanished), and per rule the pass/fail counts of each run. Exit 0 no regression, 1 a regression, 2 usage error or a
/// store that cannot be read. docs/cli/history.md.
/// </summary>
internal static class HistoryCommand
{
    /// <summary>Default store when --db is not given.</summary>
    public const string DbVariable = "SMBSIGN_DB";

    public static Command Create(CliServices services)
    {
        RunStore store = new();
        store.Db.Description = $"The posture store to read: a SQLite FILE or a PostgreSQL connection string (default: ${DbVariable}). The PostgreSQL password comes from --db-password-file, PGPASSWORD or ~/.pgpass.";
        Option<string?> since = new("--since")
        {
            Description = "Only comparisons whose later run was made at or after DATE (YYYY-MM-DD, UTC midnight, or YYYY-MM-DDTHH:MM:SSZ); its earlier run may be older.",
            HelpName = "DATE",
        };
        Option<string?> machine = new("--machine", "-m")
        {
            Description = "Only this machine, server (host or host:port) or client, case-insensitive; the trend then counts only its items.",
            HelpName = "NAME",
        };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json, OutputFormat.Csv);

        Command command = new("history", "What changed between consecutive runs recorded with --db (audit, scan, verify, listen): regressed, fixed, changed, appeared, vanished; per rule the pass/fail trend. Exit 0 no regression, 1 a regression, 2 usage error or unreadable store.")
        {
            since, machine, format,
        };
        store.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string? dbText = parseResult.GetValue(store.Db) ?? NullIfEmpty(services.GetEnvironmentVariable(DbVariable));
            if (dbText is null)
            {
                throw new CliException($"history: give --db FILE|CONNSTRING (or set {DbVariable}): the store audit, scan, verify and listen recorded into.");
            }

            DateTimeOffset? from = ParseSince(parseResult.GetValue(since));
            string? name = NullIfEmpty(parseResult.GetValue(machine));
            StoreLocation location = RunStore.Parse(services, dbText, parseResult.GetValue(store.PasswordFile));
            IReadOnlyList<HistoryComparison> comparisons;
            IReadOnlyList<TrendPoint> trend;
            int runs;
            await using (PostureStore opened = await RunStore.OpenAsync(location, mustExist: true, cancellationToken))
            {
                // A StoreException here reaches CliApp, which prints its one line and exits 2 (ExitCodes.For).
                comparisons = await PostureHistory.CompareAsync(opened, from, name, cancellationToken);
                trend = await opened.TrendAsync(from, name, cancellationToken);
                runs = (await opened.RunsAsync(since: from, cancellationToken: cancellationToken)).Count;
            }

            HistoryJson document = Build(location, from, name, runs, comparisons, trend);
            string text = parseResult.GetValue(format) switch
            {
                OutputFormat.Json => ReportMetadata.Stamp(JsonSerializer.Serialize(document, HistoryJsonContext.Default.HistoryJson), services.Time) + "\n",
                OutputFormat.Csv => Csv(document),
                _ => Table(document),
            };
            await services.Out.WriteAsync(text);
            await services.Out.FlushAsync(cancellationToken);
            return document.Summary.Regressed > 0 ? ExitCodes.Findings : ExitCodes.Success;
        });
        return command;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static DateTimeOffset? ParseSince(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];
        return DateTimeOffset.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed)
            ? parsed
            : throw new CliException($"--since: '{Truncate(text)}' is not a date; expected YYYY-MM-DD (UTC midnight) or YYYY-MM-DDTHH:MM:SSZ.");
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static HistoryJson Build(StoreLocation location, DateTimeOffset? since, string? machine, int runs, IReadOnlyList<HistoryComparison> comparisons, IReadOnlyList<TrendPoint> trend)
    {
        var list = new List<HistoryComparisonJson>();
        foreach (HistoryComparison c in comparisons)
        {
            list.Add(new HistoryComparisonJson(
                ResultExtractor.Name(c.To.Kind),
                c.To.Inputs,
                Run(c.From),
                Run(c.To),
                Changes(c, ChangeKind.Regressed),
                Changes(c, ChangeKind.Fixed),
                Changes(c, ChangeKind.Changed),
                [.. c.Changes.Where(x => x.Change == ChangeKind.Appeared).Select(x => new HistorySubjectJson(x.SubjectKind, x.Subject))],
                [.. c.Changes.Where(x => x.Change == ChangeKind.Vanished).Select(x => new HistorySubjectJson(x.SubjectKind, x.Subject))]));
        }

        HistoryTrendJson[] series =
        [
            .. trend.GroupBy(p => (p.Kind, p.Series))
                .OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Series, StringComparer.Ordinal)
                .Select(g => new HistoryTrendJson(ResultExtractor.Name(g.Key.Kind), g.Key.Series, [.. g.OrderBy(p => p.RunAt).Select(p => new HistoryTrendPointJson(Time(p.RunAt), p.Passed, p.Failed, p.Other))])),
        ];
        var summary = new HistorySummaryJson(
            list.Count,
            list.Sum(c => c.Regressed.Count),
            list.Sum(c => c.Fixed.Count),
            list.Sum(c => c.Changed.Count),
            list.Sum(c => c.Appeared.Count),
            list.Sum(c => c.Vanished.Count));
        return new HistoryJson(location.Display, since is { } s ? Time(s) : null, machine, runs, list, series, summary);
    }

    private static HistoryRunJson Run(StoredRun run) => new(run.Id, Time(run.GeneratedAt), run.ToolVersion, run.RecordedBy);

    private static IReadOnlyList<HistoryChangeJson> Changes(HistoryComparison comparison, ChangeKind kind) =>
        [.. comparison.Changes.Where(x => x.Change == kind).Select(x => new HistoryChangeJson(x.SubjectKind, x.Subject, x.Item ?? string.Empty, x.FromStatus, x.ToStatus, x.FromValue, x.ToValue))];

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Table(HistoryJson document)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Store {document.Store}: {document.Runs} run(s){(document.Since is null ? string.Empty : " since " + document.Since)}{(document.Machine is null ? string.Empty : ", machine " + document.Machine)}.\n");
        foreach (HistoryComparisonJson c in document.Comparisons)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{c.Kind} run {c.To.Id} ({c.To.GeneratedAt}) vs run {c.From.Id} ({c.From.GeneratedAt}), inputs: {string.Join(' ', c.Inputs)}\n");
            int before = text.Length;
            Lines(text, "REGRESSED", c.Regressed);
            Lines(text, "fixed", c.Fixed);
            Lines(text, "changed", c.Changed);
            foreach (HistorySubjectJson s in c.Appeared)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {"appeared",-10} {s.SubjectKind} {s.Subject}\n");
            }

            foreach (HistorySubjectJson s in c.Vanished)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {"vanished",-10} {s.SubjectKind} {s.Subject}\n");
            }

            if (text.Length == before)
            {
                text.Append("  no changes\n");
            }
        }

        if (document.Trend.Count > 0)
        {
            text.Append("\nTrend (pass/fail per run, oldest first):\n");
            int width = Math.Min(40, document.Trend.Max(t => t.Series.Length));
            foreach (HistoryTrendJson t in document.Trend)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {t.Kind,-7}{t.Series.PadRight(width)}  {string.Join("  ", t.Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Passed}/{p.Failed}")))}\n");
            }
        }

        HistorySummaryJson s2 = document.Summary;
        text.Append(CultureInfo.InvariantCulture, $"\n{s2.Comparisons} comparison(s): {s2.Regressed} regressed, {s2.Fixed} fixed, {s2.Changed} changed, {s2.Appeared} appeared, {s2.Vanished} vanished.\n");
        return text.ToString();
    }

    private static void Lines(StringBuilder text, string label, IReadOnlyList<HistoryChangeJson> changes)
    {
        foreach (HistoryChangeJson x in changes)
        {
            string values = x.FromValue is null && x.ToValue is null ? string.Empty : $"  ({x.FromValue ?? "-"} → {x.ToValue ?? "-"})";
            text.Append(CultureInfo.InvariantCulture, $"  {label,-10} {x.SubjectKind} {x.Subject}  {x.Item}  {x.From ?? "new"} → {x.To}{values}\n");
        }
    }

    private static string Csv(HistoryJson document)
    {
        var text = new StringBuilder("kind,fromRun,fromGeneratedAt,toRun,toGeneratedAt,change,subjectKind,subject,item,fromStatus,toStatus,fromValue,toValue\n");
        foreach (HistoryComparisonJson c in document.Comparisons)
        {
            void Row(string change, string subjectKind, string subject, string? item, string? from, string? to, string? fromValue, string? toValue) =>
                text.AppendJoin(',', new[]
                {
                    c.Kind, c.From.Id.ToString(CultureInfo.InvariantCulture), c.From.GeneratedAt, c.To.Id.ToString(CultureInfo.InvariantCulture), c.To.GeneratedAt,
                    change, subjectKind, subject, item, from, to, fromValue, toValue,
                }.Select(Field)).Append('\n');

            foreach (HistoryChangeJson x in c.Regressed)
            {
                Row("regressed", x.SubjectKind, x.Subject, x.Item, x.From, x.To, x.FromValue, x.ToValue);
            }

            foreach (HistoryChangeJson x in c.Fixed)
            {
                Row("fixed", x.SubjectKind, x.Subject, x.Item, x.From, x.To, x.FromValue, x.ToValue);
            }

            foreach (HistoryChangeJson x in c.Changed)
            {
                Row("changed", x.SubjectKind, x.Subject, x.Item, x.From, x.To, x.FromValue, x.ToValue);
            }

            foreach (HistorySubjectJson x in c.Appeared)
            {
                Row("appeared", x.SubjectKind, x.Subject, null, null, null, null, null);
            }

            foreach (HistorySubjectJson x in c.Vanished)
            {
                Row("vanished", x.SubjectKind, x.Subject, null, null, null, null, null);
            }
        }

        return text.ToString();
    }

    /// <summary>RFC 4180: quoted when it holds a comma, quote or line break; a leading = + - @ is prefixed with ' so a
    /// spreadsheet does not run it as a formula (OWASP CSV injection).</summary>
    private static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
