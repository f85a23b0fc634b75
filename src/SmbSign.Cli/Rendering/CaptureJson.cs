using System.Globalization;
using System.Text.Json.Serialization;
using SmbSign.Protocol;
using SmbSign.Capture;
using SmbSign.Capture.Analysis;

namespace SmbSign.Cli.Rendering;

/// <summary>JSON report of <c>smbsign capture</c>; field names are documented in docs/cli/capture.md. <c>verified</c>, <c>failed</c>,
/// <c>notCheckable</c> and <c>failures</c> are null when no password or keys file was given.</summary>
internal sealed record CaptureReportJson(
    IReadOnlyList<CaptureFileJson> Files,
    IReadOnlyList<CaptureConnectionJson> Connections,
    IReadOnlyList<CaptureFindingJson> Findings,
    long Gaps,
    long GapBytes);

internal sealed record CaptureFileJson(string Path, string Format, long Packets, long Bytes, string? Truncated, long SkippedRecords, CaptureStatisticsJson Statistics);

internal sealed record CaptureStatisticsJson(
    long TcpConnections,
    long SmbConnections,
    long SmbMessages,
    long NonTcpPackets,
    long IpFragments,
    long MalformedPackets,
    long UnsupportedLinkTypePackets,
    long Retransmissions,
    long OutOfOrderSegments,
    long Gaps,
    long GapBytes);

internal sealed record CaptureConnectionJson(
    string? File,
    int Stream,
    string Client,
    string Server,
    string ClientDecidedBy,
    string? Dialect,
    bool? ClientRequiresSigning,
    bool? ServerRequiresSigning,
    string? SigningAlgorithm,
    long FirstFrame,
    long LastFrame,
    long Messages,
    long Signed,
    long Unsigned,
    long Encrypted,
    long Compressed,
    long Smb1Messages,
    long Gaps,
    IReadOnlyList<CaptureSessionJson> Sessions);

internal sealed record CaptureSessionJson(
    string SessionId,
    string? User,
    string? Domain,
    string? Authentication,
    bool? Guest,
    bool? Anonymous,
    long Messages,
    long Signed,
    long Unsigned,
    long? Verified,
    long? Failed,
    long? NotCheckable,
    string? Key,
    string? KeyNote,
    long? UnsignedWhileRequired,
    IReadOnlyList<long> UnsignedWhileRequiredFrames,
    long Encrypted,
    IReadOnlyList<CaptureFailureJson>? Failures,
    CaptureKerberosJson? Kerberos);

/// <summary>The Kerberos exchange of a session decrypted with --keytab (no key bytes).</summary>
internal sealed record CaptureKerberosJson(
    string ServicePrincipal,
    string? ClientPrincipal,
    string TicketEncryptionType,
    uint? Kvno,
    string? TicketSessionKeyEncryptionType,
    string? SessionKeySource,
    string? SessionKeyEncryptionType);

internal sealed record CaptureFailureJson(long Frame, string Command, ulong MessageId);

internal sealed record CaptureFindingJson(string Severity, string Code, string Message, string? Connection, string? SessionId, IReadOnlyList<long> Frames);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CaptureReportJson))]
internal sealed partial class CaptureJsonContext : JsonSerializerContext;

internal static class CaptureJsonMapper
{
    public static CaptureReportJson Map(CaptureSummary summary) => new(
        summary.Sources.Select(MapSource).ToList(),
        summary.Connections.Select(MapConnection).ToList(),
        summary.Findings.Select(f => new CaptureFindingJson(
            f.Severity.ToString().ToLowerInvariant(), f.Code, f.Message, f.Connection,
            f.SessionId is { } id ? CaptureSummaryBuilder.FormatSessionId(id) : null, f.Frames)).ToList(),
        summary.Gaps,
        summary.GapBytes);

    private static CaptureFileJson MapSource(CaptureSource source)
    {
        var s = source.Run.Statistics;
        return new CaptureFileJson(
            source.Source,
            FormatName(source.Run.Format),
            source.Run.Packets,
            source.Run.Bytes,
            source.Run.Truncation?.ToString(),
            source.Run.SkippedRecords?.Count ?? 0,
            new CaptureStatisticsJson(
                s.TcpConnections, s.SmbConnections, s.SmbMessages, s.NonTcpPackets, s.IpFragments, s.MalformedPackets,
                s.UnsupportedLinkTypePackets, s.Retransmissions, s.OutOfOrderSegments, s.Gaps, s.GapBytes));
    }

    public static string FormatName(CaptureFileFormat format) => format switch
    {
        CaptureFileFormat.Pcap => "pcap",
        CaptureFileFormat.PcapNanoseconds => "pcap-ns",
        _ => "pcapng",
    };

    private static CaptureConnectionJson MapConnection(ConnectionSummary c) => new(
        c.Source,
        c.Connection.StreamIndex,
        c.Connection.Client.ToString(),
        c.Connection.Server.ToString(),
        ClientEvidenceName(c.Connection.ClientSideEvidence),
        c.Dialect?.ToDisplayString(),
        c.ClientRequiresSigning,
        c.ServerRequiresSigning,
        c.SigningAlgorithm?.ToDisplayString(),
        c.Connection.FirstFrame,
        c.Connection.LastFrame,
        c.Messages,
        c.Signed,
        c.Unsigned,
        c.Encrypted,
        c.Compressed,
        c.Smb1Messages,
        c.Gaps,
        c.Sessions.Select(s => new CaptureSessionJson(
            CaptureSummaryBuilder.FormatSessionId(s.SessionId),
            s.User,
            s.Domain,
            s.Authentication,
            s.Guest,
            s.Anonymous,
            s.Messages,
            s.Signed,
            s.Unsigned,
            s.Verified,
            s.Failed,
            s.NotCheckable,
            KeyName(s.KeyStatus),
            s.KeyNote,
            s.UnsignedWhileRequired,
            s.UnsignedWhileRequiredFrames,
            s.Encrypted,
            s.Failed is null ? null : s.Failures.Select(f => new CaptureFailureJson(f.Frame, f.Command, f.MessageId)).ToList(),
            s.Kerberos is { } k
                ? new CaptureKerberosJson(k.ServicePrincipal, k.ClientPrincipal, k.TicketEncryptionType, k.Kvno, k.TicketSessionKeyEncryptionType, k.SessionKeySource, k.SessionKeyEncryptionType)
                : null)).ToList());

    /// <summary>null (not asked), password, keys-file, keytab, wrong-password, wrong-key, no-key, not-needed, setup-not-captured, unsupported.</summary>
    public static string? KeyName(SessionKeyStatus status) => status switch
    {
        SessionKeyStatus.NotRequested => null,
        SessionKeyStatus.Password => "password",
        SessionKeyStatus.KeysFile => "keys-file",
        SessionKeyStatus.Keytab => "keytab",
        SessionKeyStatus.WrongKey => "wrong-key",
        SessionKeyStatus.WrongPassword => "wrong-password",
        SessionKeyStatus.NoKey => "no-key",
        SessionKeyStatus.NotNeeded => "not-needed",
        SessionKeyStatus.SetupNotCaptured => "setup-not-captured",
        _ => "unsupported",
    };

    public static string ClientEvidenceName(Capture.Tcp.ClientSideEvidence evidence) => evidence switch
    {
        Capture.Tcp.ClientSideEvidence.Syn => "syn",
        Capture.Tcp.ClientSideEvidence.ServerPort => "port",
        Capture.Tcp.ClientSideEvidence.MessageFlags => "flags",
        Capture.Tcp.ClientSideEvidence.FirstSender => "first-sender",
        _ => "unknown",
    };

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
