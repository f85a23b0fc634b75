using System.Text.Json.Serialization;

namespace SmbSign.Cli.Rendering;

/// <summary>The JSON document of <c>smbsign history --format json</c> (docs/cli/history.md); <c>generatedAt</c> and
/// <c>toolVersion</c> are stamped first (<see cref="ReportMetadata"/>).</summary>
internal sealed record HistoryJson(
    string Store,
    string? Since,
    string? Machine,
    int Runs,
    IReadOnlyList<HistoryComparisonJson> Comparisons,
    IReadOnlyList<HistoryTrendJson> Trend,
    HistorySummaryJson Summary);

internal sealed record HistoryComparisonJson(
    string Kind,
    IReadOnlyList<string> Inputs,
    HistoryRunJson From,
    HistoryRunJson To,
    IReadOnlyList<HistoryChangeJson> Regressed,
    IReadOnlyList<HistoryChangeJson> Fixed,
    IReadOnlyList<HistoryChangeJson> Changed,
    IReadOnlyList<HistorySubjectJson> Appeared,
    IReadOnlyList<HistorySubjectJson> Vanished);

internal sealed record HistoryRunJson(long Id, string GeneratedAt, string ToolVersion, string? RecordedBy);

internal sealed record HistoryChangeJson(string SubjectKind, string Subject, string Item, string? From, string? To, string? FromValue, string? ToValue);

internal sealed record HistorySubjectJson(string SubjectKind, string Subject);

internal sealed record HistoryTrendJson(string Kind, string Series, IReadOnlyList<HistoryTrendPointJson> Points);

internal sealed record HistoryTrendPointJson(string RunAt, int Passed, int Failed, int Other);

internal sealed record HistorySummaryJson(int Comparisons, int Regressed, int Fixed, int Changed, int Appeared, int Vanished);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HistoryJson))]
internal sealed partial class HistoryJsonContext : JsonSerializerContext;
