using System.Globalization;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Cli.Rendering;

/// <summary><c>smbsign audit --format csv</c>: RFC 4180, one header row, one row per machine per rule (with
/// <c>--failures-only</c>, per failing item of a failing machine), written as the machines are audited.</summary>
internal static class AuditCsvRenderer
{
    public static readonly string[] Header =
    [
        "machine", "os", "role", "benchmark", "rule", "item", "level", "setting", "title", "status", "operator", "expected",
        "configured", "effective", "effective_source", "strict_failure", "registry_key", "registry_value", "registry_type", "source", "note",
        "reason", "not_configured", "machine_verdict",
    ];

    public static string Render(AuditReport report)
    {
        using StringWriter writer = new(CultureInfo.InvariantCulture);
        Render(report, writer);
        return writer.ToString();
    }

    /// <summary>Writes the rows to <paramref name="builder"/> one at a time (a large fleet is never one string).</summary>
    public static void Render(AuditReport report, TextWriter builder)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(builder);
        AppendRow(builder, Header);
        foreach (MachineAudit machine in report.Machines)
        {
            if (!report.Shows(machine))
            {
                continue;
            }

            string verdict = machine.Passed ? "pass" : "fail";
            foreach (AuditFinding f in machine.Findings)
            {
                if (!report.Shows(f))
                {
                    continue;
                }

                AppendRow(builder,
                [
                    machine.Name,
                    machine.Os?.Id ?? string.Empty,
                    RulePackLoader.RoleToken(machine.Role),
                    machine.Benchmark.Id,
                    f.Rule.Id,
                    f.Rule.Item ?? string.Empty,
                    f.Rule.Level == BenchmarkLevel.None ? string.Empty : f.Rule.Level.ToString(),
                    f.Rule.Setting.Id,
                    f.Rule.Title,
                    f.Status.ToToken(),
                    f.Rule.Operator.ToToken(),
                    string.Join("|", f.Rule.Expected.Select(e => e.ToString())),
                    f.Configured?.ToString() ?? string.Empty,
                    f.Effective?.ToString() ?? string.Empty,
                    f.EffectiveSource ?? string.Empty,
                    f.NotConfigured ? (f.StrictFailure ? "true" : "false") : string.Empty,
                    f.Rule.Registry.Key,
                    f.Rule.Registry.ValueName,
                    f.Rule.Registry.Type.ToRegName(),
                    f.Source?.ToString() ?? string.Empty,
                    f.Note ?? string.Empty,
                    f.Reason ?? string.Empty,
                    f.NotConfigured ? "true" : "false",
                    verdict,
                ]);
            }
        }
    }

    private static void AppendRow(TextWriter builder, string[] fields)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                builder.Write(',');
            }

            string field = fields[i];
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0 || field.StartsWith(' ') || field.EndsWith(' '))
            {
                builder.Write('"');
                builder.Write(field.Replace("\"", "\"\"", StringComparison.Ordinal));
                builder.Write('"');
            }
            else
            {
                builder.Write(field);
            }
        }

        builder.Write("\r\n");
    }
}
