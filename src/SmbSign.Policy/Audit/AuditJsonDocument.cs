using System.Text.Json.Serialization;

namespace SmbSign.Policy.Audit;

/// <summary>
/// The document <c>smbsign audit --format json</c> writes (schema version 2; docs/cli/audit.md, docs/schemas/audit.schema.json).
/// One definition for both directions: the CLI's renderer serializes these records and <c>smbsign fix --from</c> deserializes
/// them with the same <see cref="AuditJsonContext"/>, so a field the writer does not write cannot be read. A C#
/// <c>required</c> member is written on every object (a nullable one as <c>null</c>); a member that is not required is the
/// writer's "left out when null". The renderer streams the document (header, then one machine at a time, then the
/// trailer) instead of serializing this record whole, so memory does not grow with the fleet.
/// </summary>
public sealed record AuditJsonDocument
{
    /// <summary>The schema version this record describes.</summary>
    public const int CurrentSchemaVersion = 2;

    public required int SchemaVersion { get; init; }

    public required string GeneratedAt { get; init; }

    public required string ToolVersion { get; init; }

    public required string Tool { get; init; }

    public required bool Strict { get; init; }

    public required bool FailuresOnly { get; init; }

    public required IReadOnlyList<AuditJsonMachine> Machines { get; init; }

    /// <summary>The one benchmark every machine used, or <c>per-machine</c>; after the machines (streamed).</summary>
    public required string Benchmark { get; init; }

    public required AuditJsonSummary Summary { get; init; }

    public required IReadOnlyList<string> Problems { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }
}

/// <summary>One machine of <c>machines[]</c>.</summary>
public sealed record AuditJsonMachine
{
    public required string Name { get; init; }

    public required string? Os { get; init; }

    public required string? OsName { get; init; }

    public required string OsOrigin { get; init; }

    public required string Role { get; init; }

    public required string Benchmark { get; init; }

    public required string BenchmarkName { get; init; }

    public required string BenchmarkOrigin { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; init; }

    public required IReadOnlyList<AuditJsonSource> Sources { get; init; }

    public required IReadOnlyList<AuditJsonDiagnostic> Diagnostics { get; init; }

    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary><c>pass</c> or <c>fail</c>.</summary>
    public required string Verdict { get; init; }

    /// <summary>The rule ids that fail.</summary>
    public required IReadOnlyList<string> Failing { get; init; }

    public required AuditJsonCounts Counts { get; init; }

    public required IReadOnlyList<AuditJsonResult> Results { get; init; }
}

/// <summary>One input file of a machine.</summary>
public sealed record AuditJsonSource
{
    public required string Path { get; init; }

    /// <summary><c>reg</c>, <c>security-template</c>, <c>registry-pol</c>, <c>gpo</c>, ...</summary>
    public required string Format { get; init; }

    public required int Errors { get; init; }

    public required int Warnings { get; init; }

    public required int Settings { get; init; }
}

/// <summary>A reader's diagnostic about a source file.</summary>
public sealed record AuditJsonDiagnostic
{
    /// <summary><c>error</c>, <c>warning</c> or <c>info</c>.</summary>
    public required string Severity { get; init; }

    public required string Code { get; init; }

    public required string Message { get; init; }

    public required string File { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Line { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ByteOffset { get; init; }

    public required string Location { get; init; }
}

/// <summary>A machine's result counts.</summary>
public sealed record AuditJsonCounts
{
    public required int Pass { get; init; }

    public required int Fail { get; init; }

    public required int NotApplicable { get; init; }

    public required int Error { get; init; }

    public required int NotConfigured { get; init; }
}

/// <summary>The registry value a rule is about, with its explicit type (<c>REG_DWORD</c>, ...).</summary>
public sealed record AuditJsonRegistry
{
    public required string Key { get; init; }

    public required string ValueName { get; init; }

    public required string Type { get; init; }
}

/// <summary>One rule's result on one machine. <see cref="Expected"/>, <see cref="Configured"/>, <see cref="Effective"/>
/// (and <see cref="Allowed"/>' items) are text whatever the registry type: decimal for REG_DWORD/REG_QWORD, as is for
/// REG_SZ, items joined with "\n" for REG_MULTI_SZ; null is absent or unknown.</summary>
public sealed record AuditJsonResult
{
    public required string Rule { get; init; }

    public required string? Item { get; init; }

    public required string Title { get; init; }

    /// <summary><c>L1</c>, <c>L2</c>, or null when the benchmark has no levels.</summary>
    public required string? Level { get; init; }

    public required string Setting { get; init; }

    public required AuditJsonRegistry Registry { get; init; }

    /// <summary><c>pass</c>, <c>fail</c>, <c>not-applicable</c> or <c>error</c>.</summary>
    public required string Status { get; init; }

    public required string Operator { get; init; }

    public required string? Expected { get; init; }

    /// <summary>One-of rules only: every allowed value.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Allowed { get; init; }

    public required string? Configured { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Stored { get; init; }

    public required string? Effective { get; init; }

    public required string? EffectiveSource { get; init; }

    public required bool? EffectiveCompliant { get; init; }

    public required bool NotConfigured { get; init; }

    public required bool StrictFailure { get; init; }

    public required string? Reason { get; init; }

    public required string? Layer { get; init; }

    public required string? Source { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SourceFile { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SourceLine { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SourceByteOffset { get; init; }

    public required string? Note { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<AuditJsonOverridden>? Overridden { get; init; }
}

/// <summary>A value that a higher-precedence layer overrode.</summary>
public sealed record AuditJsonOverridden
{
    public required string? Value { get; init; }

    public required string Stored { get; init; }

    public required string Layer { get; init; }

    public required string Source { get; init; }
}

/// <summary>The fleet summary.</summary>
public sealed record AuditJsonSummary
{
    public required int Machines { get; init; }

    public required int MachinesFailing { get; init; }

    public required int MachinesPassing { get; init; }

    public required IReadOnlyList<string> FailingMachines { get; init; }

    public required int MachinesWithUnreadableSources { get; init; }

    public required int Pass { get; init; }

    public required int Fail { get; init; }

    public required int NotConfigured { get; init; }

    public required int StrictFailures { get; init; }

    public required int NotApplicable { get; init; }

    public required int Error { get; init; }

    public required IReadOnlyList<AuditJsonRuleSummary> Rules { get; init; }
}

/// <summary>One rule's counts over the fleet.</summary>
public sealed record AuditJsonRuleSummary
{
    public required string Benchmark { get; init; }

    public required string Rule { get; init; }

    public required string? Item { get; init; }

    public required string Setting { get; init; }

    public required string Title { get; init; }

    public required int Pass { get; init; }

    public required int PassByDefault { get; init; }

    public required int Fail { get; init; }

    public required int FailNotConfigured { get; init; }

    public required int NotApplicable { get; init; }

    public required int Error { get; init; }
}

/// <summary>
/// Source-generated (no reflection: the CLI is published NativeAOT) metadata for <see cref="AuditJsonDocument"/>. Reading is
/// closed: an unknown member (<see cref="JsonUnmappedMemberHandling.Disallow"/>), a missing required member or a null in a
/// non-nullable one is a <see cref="System.Text.Json.JsonException"/> with the line and byte of the offending token.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    MaxDepth = 64)]
[JsonSerializable(typeof(AuditJsonDocument))]
[JsonSerializable(typeof(AuditJsonMachine))]
[JsonSerializable(typeof(AuditJsonSummary))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
public sealed partial class AuditJsonContext : JsonSerializerContext;
