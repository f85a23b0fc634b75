using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Html;

/// <summary>One input of the report: a run document and the name it is shown under (a file path, or the store run).</summary>
public sealed record ReportSource(string Name, RunDocument Document);

/// <summary>One machine of an audit document, reduced to what the report shows. <see cref="Failing"/> holds rule ids in
/// the audit's order; <see cref="ServerSigningNotRequired"/> is true when its <c>server.RequireSecuritySignature</c>
/// result fails (the machine is a relay target by configuration).</summary>
internal sealed record AuditMachine(
    string Name,
    string? Os,
    string? OsName,
    string Role,
    string Benchmark,
    bool Passed,
    IReadOnlyList<string> Failing,
    int Pass,
    int Fail,
    int NotApplicable,
    int Error,
    int NotConfigured,
    bool ServerSigningNotRequired,
    IReadOnlyList<AuditResult> Results);

/// <summary>One result of a machine: only the fields the per-rule counts need.</summary>
internal sealed record AuditResult(string Rule, string? Item, string Title, string Setting, string Status, bool NotConfigured);

/// <summary>One scanned server (a row of <c>scan --format json|jsonl</c>).</summary>
internal sealed record ScanServer(
    string Target,
    int Port,
    bool Reachable,
    bool? Smb1Enabled,
    string? Smb1Signing,
    bool? Smb2Enabled,
    string? Smb2Signing,
    string? Dialect,
    string? SigningAlgorithm,
    string? Name,
    bool? RelayTarget,
    string? Error);

/// <summary>One verified session (<c>verify --format json</c>).</summary>
internal sealed record VerifiedSession(
    string Target,
    string? Dialect,
    string? SigningAlgorithm,
    bool ServerRequiresSigning,
    bool SessionSigningRequired,
    string Verdict,
    string Reason,
    string? Error);

/// <summary>One client connection seen by <c>listen</c>.</summary>
internal sealed record ListenConnection(
    string Client,
    string? Workstation,
    string Mode,
    string? Dialect,
    string? SigningAlgorithm,
    bool? RequiresSigning,
    bool? EnforcesSigning,
    string Reason);

/// <summary>A parsed input document: exactly one of the lists is filled, matching <see cref="Kind"/>.</summary>
internal sealed record ParsedDocument(
    string Source,
    RunKind Kind,
    DateTimeOffset GeneratedAt,
    string ToolVersion,
    IReadOnlyList<AuditMachine> Machines,
    IReadOnlyList<ScanServer> Servers,
    IReadOnlyList<VerifiedSession> Sessions,
    IReadOnlyList<ListenConnection> Connections)
{
    /// <summary>Machines, servers, sessions or connections in the document.</summary>
    public int Items => Kind switch
    {
        RunKind.Audit => Machines.Count,
        RunKind.Scan => Servers.Count,
        RunKind.Verify => Sessions.Count,
        _ => Connections.Count,
    };
}
