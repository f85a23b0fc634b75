using System.Globalization;
using System.Text.Json.Serialization;
using SmbSign.Protocol;
using SmbSign.Wire.Session;

namespace SmbSign.Cli.Rendering;

/// <summary>The JSON document of <c>smbsign verify --format json</c> (documented in docs/cli/verify.md).</summary>
internal sealed record VerifyJson(
    string Target,
    string? Dialect,
    string? SigningAlgorithm,
    IReadOnlyList<string> SessionFlags,
    bool ServerRequiresSigning,
    bool ClientRequiresSigning,
    bool SessionSigningRequired,
    string Authentication,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] VerifyKerberosJson? Kerberos,
    int Messages,
    int Signed,
    int Verified,
    IReadOnlyList<VerifyFailureJson> Failures,
    IReadOnlyList<VerifyProbeJson> Probes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ProbesSkipped,
    bool Enforced,
    string Verdict,
    string Reason,
    string? Error,
    string? ErrorKind,
    IReadOnlyList<string> Operations,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<VerifyMessageJson>? MessageLog)
{
    public static VerifyJson From(VerificationReport report, bool verbose) => new(
        report.Target,
        report.Dialect?.ToDisplayString(),
        report.SigningAlgorithm?.ToDisplayString(),
        report.SessionFlagNames,
        report.ServerRequiresSigning,
        report.ClientRequiresSigning,
        report.SessionSigningRequired,
        report.Authentication,
        report.Authentication == "kerberos" && report.KerberosSessionKeyLength > 0
            ? new VerifyKerberosJson(report.ClientPrincipal, report.KerberosSessionKeyType, report.KerberosSessionKeyLength)
            : null,
        report.Messages.Count,
        report.SignedCount,
        report.VerifiedCount,
        [.. report.Failures.Select(f => new VerifyFailureJson(f.Command, Direction(f.Direction), f.MessageId, f.Reason))],
        [.. (report.Probes ?? []).Select(p => new VerifyProbeJson(p.KindName, p.Command, p.Rejected, ProbeOutcomeName(p.Outcome), p.Status is { } status ? Status(status) : null, p.Detail))],
        report.ProbeSkipReason,
        report.Enforced,
        VerdictName(report.EnforcementVerdict),
        report.Reason,
        report.Error?.Message,
        report.Error is null ? null : ErrorKindName(report.Error.Kind),
        report.Operations,
        verbose ? [.. report.Messages.Select(m => new VerifyMessageJson(
            m.Command, Direction(m.Direction), m.MessageId, m.Direction == MessageDirection.Response ? Status(m.Status) : null, m.Signed, m.Verified, m.MustBeSigned, m.Note))] : null);

    public static string Direction(MessageDirection direction) => direction == MessageDirection.Request ? "request" : "response";

    public static string Status(uint status) => "0x" + status.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>"enforced", "not-enforced" or "untested".</summary>
    public static string VerdictName(EnforcementVerdict verdict) => verdict switch
    {
        EnforcementVerdict.Enforced => "enforced",
        EnforcementVerdict.Untested => "untested",
        _ => "not-enforced",
    };

    /// <summary>Stable kebab-case names for <see cref="ProbeOutcome"/>.</summary>
    public static string ProbeOutcomeName(ProbeOutcome outcome) => outcome switch
    {
        ProbeOutcome.ErrorStatus => "error-status",
        ProbeOutcome.Disconnected => "disconnected",
        ProbeOutcome.NoAnswer => "no-answer",
        ProbeOutcome.Answered => "answered",
        _ => "not-run",
    };

    /// <summary>Stable kebab-case names for <see cref="SessionErrorKind"/>.</summary>
    public static string ErrorKindName(SessionErrorKind kind) => kind switch
    {
        SessionErrorKind.Connection => "connection",
        SessionErrorKind.Timeout => "timeout",
        SessionErrorKind.DialectRefused => "dialect-refused",
        SessionErrorKind.LogonFailure => "logon-failure",
        SessionErrorKind.GuestSession => "guest-session",
        SessionErrorKind.BadNetworkName => "bad-network-name",
        SessionErrorKind.AccessDenied => "access-denied",
        SessionErrorKind.Protocol => "protocol",
        SessionErrorKind.Unsupported => "unsupported",
        SessionErrorKind.Kerberos => "kerberos",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>Kerberos sessions: the client principal, the context's session key type and length (signing keys use its first 16 bytes).</summary>
internal sealed record VerifyKerberosJson(string? ClientPrincipal, string? SessionKeyType, int SessionKeyLength);

/// <summary>One enforcement probe: <c>status</c> is null when the server disconnected or did not answer.</summary>
internal sealed record VerifyProbeJson(string Kind, string Command, bool Rejected, string Outcome, string? Status, string Detail);

internal sealed record VerifyFailureJson(string Command, string Direction, ulong MessageId, string Reason);

internal sealed record VerifyMessageJson(
    string Command,
    string Direction,
    ulong MessageId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Status,
    bool Signed,
    bool? Verified,
    bool MustBeSigned,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(VerifyJson))]
internal sealed partial class VerifyJsonContext : JsonSerializerContext;
