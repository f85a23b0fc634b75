using SmbSign.Reporting.Records;
using SmbSign.Reporting.Store;

namespace SmbSign.Reporting.History;

/// <summary>What one change between two runs is.</summary>
public enum ChangeKind
{
    /// <summary>Worse: to fail from anything else (pass→fail, required→not required, enforcing→not, a new relay target),
    /// or from pass to unknown/error (what was proven is no longer proven: fail closed).</summary>
    Regressed,

    /// <summary>fail→pass.</summary>
    Fixed,

    /// <summary>Any other status change (fail→unknown, unknown→pass, pass→not-applicable): listed, not judged.</summary>
    Changed,

    /// <summary>A machine, server or client present in the later run only (a server counts as present when reachable).</summary>
    Appeared,

    /// <summary>Present in the earlier run only.</summary>
    Vanished,
}

/// <summary>One change: for <see cref="ChangeKind.Appeared"/>/<see cref="ChangeKind.Vanished"/> the item and statuses are null.</summary>
public sealed record HistoryChange(
    ChangeKind Change, string SubjectKind, string Subject, string? Item, string? FromStatus, string? ToStatus, string? FromValue, string? ToValue);

/// <summary>Two consecutive runs of the same kind over the same inputs, and what changed between them.</summary>
public sealed record HistoryComparison(StoredRun From, StoredRun To, IReadOnlyList<HistoryChange> Changes);

