using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Cli.Rendering;

/// <summary>
/// <c>smbsign audit --format json</c>. The remediation helper (<c>smbsign fix --from AUDIT.json</c>) reads this: every
/// result names the catalog setting (<c>setting</c>), the registry value with its explicit type (<c>registry</c>) and the
/// value to write (<c>expected</c>, a typed JSON value). Field meanings: docs/cli/audit.md.
/// </summary>
internal static class AuditJsonRenderer
{
    /// <summary>Schema version of the report; bumped when a field changes meaning.</summary>
    public const int SchemaVersion = 1;

    public static string Render(AuditReport report) => JsonSerializer.Serialize(Build(report), AuditJsonContext.Default.AuditReportDto);

    /// <summary>Writes the report to <paramref name="stream"/> as UTF-8 without building it as one string (large fleets).</summary>
    public static void Render(AuditReport report, Stream stream) => JsonSerializer.Serialize(stream, Build(report), AuditJsonContext.Default.AuditReportDto);

    private static AuditReportDto Build(AuditReport report)
    {
        return new(
            SchemaVersion,
            report.Benchmark,
            report.Strict,
            "smbsign " + report.ToolVersion,
            [.. report.Machines.Select(ToDto)],
            ToDto(report.Summary),
            report.Problems,
            report.Warnings);
    }

    /// <summary>A typed JSON value: numbers as numbers, text as strings, lists as arrays.</summary>
    public static JsonNode? ToJson(SettingValue? value) => value?.Kind switch
    {
        null => null,
        SettingValueKind.Number => JsonValue.Create(value.Number),
        SettingValueKind.Text => JsonValue.Create(value.Text),
        _ => new JsonArray([.. value.Items.Select(i => (JsonNode?)JsonValue.Create(i))]),
    };

    private static MachineDto ToDto(MachineAudit machine) => new(
        machine.Name,
        machine.Os?.Id,
        machine.Os?.DisplayName,
        machine.OsOrigin,
        RulePackLoader.RoleToken(machine.Role),
        machine.Benchmark.Id,
        machine.Benchmark.DisplayName,
        machine.BenchmarkOrigin,
        machine.Description,
        [.. machine.Sources.Select(s => new SourceDto(s.Path, FormatToken(s.Format), s.Errors, s.Warnings, s.Settings))],
        [.. machine.Diagnostics.Select(ToDto)],
        machine.Notes,
        new CountsDto(
            machine.Count(AuditStatus.Pass),
            machine.Count(AuditStatus.Fail),
            machine.Count(AuditStatus.NotConfigured),
            machine.Count(AuditStatus.NotApplicable),
            machine.Count(AuditStatus.Error)),
        [.. machine.Findings.Select(ToDto)]);

    private static ResultDto ToDto(AuditFinding f)
    {
        AuditRule rule = f.Rule;
        return new ResultDto(
            rule.Id,
            rule.Item,
            rule.Title,
            rule.Level == BenchmarkLevel.None ? null : rule.Level.ToString(),
            rule.Setting.Id,
            new RegistryDto(rule.Registry.Key, rule.Registry.ValueName, rule.Registry.Type.ToDisplayString()),
            f.Status.ToToken(),
            rule.Operator.ToToken(),
            ToJson(rule.Target),
            rule.Operator == RuleOperator.OneOf ? new JsonArray([.. rule.Expected.Select(ToJson)]) : null,
            ToJson(f.Configured),
            f.Stored,
            ToJson(f.Effective),
            f.EffectiveSource,
            f.EffectiveCompliant,
            f.StrictFailure,
            f.Layer?.ToToken(),
            f.Source?.ToString(),
            f.Source?.File,
            f.Source is { Line: > 0 } line ? line.Line : null,
            f.Source is { ByteOffset: >= 0 } offset ? offset.ByteOffset : null,
            f.Note,
            f.Overridden.Count == 0 ? null : [.. f.Overridden.Select(o => new OverriddenDto(ToJson(o.Value), o.Stored, o.Layer.ToToken(), o.Location.ToString()))]);
    }

