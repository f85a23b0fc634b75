using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Cli.Rendering;

/// <summary>
/// <c>smbsign audit --format sarif</c>: SARIF 2.1.0 for code-scanning dashboards. One run; <c>tool.driver.rules</c> holds
/// every rule used (id <c>BENCHMARK/RULE</c>, help naming the registry value and expected value); results are the findings
/// that need attention: <c>fail</c> and <c>error</c> (level error), <c>not-configured</c> (warning when the benchmark's
/// strict reading counts it and the effective value is not known to comply, note otherwise). Each result points at the
/// file and line (or byte offset) of the value, or at the machine's first source when nothing sets it.
/// </summary>
internal static class AuditSarifRenderer
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    public static string Render(AuditReport report) => JsonSerializer.Serialize(Build(report), SarifJsonContext.Default.SarifLog);

    /// <summary>Writes the log to <paramref name="stream"/> as UTF-8 without building it as one string.</summary>
    public static void Render(AuditReport report, Stream stream) => JsonSerializer.Serialize(stream, Build(report), SarifJsonContext.Default.SarifLog);

    private static SarifLog Build(AuditReport report)
    {
        List<SarifRule> rules = [];
        Dictionary<string, int> ruleIndex = new(StringComparer.Ordinal);
        List<SarifResult> results = [];
        foreach (MachineAudit machine in report.Machines)
        {
            foreach (AuditFinding f in machine.Findings)
            {
                string id = RuleId(machine.Benchmark, f.Rule);
                if (!ruleIndex.TryGetValue(id, out int index))
                {
                    index = rules.Count;
                    ruleIndex.Add(id, index);
                    rules.Add(ToRule(id, machine.Benchmark, f.Rule));
                }

                string? level = f.Status switch
                {
                    AuditStatus.Fail or AuditStatus.Error => "error",
                    AuditStatus.NotConfigured => f.StrictFailure && f.EffectiveCompliant != true ? "warning" : "note",
                    _ => null,
                };
                if (level is null)
                {
                    continue;
                }

                SourceLocation? location = f.Source;
                string file = location?.File ?? (machine.Sources.Count > 0 ? machine.Sources[0].Path : machine.Name);
                SarifRegion? region = location switch
                {
                    { Line: > 0 } l => new SarifRegion(l.Line, null),
                    { ByteOffset: >= 0 } l => new SarifRegion(null, l.ByteOffset),
                    _ => null,
                };
                results.Add(new SarifResult(
                    id,
                    index,
                    level,
                    "fail",
                    new SarifMessage(Message(machine, f)),
                    [new SarifLocation(new SarifPhysicalLocation(new SarifArtifactLocation(ToUri(file)), region))],
                    new SarifResultProperties(machine.Name, machine.Os?.Id, f.Status.ToToken(), f.Rule.Setting.Id, f.Configured?.ToString(), f.Effective?.ToString())));
            }
        }

        SarifLog log = new(
            SchemaUri,
            "2.1.0",
            [new SarifRun(new SarifTool(new SarifDriver("smbsign", report.ToolVersion, rules)), results)]);
        return log;
    }

    /// <summary>A relative path as a URI reference with '/' separators and escaped segments; an absolute path as a file URI.</summary>
    public static string ToUri(string path)
    {
        if (Path.IsPathFullyQualified(path))
        {
            return new Uri(path).AbsoluteUri;
        }

        string[] segments = path.Replace('\\', '/').Split('/');
        return string.Join('/', segments.Select(s => s is "." or ".." ? s : Uri.EscapeDataString(s)));
    }

    private static string RuleId(RulePack pack, AuditRule rule) => pack.Id + "/" + rule.Id;

    private static SarifRule ToRule(string id, RulePack pack, AuditRule rule)
    {
        StringBuilder help = new();
        help.Append(rule.Title).Append(". Expected ").Append(rule.DescribeExpected())
            .Append(" at ").Append(rule.Registry.FullPath).Append(" (").Append(rule.Registry.Type.ToDisplayString()).Append(").");
        if (rule.Note is not null)
        {
            help.Append(' ').Append(rule.Note);
        }

        return new SarifRule(
            id,
            rule.Setting.Id,
            new SarifMessage(rule.Title),
            new SarifMessage($"{pack.DisplayName} {(rule.Item is null ? string.Empty : "item " + rule.Item + ": ")}{rule.Setting.Summary}"),
            new SarifMessage(help.ToString()),
            new SarifRuleProperties(pack.Id, rule.Item, rule.Level == BenchmarkLevel.None ? null : rule.Level.ToString(), rule.Setting.Id, ["security", "smb-signing"]));
    }

    private static string Message(MachineAudit machine, AuditFinding f)
    {
        string what = f.Status switch
        {
            AuditStatus.Fail when f.Configured is not null => $"configured {f.Configured}, expected {f.Rule.DescribeExpected()}",
            AuditStatus.Fail => $"expected {f.Rule.DescribeExpected()}",
            AuditStatus.NotConfigured => $"not configured (effective {f.Effective?.ToString() ?? "unknown"}), expected {f.Rule.DescribeExpected()}",
            _ => "could not be decided",
        };
        return $"{machine.Name}: {f.Rule.Id} {f.Status.ToToken()}: {what}" + (f.Note is null ? "." : $". {f.Note}");
    }
}

internal sealed record SarifLog([property: JsonPropertyName("$schema")] string Schema, string Version, IReadOnlyList<SarifRun> Runs);

internal sealed record SarifRun(SarifTool Tool, IReadOnlyList<SarifResult> Results);

internal sealed record SarifTool(SarifDriver Driver);

internal sealed record SarifDriver(string Name, string Version, IReadOnlyList<SarifRule> Rules);

internal sealed record SarifRule(string Id, string Name, SarifMessage ShortDescription, SarifMessage FullDescription, SarifMessage Help, SarifRuleProperties Properties);

internal sealed record SarifRuleProperties(
    string Benchmark,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Item,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Level,
    string Setting,
    IReadOnlyList<string> Tags);

internal sealed record SarifMessage(string Text);

internal sealed record SarifResult(
    string RuleId,
    int RuleIndex,
    string Level,
    string Kind,
    SarifMessage Message,
    IReadOnlyList<SarifLocation> Locations,
    SarifResultProperties Properties);

internal sealed record SarifResultProperties(
    string Machine,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Os,
    string Status,
    string Setting,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Configured,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Effective);

internal sealed record SarifLocation(SarifPhysicalLocation PhysicalLocation);

internal sealed record SarifPhysicalLocation(
    SarifArtifactLocation ArtifactLocation,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SarifRegion? Region);

internal sealed record SarifArtifactLocation(string Uri);

internal sealed record SarifRegion(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? StartLine,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ByteOffset);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SarifLog))]
internal sealed partial class SarifJsonContext : JsonSerializerContext;
