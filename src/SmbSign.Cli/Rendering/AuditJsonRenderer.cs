using System.Text.Encodings.Web;
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
    public const int SchemaVersion = AuditJsonDocument.CurrentSchemaVersion;

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

            JsonSerializer.Serialize(writer, ToDto(machine, report), AuditJsonContext.Default.AuditJsonMachine);
            writer.Flush();
        }

        writer.WriteEndArray();
        writer.WriteString("benchmark", report.Benchmark);
        writer.WritePropertyName("summary");
        JsonSerializer.Serialize(writer, ToDto(report.Summary), AuditJsonContext.Default.AuditJsonSummary);
        writer.WritePropertyName("problems");
        JsonSerializer.Serialize(writer, report.Problems, AuditJsonContext.Default.IReadOnlyListString);
        writer.WritePropertyName("warnings");
        JsonSerializer.Serialize(writer, report.Warnings, AuditJsonContext.Default.IReadOnlyListString);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>The value as JSON text: a string or null (<see cref="AuditFormatting.JsonText"/>).</summary>
    public static string? ToJson(SettingValue? value) => AuditFormatting.JsonText(value);

    private static AuditJsonMachine ToDto(MachineAudit machine, AuditReport report) => new()
    {
        Name = machine.Name,
        Os = machine.Os?.Id,
        OsName = machine.Os?.DisplayName,
        OsOrigin = machine.OsOrigin,
        Role = RulePackLoader.RoleToken(machine.Role),
        Benchmark = machine.Benchmark.Id,
        BenchmarkName = machine.Benchmark.DisplayName,
        BenchmarkOrigin = machine.BenchmarkOrigin,
        Description = machine.Description,
        Sources = [.. machine.Sources.Select(s => new AuditJsonSource { Path = s.Path, Format = FormatToken(s.Format), Errors = s.Errors, Warnings = s.Warnings, Settings = s.Settings })],
        Diagnostics = [.. machine.Diagnostics.Select(ToDto)],
        Notes = machine.Notes,
        Verdict = machine.Passed ? "pass" : "fail",
        Failing = [.. machine.FailingFindings.Select(f => f.Rule.Id)],
        Counts = new AuditJsonCounts
        {
            Pass = machine.Count(AuditStatus.Pass),
            Fail = machine.Count(AuditStatus.Fail),
            NotApplicable = machine.Count(AuditStatus.NotApplicable),
            Error = machine.Count(AuditStatus.Error),
            NotConfigured = machine.Findings.Count(f => f.NotConfigured),
        },
        Results = [.. machine.Findings.Where(report.Shows).Select(ToDto)],
    };

    private static AuditJsonResult ToDto(AuditFinding f)
    {
        AuditRule rule = f.Rule;
        return new AuditJsonResult
        {
            Rule = rule.Id,
            Item = rule.Item,
            Title = rule.Title,
            Level = rule.Level == BenchmarkLevel.None ? null : rule.Level.ToString(),
            Setting = rule.Setting.Id,
            Registry = new AuditJsonRegistry { Key = rule.Registry.Key, ValueName = rule.Registry.ValueName, Type = rule.Registry.Type.ToRegName() },
            Status = f.Status.ToToken(),
            Operator = rule.Operator.ToToken(),
            Expected = ToJson(rule.Target),
            Allowed = rule.Operator == RuleOperator.OneOf ? [.. rule.Expected.Select(e => ToJson(e) ?? string.Empty)] : null,
            Configured = ToJson(f.Configured),
            Stored = f.Stored,
            Effective = ToJson(f.Effective),
            EffectiveSource = f.EffectiveSource,
            EffectiveCompliant = f.EffectiveCompliant,
            NotConfigured = f.NotConfigured,
            StrictFailure = f.StrictFailure,
            Reason = f.Reason,
            Layer = f.Layer?.ToToken(),
            Source = f.Source?.ToString(),
            SourceFile = f.Source?.File,
            SourceLine = f.Source is { Line: > 0 } line ? line.Line : null,
            SourceByteOffset = f.Source is { ByteOffset: >= 0 } offset ? offset.ByteOffset : null,
            Note = f.Note,
            Overridden = f.Overridden.Count == 0 ? null : [.. f.Overridden.Select(o => new AuditJsonOverridden { Value = ToJson(o.Value), Stored = o.Stored, Layer = o.Layer.ToToken(), Source = o.Location.ToString() })],
        };
    }

    private static AuditJsonDiagnostic ToDto(SourceDiagnostic d) => new()
    {
        Severity = d.Severity.ToString().ToLowerInvariant(),
        Code = d.Code,
        Message = d.Message,
        File = d.Location.File,
        Line = d.Location.Line > 0 ? d.Location.Line : null,
        ByteOffset = d.Location.ByteOffset >= 0 ? d.Location.ByteOffset : null,
        Location = d.Location.ToString(),
    };

    private static AuditJsonSummary ToDto(FleetSummary s) => new()
    {
        Machines = s.Machines,
        MachinesFailing = s.MachinesFailing,
        MachinesPassing = s.MachinesPassing,
        FailingMachines = s.FailingMachines,
        MachinesWithUnreadableSources = s.MachinesWithUnreadableSources,
        Pass = s.Pass,
        Fail = s.Fail,
        NotConfigured = s.NotConfigured,
        StrictFailures = s.StrictFailures,
        NotApplicable = s.NotApplicable,
        Error = s.Error,
        Rules = [.. s.Rules.Select(r => new AuditJsonRuleSummary
        {
            Benchmark = r.Benchmark, Rule = r.Rule.Id, Item = r.Rule.Item, Setting = r.Rule.Setting.Id, Title = r.Rule.Title, Pass = r.Pass,
            PassByDefault = r.PassByDefault, Fail = r.Fail, FailNotConfigured = r.FailNotConfigured, NotApplicable = r.NotApplicable, Error = r.Error,
        })],
    };

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
