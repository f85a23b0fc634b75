namespace SmbSign.Reporting.Records;

/// <summary>The command whose run a document records.</summary>
public enum RunKind
{
    Audit,
    Scan,
    Verify,
    Listen,
}

/// <summary>
/// One run exactly as the CLI wrote it: the command's <c>--format json</c> document (its published shape), with the
/// time and tool version from its <c>generatedAt</c>/<c>toolVersion</c> metadata. The store keeps it whole so the
/// HTML report can be rebuilt from the store with the same reader that reads report files given on the command line.
/// </summary>
public sealed record RunDocument(RunKind Kind, DateTimeOffset GeneratedAt, string ToolVersion, string Json);

/// <summary>
/// One point of a trend line: for one run, the counts of one series (a CIS rule id, or a fleet-wide series such as
/// <c>machines</c>, <c>servers-signing-required</c>, <c>clients-enforcing</c>).
/// </summary>
public sealed record TrendPoint(DateTimeOffset RunAt, RunKind Kind, string Series, int Passed, int Failed, int Other);
