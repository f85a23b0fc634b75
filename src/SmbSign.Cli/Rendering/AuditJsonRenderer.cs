using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using System.Text.Json;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Cli.Rendering;

/// <summary>
/// <c>smbsign audit --format json</c>. The remediation helper (<c>smbsign fix --from AUDIT.json</c>) reads this: every
/// result names the catalog setting (<c>setting</c>), the registry value with its explicit type (<c>registry</c>) and the
/// value to write (<c>expected</c>). <c>expected</c>, <c>configured</c> and <c>effective</c> are always a JSON string or
/// null, whatever the registry type (one type per field). The report is written machine by machine as the machines are
/// audited (<see cref="Utf8JsonWriter"/>, flushed after each), so memory does not grow with the fleet; the top-level
/// <c>benchmark</c> and the <c>summary</c> therefore follow the machines. Field meanings: docs/cli/audit.md.
/// </summary>
internal static class AuditJsonRenderer
{
    /// <summary>Schema version of the report; bumped when a field changes meaning (2: values are strings, pass/fail by
    /// the effective value, machine verdicts).</summary>
    public const int SchemaVersion = 2;

    public static string Render(AuditReport report)
    {
        using MemoryStream stream = new();
        Render(report, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the report to <paramref name="stream"/> as UTF-8, one machine at a time.</summary>
    public static void Render(AuditReport report, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(stream);
        using Utf8JsonWriter writer = new(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteNumber("schemaVersion", SchemaVersion);
        ReportMetadata.Write(writer, report.Time);
        writer.WriteString("tool", "smbsign " + report.ToolVersion);
        writer.WriteBoolean("strict", report.Strict);
        writer.WriteBoolean("failuresOnly", report.FailuresOnly);
        writer.WriteStartArray("machines");
        foreach (MachineAudit machine in report.Machines)
        {
            if (!report.Shows(machine))
            {
                continue;
            }

            JsonSerializer.Serialize(writer, ToDto(machine, report), AuditJsonContext.Default.MachineDto);
            writer.Flush();
        }

        writer.WriteEndArray();
        writer.WriteString("benchmark", report.Benchmark);
        writer.WritePropertyName("summary");
        JsonSerializer.Serialize(writer, ToDto(report.Summary), AuditJsonContext.Default.SummaryDto);
        writer.WritePropertyName("problems");
        JsonSerializer.Serialize(writer, report.Problems, AuditJsonContext.Default.IReadOnlyListString);
        writer.WritePropertyName("warnings");
        JsonSerializer.Serialize(writer, report.Warnings, AuditJsonContext.Default.IReadOnlyListString);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>The value as JSON text: a string or null (<see cref="AuditFormatting.JsonText"/>).</summary>
    public static string? ToJson(SettingValue? value) => AuditFormatting.JsonText(value);

    private static MachineDto ToDto(MachineAudit machine, AuditReport report) => new(
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
        machine.Passed ? "pass" : "fail",
        [.. machine.FailingFindings.Select(f => f.Rule.Id)],
        new CountsDto(
            machine.Count(AuditStatus.Pass),
            machine.Count(AuditStatus.Fail),
            machine.Count(AuditStatus.NotApplicable),
            machine.Count(AuditStatus.Error),
            machine.Findings.Count(f => f.NotConfigured)),
        [.. machine.Findings.Where(report.Shows).Select(ToDto)]);

    private static ResultDto ToDto(AuditFinding f)
    {
        AuditRule rule = f.Rule;
        return new ResultDto(
            rule.Id,
            rule.Item,
            rule.Title,
            rule.Level == BenchmarkLevel.None ? null : rule.Level.ToString(),
            rule.Setting.Id,
            new RegistryDto(rule.Registry.Key, rule.Registry.ValueName, rule.Registry.Type.ToRegName()),
            f.Status.ToToken(),
            rule.Operator.ToToken(),
            ToJson(rule.Target),
            rule.Operator == RuleOperator.OneOf ? [.. rule.Expected.Select(e => ToJson(e) ?? string.Empty)] : null,
            ToJson(f.Configured),
            f.Stored,
            ToJson(f.Effective),
            f.EffectiveSource,
            f.EffectiveCompliant,
            f.NotConfigured,
            f.StrictFailure,
            f.Reason,
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
        s.MachinesPassing,
        s.FailingMachines,
        s.MachinesWithUnreadableSources,
        s.Pass,
        s.Fail,
        s.NotConfigured,
        s.StrictFailures,
        s.NotApplicable,
        s.Error,
        [.. s.Rules.Select(r => new RuleSummaryDto(r.Benchmark, r.Rule.Id, r.Rule.Item, r.Rule.Setting.Id, r.Rule.Title, r.Pass, r.PassByDefault, r.Fail, r.FailNotConfigured, r.NotApplicable, r.Error))]);

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
    string Verdict,
    IReadOnlyList<string> Failing,
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

internal sealed record CountsDto(int Pass, int Fail, int NotApplicable, int Error, int NotConfigured);

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
    string? Expected,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Allowed,
    string? Configured,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Stored,
    string? Effective,
    string? EffectiveSource,
    bool? EffectiveCompliant,
    bool NotConfigured,
    bool StrictFailure,
    string? Reason,
    string? Layer,
    string? Source,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceFile,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SourceLine,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? SourceByteOffset,
    string? Note,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<OverriddenDto>? Overridden);

internal sealed record OverriddenDto(string? Value, string Stored, string Layer, string Source);

internal sealed record SummaryDto(
    int Machines,
    int MachinesFailing,
    int MachinesPassing,
    IReadOnlyList<string> FailingMachines,
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
    int PassByDefault,
    int Fail,
    int FailNotConfigured,
    int NotApplicable,
    int Error);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MachineDto))]
[JsonSerializable(typeof(SummaryDto))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
