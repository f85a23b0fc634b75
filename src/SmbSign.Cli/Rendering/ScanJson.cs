using System.Globalization;
using System.Text.Json.Serialization;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Wire.Scanning;

namespace SmbSign.Cli.Rendering;

/// <summary>The documented per-target JSON shape of <c>smbsign scan</c> (docs/cli/scan.md, docs/schemas/scan.schema.json).
/// Plain strings, numbers and booleans only; null where unknown. One definition for both directions: the scan writers
/// serialize it and <c>smbsign fix --scan</c> (<see cref="FixScanInput"/>) deserializes it with the same contexts.
/// <paramref name="GeneratedAt"/> and <paramref name="ToolVersion"/> are null when written (ReportMetadata.Stamp puts
/// them first, with the report encoder) and filled when read back.</summary>
internal sealed record ScanRow(
    string Target,
    int Port,
    bool Reachable,
    ScanSmb1Row Smb1,
    ScanSmb2Row Smb2,
    ScanHostRow Host,
    bool? RelayTarget,
    string? ClientOutcome,
    ScanErrorRow? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GeneratedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ToolVersion = null)
{
    public static ScanRow From(ServerPosture posture, string? clientOutcome = null)
    {
        ArgumentNullException.ThrowIfNull(posture);
        Smb2Posture s2 = posture.Smb2;
        return new ScanRow(
            posture.Target.Host,
            posture.Target.Port,
            posture.Reachable,
            new ScanSmb1Row(posture.Smb1.Enabled, posture.Smb1.Signing is { } s1 ? Smb1Signing(s1) : null),
            new ScanSmb2Row(
                s2.Enabled,
                s2.Dialect?.ToDisplayString(),
                s2.Dialects?.Select(d => d.ToDisplayString()).ToArray(),
                s2.Signing is { } s ? Smb2Signing(s) : null,
                s2.SigningAlgorithm?.ToDisplayString(),
                s2.SigningAlgorithms?.Select(a => a.ToDisplayString()).ToArray(),
                s2.Cipher?.ToDisplayString(),
                s2.ServerGuid?.ToString("D", CultureInfo.InvariantCulture),
                s2.Mechanisms,
                s2.Capabilities?.ToNames()),
            new ScanHostRow(posture.Host.NetbiosName, posture.Host.DnsName, posture.Host.Domain, posture.Host.OsVersion),
            posture.RelayTarget,
            clientOutcome,
            posture.Error is { } e ? new ScanErrorRow(ErrorKind(e.Kind), e.Phase, e.Message) : null);
    }

    public static string Smb1Signing(Smb1SigningState state) => state switch
    {
        Smb1SigningState.Required => "required",
        Smb1SigningState.Enabled => "enabled",
        _ => "disabled",
    };

    public static string Smb2Signing(Smb2SigningState state) => state switch
    {
        Smb2SigningState.Required => "required",
        Smb2SigningState.Enabled => "enabled",
        _ => "disabled",
    };

    public static string ErrorKind(ProbeErrorKind kind) => kind switch
    {
        ProbeErrorKind.NameResolution => "name-resolution",
        ProbeErrorKind.Refused => "refused",
        ProbeErrorKind.Unreachable => "unreachable",
        ProbeErrorKind.Timeout => "timeout",
        ProbeErrorKind.ConnectionReset => "connection-reset",
        ProbeErrorKind.ConnectionClosed => "connection-closed",
        ProbeErrorKind.FrameTooLarge => "frame-too-large",
        ProbeErrorKind.InvalidFraming => "invalid-framing",
        _ => "protocol-error",
    };
}

internal sealed record ScanSmb1Row(bool? Enabled, string? Signing);

internal sealed record ScanSmb2Row(
    bool? Enabled,
    string? Dialect,
    IReadOnlyList<string>? Dialects,
    string? Signing,
    string? SigningAlgorithm,
    IReadOnlyList<string>? SigningAlgorithms,
    string? Cipher,
    string? ServerGuid,
    IReadOnlyList<string>? Mechanisms,
    IReadOnlyList<string>? Capabilities);

internal sealed record ScanHostRow(string? NetbiosName, string? DnsName, string? Domain, string? OsVersion);

internal sealed record ScanErrorRow(string Kind, string Phase, string Message);

/// <summary>Source-generated (NativeAOT: no reflection). Reading is closed: an unknown member, a missing member (every
/// constructor parameter without a default) or null in a non-nullable one is a JsonException with line and byte.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    MaxDepth = 16)]
[JsonSerializable(typeof(ScanRow))]
[JsonSerializable(typeof(ScanRow[]))]
internal sealed partial class ScanJsonContext : JsonSerializerContext;

/// <summary>One object per line (<c>--format jsonl</c>); the same member rules as <see cref="ScanJsonContext"/>.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = false,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    MaxDepth = 16)]
[JsonSerializable(typeof(ScanRow))]
internal sealed partial class ScanJsonLineContext : JsonSerializerContext;
