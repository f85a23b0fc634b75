using System.Globalization;
using System.Text.Json.Serialization;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Cli.Rendering;

/// <summary>The JSON document of <c>smbsign fix --format json</c> (docs/cli/fix.md): plain strings, numbers, booleans.</summary>
internal sealed record FixReport(
    int SchemaVersion,
    string Source,
    string? Benchmark,
    bool Strict,
    int Level,
    IReadOnlyList<string> Targets,
    string OutputDirectory,
    IReadOnlyList<FixMachineRow> Machines,
    int Breaking,
    int Uncertain);

internal sealed record FixMachineRow(
    string? Name,
    string? Os,
    string Directory,
    IReadOnlyList<FixSettingRow> Settings,
    IReadOnlyList<FixSkippedRow> Skipped,
    IReadOnlyList<FixFileRow> Files,
    IReadOnlyList<FixNotWrittenRow> NotWritten,
    IReadOnlyList<FixPatchEditRow> PatchEdits,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> ImpactWarnings,
    IReadOnlyList<FixNotRestoredRow> NotRestored,
    FixImpactRow Impact);

internal sealed record FixSettingRow(string Setting, string Title, string? Rule, string Reason, string Value, string Previous, string PreviousState, FixRegistryRow Registry, string? Note, string? ImpactWarning);

/// <summary>A value rollback.reg leaves alone because its previous state is unknown.</summary>
internal sealed record FixNotRestoredRow(string Setting, string Key, string ValueName, string Previous, string Restore);

internal sealed record FixRegistryRow(string Key, string ValueName, string Type);

internal sealed record FixSkippedRow(string Setting, string? Rule, string Reason);

internal sealed record FixFileRow(string Path, string Target, long Bytes, string Purpose);

internal sealed record FixNotWrittenRow(string Target, string Setting, string Reason);

internal sealed record FixPatchEditRow(string Kind, string Parameter, string? OldValue, string NewValue, int Line);

internal sealed record FixImpactRow(IReadOnlyList<FixImpactSectionRow> Sections, FixSigningCostRow? SigningCost, string? SigningCostUnavailable, int Breaking, int Uncertain);

internal sealed record FixImpactSectionRow(string Change, IReadOnlyList<string> Settings, int PeersChecked, int Compatible, IReadOnlyList<FixImpactFindingRow> Findings, string? Note);

internal sealed record FixImpactFindingRow(string Peer, string Level, string Reason);

internal sealed record FixSigningCostRow(string Algorithm, int MessageBytes, double GigabytesPerSecond, string Engine, double MillisecondsMeasured);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FixReport))]
internal sealed partial class FixJsonContext : JsonSerializerContext;

/// <summary>Conversions from the Policy model to the JSON rows, and shared wording.</summary>
internal static class FixRows
{
    public static FixSettingRow Setting(RemediationItem item) => new(
        item.Setting.Id,
        item.Setting.Title,
        item.RuleId,
        Reason(item.Reason),
        item.Target.ToString(),
        item.Previous.ToString(),
        item.Previous.State.ToString().ToLowerInvariant(),
        new FixRegistryRow(item.Setting.Registry.Key, item.Setting.Registry.ValueName, item.RegistryValue.Type.ToRegName()),
        item.Note,
        item.ImpactWarning);

    /// <summary>Where to get a value back that rollback.reg cannot restore.</summary>
    public const string RestoreHint = "Restore-SmbSigning.ps1 (target powershell): Apply-SmbSigning.ps1 saves the live value before changing it";

    public static FixNotRestoredRow NotRestored(RemediationItem item) => new(
        item.Setting.Id,
        item.Setting.Registry.Key,
        item.Setting.Registry.ValueName,
        item.Previous.ToString(),
        RestoreHint);

    public static string Reason(RemediationReason reason) => reason switch
    {
        RemediationReason.Failing => "fail",
        RemediationReason.NotConfigured => "not-configured",
        RemediationReason.Baseline => "baseline",
        _ => "companion",
    };

    public static string Level(ImpactLevel level) => level switch
    {
        ImpactLevel.Breaks => "breaks",
        ImpactLevel.AtRisk => "at-risk",
        _ => "unknown",
    };

    public static FixImpactRow Impact(ImpactReport report) => new(
        [.. report.Sections.Select(s => new FixImpactSectionRow(
            s.Change,
            s.Settings,
            s.PeersChecked,
            s.Compatible,
            [.. s.Findings.Select(f => new FixImpactFindingRow(f.Peer, Level(f.Level), f.Reason))],
            s.Note))],
        report.Cost is { } c ? new FixSigningCostRow(c.Algorithm, c.MessageBytes, Math.Round(c.GigabytesPerSecond, 3), c.Engine, Math.Round(c.MillisecondsMeasured, 1)) : null,
        report.CostUnavailable,
        report.Breaking,
        report.Uncertain);

    /// <summary>"AES-GMAC signs 64 KiB messages at 3.21 GB/s on this machine (SmbSign engine, 200 ms)".</summary>
    public static string CostLine(ImpactReport report) => report.Cost is { } c
        ? string.Create(CultureInfo.InvariantCulture, $"Signing cost: {c.Algorithm} signs {c.MessageBytes / 1024} KiB messages at {c.GigabytesPerSecond:0.00} GB/s on this machine ({c.Engine}, measured over {c.MillisecondsMeasured:0} ms); that is about {1.0 / c.GigabytesPerSecond:0.000} s of one core per GB transferred; signing at full line rate takes {Cores(0.125, c)} at 1 Gb/s and {Cores(1.25, c)} at 10 Gb/s (verifying costs the same again on the peer).")
        : "Signing cost: unavailable (" + report.CostUnavailable + ").";

    /// <summary>What signing a link's full rate (in GB/s) takes: "12% of one core", or "1.3 cores" beyond one.</summary>
    private static string Cores(double linkGigabytesPerSecond, SigningCost cost)
    {
        double share = linkGigabytesPerSecond / cost.GigabytesPerSecond;
        return share >= 1
            ? share.ToString("0.0", CultureInfo.InvariantCulture) + " cores"
            : (share * 100).ToString(share < 0.1 ? "0.0" : "0", CultureInfo.InvariantCulture) + "% of one core";
    }
}
