using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Cli.Rendering;

/// <summary>
/// <c>smbsign audit --format sarif</c>: SARIF 2.1.0 as GitHub code scanning accepts it. One run; <c>tool.driver.rules</c>
/// holds every rule the audit can use (id <c>BENCHMARK/RULE</c>, help naming the registry value and expected value,
/// <c>properties.security-severity</c>); results are the findings that make a machine fail: <c>fail</c> and
/// <c>error</c>, level error. A value that is not configured but whose OS default complies passes and is not a result.
/// Every result has a location with <c>region.startLine</c> at least 1: the line of the value, line 1 for a binary
/// source (Registry.pol; the byte offset is in <c>properties.byteOffset</c>) and for a value no source sets (the
/// machine's first source). Written result by result as machines are audited, so memory does not grow with the fleet.
/// </summary>
internal static class AuditSarifRenderer
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>GitHub's scale (0.1-10): a CIS Level 1 item is high (7.5), Level 2 or an unlevelled baseline item medium (5.0).</summary>
    public static string SecuritySeverity(AuditRule rule) => rule.Level == BenchmarkLevel.L1 ? "7.5" : "5.0";

    public static string Render(AuditReport report, IReadOnlyList<RulePack> packs)
    {
        using MemoryStream stream = new();
        Render(report, packs, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the log to <paramref name="stream"/>; <paramref name="packs"/> are the packs the audit can use.</summary>
    public static void Render(AuditReport report, IReadOnlyList<RulePack> packs, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(packs);
        ArgumentNullException.ThrowIfNull(stream);
        Dictionary<string, int> ruleIndex = new(StringComparer.Ordinal);
        List<SarifRule> rules = [];
        foreach (RulePack pack in packs)
        {
            foreach (AuditRule rule in pack.Rules)
            {
                string id = RuleId(pack, rule);
                if (ruleIndex.TryAdd(id, rules.Count))
                {
                    rules.Add(ToRule(id, pack, rule));
                }
            }
        }

        using Utf8JsonWriter writer = new(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString("$schema", SchemaUri);
        writer.WriteString("version", "2.1.0");
        writer.WriteStartArray("runs");
        writer.WriteStartObject();
        writer.WritePropertyName("tool");
        JsonSerializer.Serialize(writer, new SarifTool(new SarifDriver("smbsign", report.ToolVersion, rules)), SarifJsonContext.Default.SarifTool);
        writer.WriteStartArray("results");
        foreach (MachineAudit machine in report.Machines)
        {
            foreach (AuditFinding f in machine.Findings)
            {
                if (!f.IsFailing)
                {
                    continue;
                }

                string id = RuleId(machine.Benchmark, f.Rule);
                SourceLocation? location = f.Source;
                string file = location?.File ?? (machine.Sources.Count > 0 ? machine.Sources[0].Path : machine.Name);
                SarifRegion region = new(location is { Line: > 0 } l ? l.Line : 1);
                JsonSerializer.Serialize(
                    writer,
                    new SarifResult(
                        id,
                        ruleIndex.TryGetValue(id, out int index) ? index : null,
                        "error",
                        "fail",
                        new SarifMessage(Message(machine, f)),
                        [new SarifLocation(new SarifPhysicalLocation(new SarifArtifactLocation(ToUri(file)), region))],
                        new SarifResultProperties(
                            machine.Name,
                            machine.Os?.Id,
                            f.Status.ToToken(),
                            f.Reason,
                            f.Rule.Setting.Id,
                            AuditFormatting.JsonText(f.Configured),
                            AuditFormatting.JsonText(f.Effective),
                            location is { Line: <= 0, ByteOffset: >= 0 } b ? b.ByteOffset : null)),
                    SarifJsonContext.Default.SarifResult);
            }

            writer.Flush();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("properties");
        ReportMetadata.Write(writer, report.Time);
        writer.WriteBoolean("strict", report.Strict);
        writer.WriteNumber("machines", report.Summary.Machines);
        writer.WriteNumber("machinesFailing", report.Summary.MachinesFailing);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
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
            .Append(" at ").Append(rule.Registry.FullPath).Append(" (").Append(rule.Registry.Type.ToRegName()).Append(").");
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
            new SarifRuleProperties(pack.Id, rule.Item, rule.Level == BenchmarkLevel.None ? null : rule.Level.ToString(), rule.Setting.Id, SecuritySeverity(rule), ["security", "smb-signing"]),
            new SarifConfiguration("error"));
    }

    private static string Message(MachineAudit machine, AuditFinding f)
    {
        string what = f.Status switch
        {
            AuditStatus.Fail when f.Configured is not null => $"configured {f.Configured}, expected {f.Rule.DescribeExpected()}",
            AuditStatus.Fail when f.NotConfigured => $"not configured (effective {f.Effective?.ToString() ?? "unknown"}), expected {f.Rule.DescribeExpected()}",
            AuditStatus.Fail => $"expected {f.Rule.DescribeExpected()}",
            _ => "could not be decided",
        };
        return $"{machine.Name}: {f.Rule.Id} {f.Status.ToToken()}: {what}" + (f.Note is null ? "." : $". {f.Note}");
    }
}

internal sealed record SarifTool(SarifDriver Driver);

internal sealed record SarifDriver(string Name, string Version, IReadOnlyList<SarifRule> Rules);

internal sealed record SarifRule(string Id, string Name, SarifMessage ShortDescription, SarifMessage FullDescription, SarifMessage Help, SarifRuleProperties Properties, SarifConfiguration DefaultConfiguration);

internal sealed record SarifConfiguration(string Level);

internal sealed record SarifRuleProperties(
    string Benchmark,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Item,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Level,
    string Setting,
    [property: JsonPropertyName("security-severity")] string SecuritySeverity,
    IReadOnlyList<string> Tags);

internal sealed record SarifMessage(string Text);

internal sealed record SarifResult(
    string RuleId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RuleIndex,
    string Level,
    string Kind,
    SarifMessage Message,
    IReadOnlyList<SarifLocation> Locations,
    SarifResultProperties Properties);

internal sealed record SarifResultProperties(
    string Machine,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Os,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    string Setting,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Configured,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Effective,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ByteOffset);

internal sealed record SarifLocation(SarifPhysicalLocation PhysicalLocation);

internal sealed record SarifPhysicalLocation(
    SarifArtifactLocation ArtifactLocation,
    SarifRegion Region);

internal sealed record SarifArtifactLocation(string Uri);

/// <summary>GitHub code scanning requires <c>startLine</c> (at least 1) on every result.</summary>
internal sealed record SarifRegion(int StartLine);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SarifTool))]
[JsonSerializable(typeof(SarifResult))]
internal sealed partial class SarifJsonContext : JsonSerializerContext;