/// <summary>
/// Computes the changes between consecutive runs. Runs are compared with the run before them of the same kind and the
/// same inputs (the same audit paths, the same scan targets and shard), so a <c>--shard 1/4</c> job is compared with the
/// last <c>--shard 1/4</c>, not with another shard's servers.
/// </summary>
public static class PostureHistory
{
    /// <summary>
    /// Every comparison whose later run was generated at or after <paramref name="since"/> (its earlier run may be older:
    /// "what changed since Monday" includes Monday's first run against the run before it). <paramref name="subject"/>
    /// keeps only changes of that machine, server (host or host:port) or client, case-insensitively.
    /// </summary>
    public static async Task<IReadOnlyList<HistoryComparison>> CompareAsync(PostureStore store, DateTimeOffset? since, string? subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var comparisons = new List<HistoryComparison>();
        IReadOnlyList<StoredRun> runs = await store.RunsAsync(since: since, cancellationToken: cancellationToken).ConfigureAwait(false);
        var rowCache = new Dictionary<long, IReadOnlyList<ResultRow>>();
        foreach (StoredRun run in runs)
        {
            StoredRun? previous = await store.PreviousAsync(run, cancellationToken).ConfigureAwait(false);
            if (previous is null)
            {
                continue;
            }

            IReadOnlyList<ResultRow> before = await RowsAsync(store, previous.Id, rowCache, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<ResultRow> after = await RowsAsync(store, run.Id, rowCache, cancellationToken).ConfigureAwait(false);

            // Only the last two runs' rows are needed at any time.
            foreach (long old in rowCache.Keys.Where(k => k != previous.Id && k != run.Id).ToList())
            {
                rowCache.Remove(old);
            }

            IReadOnlyList<HistoryChange> changes = Diff(before, after);
            if (subject is not null)
            {
                changes = [.. changes.Where(c => Matches(c.Subject, subject))];
            }

            comparisons.Add(new HistoryComparison(previous, run, changes));
        }

        return comparisons;
    }

    /// <summary>The changes from <paramref name="before"/> to <paramref name="after"/>, ordered by subject, then item.</summary>
    public static IReadOnlyList<HistoryChange> Diff(IReadOnlyList<ResultRow> before, IReadOnlyList<ResultRow> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        Dictionary<(string, string, string), ResultRow> old = before.ToDictionary(r => (r.SubjectKind, r.Subject, r.Item));
        Dictionary<(string, string, string), ResultRow> now = after.ToDictionary(r => (r.SubjectKind, r.Subject, r.Item));
        HashSet<(string, string)> oldSubjects = Present(before);
        HashSet<(string, string)> newSubjects = Present(after);
        var changes = new List<HistoryChange>();
        foreach ((string kind, string subject) in newSubjects.Except(oldSubjects))
        {
            changes.Add(new HistoryChange(ChangeKind.Appeared, kind, subject, null, null, null, null, null));
        }

        foreach ((string kind, string subject) in oldSubjects.Except(newSubjects))
        {
            changes.Add(new HistoryChange(ChangeKind.Vanished, kind, subject, null, null, null, null, null));
        }

        foreach (((string kind, string subject, string item) key, ResultRow row) in now)
        {
            if (row.Item == "reachable" || !newSubjects.Contains((key.kind, key.subject)))
            {
                continue;
            }

            old.TryGetValue(key, out ResultRow? was);
            if (was is not null && !oldSubjects.Contains((key.kind, key.subject)))
            {
                // The subject was there but not present (an unreachable server): judge it as new.
                was = null;
            }

            if (was is null)
            {
                // A new subject or item is a regression when it fails: a new relay target, a new failing machine.
                if (row.Status == "fail")
                {
                    changes.Add(new HistoryChange(ChangeKind.Regressed, key.kind, key.subject, key.item, null, row.Status, null, row.Value));
                }

                continue;
            }

            if (was.Status == row.Status)
            {
                continue;
            }

            ChangeKind change = Classify(was.Status, row.Status);
            changes.Add(new HistoryChange(change, key.kind, key.subject, key.item, was.Status, row.Status, was.Value, row.Value));
        }

        return [.. changes.OrderBy(c => c.SubjectKind, StringComparer.Ordinal).ThenBy(c => c.Subject, StringComparer.Ordinal).ThenBy(c => c.Item ?? string.Empty, StringComparer.Ordinal).ThenBy(c => c.Change)];
    }

    /// <summary>pass→fail, X→fail, pass→unknown/error: regressed; fail→pass: fixed; the rest: changed.</summary>
    public static ChangeKind Classify(string from, string to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (to == "fail" && from != "fail")
        {
            return ChangeKind.Regressed;
        }

        if (from == "pass" && ResultExtractor.Badness(to) == 2)
        {
            return ChangeKind.Regressed;
        }

        return from == "fail" && to == "pass" ? ChangeKind.Fixed : ChangeKind.Changed;
    }

    /// <summary>Subjects present in a run: every machine and client; a server when its <c>reachable</c> row says true
    /// (verify has no such row: its server is present).</summary>
    private static HashSet<(string, string)> Present(IReadOnlyList<ResultRow> rows)
    {
        var present = new HashSet<(string, string)>();
        var unreachable = new HashSet<(string, string)>();
        foreach (ResultRow row in rows)
        {
            if (row.Item == "reachable" && row.Value != "true")
            {
                unreachable.Add((row.SubjectKind, row.Subject));
            }
            else
            {
                present.Add((row.SubjectKind, row.Subject));
            }
        }

        present.ExceptWith(unreachable);
        return present;
    }

    private static bool Matches(string subject, string name) =>
        string.Equals(subject, name, StringComparison.OrdinalIgnoreCase)
        || (subject.StartsWith(name, StringComparison.OrdinalIgnoreCase) && subject.Length > name.Length && subject[name.Length] == ':')
        || (subject.StartsWith("//", StringComparison.Ordinal) && subject.AsSpan(2).StartsWith(name, StringComparison.OrdinalIgnoreCase)
            && subject.Length > name.Length + 2 && subject[name.Length + 2] is ':' or '/');

    private static async Task<IReadOnlyList<ResultRow>> RowsAsync(PostureStore store, long runId, Dictionary<long, IReadOnlyList<ResultRow>> cache, CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue(runId, out IReadOnlyList<ResultRow>? rows))
        {
            rows = await store.ResultsAsync(runId, cancellationToken).ConfigureAwait(false);
            cache[runId] = rows;
        }

        return rows;
    }
}
