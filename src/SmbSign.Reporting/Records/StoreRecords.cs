namespace SmbSign.Reporting.Records;

/// <summary>
/// One normalized result of a run: a subject (<c>machine</c> for audit, <c>server</c> for scan and verify, <c>client</c>
/// for listen), an item (a CIS rule id, or an aspect: <c>signing-required</c>, <c>relay-target</c>, <c>reachable</c>,
/// <c>enforced</c>, <c>signatures</c>, <c>requires-signing</c>, <c>enforces</c>), its status (<c>pass</c>, <c>fail</c>,
/// <c>unknown</c>, <c>error</c>, <c>not-applicable</c>, <c>info</c>) and the observed value (null when none).
/// </summary>
public sealed record ResultRow(string SubjectKind, string Subject, string Item, string Status, string? Value);

/// <summary>A recorded run without its document: its id in the store, when and by what it was made, and its inputs.</summary>
public sealed record StoredRun(long Id, RunKind Kind, DateTimeOffset GeneratedAt, string ToolVersion, IReadOnlyList<string> Inputs, string? RecordedBy);