    private static DiagnosticDto ToDto(SourceDiagnostic d) => new(
        d.Severity.ToString().ToLowerInvariant(),
        d.Code,
        d.Message,
        d.Location.File,
        d.Location.Line > 0 ? d.Location.Line : null,
        d.Location.ByteOffset >= 0 ? d.Location.ByteOffset : null,
        d.Location.ToString());

    private static SummaryDto ToDto(FleetSummary s) => new(
        s.Machines,
        s.MachinesFailing,
        s.MachinesWithUnreadableSources,
        s.Pass,
        s.Fail,
        s.NotConfigured,
        s.StrictFailures,
        s.NotApplicable,
        s.Error,
        [.. s.Rules.Select(r => new RuleSummaryDto(r.Benchmark, r.Rule.Id, r.Rule.Item, r.Rule.Setting.Id, r.Rule.Title, r.Pass, r.Fail, r.NotConfigured, r.NotConfiguredNonCompliant, r.NotApplicable, r.Error))]);

    /// <summary>reg, security-template, registry-pol, powershell-json, intune-json, smb-conf, nsmb-conf, ...</summary>
    public static string FormatToken(SourceFormat format) => format switch
    {
        SourceFormat.Reg => "reg",
        SourceFormat.SecurityTemplate => "security-template",
        SourceFormat.RegistryPol => "registry-pol",
        SourceFormat.GpoBackup => "gpo",
        SourceFormat.PowerShellJson => "powershell-json",
        SourceFormat.IntuneJson => "intune-json",
        SourceFormat.SmbConf => "smb-conf",
        SourceFormat.NsmbConf => "nsmb-conf",
        SourceFormat.LiveRegistry => "live-registry",
        _ => "unknown",
    };
}

internal sealed record AuditReportDto(
    int SchemaVersion,
    string Benchmark,
    bool Strict,
    string Tool,
    IReadOnlyList<MachineDto> Machines,
    SummaryDto Summary,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Warnings);

internal sealed record MachineDto(
    string Name,
    string? Os,
    string? OsName,
    string OsOrigin,
    string Role,
    string Benchmark,
    string BenchmarkName,
    string BenchmarkOrigin,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    IReadOnlyList<SourceDto> Sources,
    IReadOnlyList<DiagnosticDto> Diagnostics,
    IReadOnlyList<string> Notes,
    CountsDto Counts,
    IReadOnlyList<ResultDto> Results);

internal sealed record SourceDto(string Path, string Format, int Errors, int Warnings, int Settings);

internal sealed record DiagnosticDto(
    string Severity,
    string Code,
    string Message,
    string File,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Line,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ByteOffset,
    string Location);

internal sealed record CountsDto(int Pass, int Fail, int NotConfigured, int NotApplicable, int Error);

internal sealed record RegistryDto(string Key, string ValueName, string Type);

internal sealed record ResultDto(
    string Rule,
    string? Item,
    string Title,
    string? Level,
    string Setting,
    RegistryDto Registry,
    string Status,
    string Operator,
    JsonNode? Expected,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonNode? Allowed,
    JsonNode? Configured,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Stored,
    JsonNode? Effective,
    string? EffectiveSource,
    bool? EffectiveCompliant,
    bool StrictFailure,
    string? Layer,
    string? Source,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceFile,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SourceLine,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? SourceByteOffset,
    string? Note,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<OverriddenDto>? Overridden);

internal sealed record OverriddenDto(JsonNode? Value, string Stored, string Layer, string Source);

internal sealed record SummaryDto(
    int Machines,
    int MachinesFailing,
    int MachinesWithUnreadableSources,
    int Pass,
    int Fail,
    int NotConfigured,
    int StrictFailures,
    int NotApplicable,
    int Error,
    IReadOnlyList<RuleSummaryDto> Rules);

internal sealed record RuleSummaryDto(
    string Benchmark,
    string Rule,
    string? Item,
    string Setting,
    string Title,
    int Pass,
    int Fail,
    int NotConfigured,
    int NotConfiguredNonCompliant,
    int NotApplicable,
    int Error);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AuditReportDto))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
