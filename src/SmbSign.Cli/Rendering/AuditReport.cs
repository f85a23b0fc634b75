using System.Globalization;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;

namespace SmbSign.Cli.Rendering;

/// <summary>Everything an audit renderer needs: the machines, the fleet summary, and input problems.</summary>
internal sealed record AuditReport(
    string Benchmark,
    bool Strict,
    IReadOnlyList<MachineAudit> Machines,
    FleetSummary Summary,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Warnings,
    string ToolVersion);

/// <summary>Small formatting helpers shared by the audit renderers.</summary>
internal static class AuditFormatting
{
    /// <summary>"1", "a, b", "RequireMutualAuthentication=1, ..." or "-" for null.</summary>
    public static string Value(SettingValue? value) => value?.ToString() ?? "-";

    /// <summary><c>file:12</c>, <c>file@6688</c> or the file; "-" for null.</summary>
    public static string Source(SourceLocation? location) => location?.ToString() ?? "-";

    /// <summary>The location with only the file name (for narrow table columns).</summary>
    public static string ShortSource(SourceLocation? location)
    {
        if (location is not { } l)
        {
            return "-";
        }

        string file = Path.GetFileName(l.File);
        return l.Line > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{file}:{l.Line}")
            : l.ByteOffset >= 0 ? string.Create(CultureInfo.InvariantCulture, $"{file}@{l.ByteOffset}") : file;
    }

    /// <summary>The OS label of a machine ("win11-24h2-pro", "server2022 (domain controller)", "unknown").</summary>
    public static string Os(MachineAudit machine) => machine.Os?.Label ?? "unknown";
}
