using System.Collections.Immutable;
using CsCheck;
using SmbSign.Cli.Rendering;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Remediation;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Rendering;

/// <summary>
/// Property (CsCheck): whatever fleet the audit writes as JSON, the reader <c>fix --from</c> uses reads back the same
/// machines in the same order and, per machine, the same rules with the same status, not-configured and strict flags and
/// reason. Fleets are random subsets of the sample fleet, audited with a random OS override (or none) and with or without
/// --strict, so pass, fail, not-applicable, error, default and not-configured rows all occur.
/// </summary>
public sealed class AuditJsonRoundTripPropertyTests
{
    private static readonly IReadOnlyList<MachineInput> s_sample =
        FleetLayout.Discover([Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet")]).Machines;

    private static readonly string?[] s_osChoices = [null, "win10", "win11-24h2-pro", "server2025"];

    [Fact]
    public void AuditJson_WrittenThenRead_SameMachinesRulesAndStatuses()
    {
        Assert.True(s_sample.Count >= 10);
        Gen<(int[] Picks, string? Os, bool Strict)> fleets = Gen.Select(
            Gen.Int[0, s_sample.Count - 1].Array[1, 6],
            Gen.Int[0, s_osChoices.Length - 1].Select(i => s_osChoices[i]),
            Gen.Bool);

        fleets.Sample(
            fleet =>
            {
                MachineInput[] machines = [.. fleet.Picks.Distinct().Order().Select(i => s_sample[i])];
                AuditOptions options = new() { Os = fleet.Os is null ? null : OsProfiles.Get(fleet.Os), Strict = fleet.Strict };
                MachineAudit[] audits = [.. FleetAuditor.Audit(machines, options)];
                using MemoryStream json = new();
                AuditJsonRenderer.Render(new AuditReport(audits, fleet.Strict, null, [], []), json);

                AuditDocument read = AuditDocumentReader.Parse(json.ToArray(), "round-trip.json");

                Assert.Equal(audits.Select(a => a.Name), read.Machines.Select(m => m.Name));
                for (int i = 0; i < audits.Length; i++)
                {
                    ImmutableArray<AuditResultRow> rows = read.Machines[i].Results;
                    Assert.Equal(audits[i].Findings.Count, rows.Length);
                    for (int j = 0; j < rows.Length; j++)
                    {
                        AuditFinding finding = audits[i].Findings[j];
                        AuditResultRow row = rows[j];
                        string where = $"{audits[i].Name} row {j} ({finding.Rule.Id})";
                        Assert.True(finding.Rule.Id == row.Rule, where + ": rule " + row.Rule);
                        Assert.True(Expected(finding.Status) == row.Status, $"{where}: status {row.Status}, audit {finding.Status}");
                        Assert.True(finding.NotConfigured == row.NotConfigured, where + ": notConfigured");
                        Assert.True(finding.StrictFailure == row.StrictFailure, where + ": strictFailure");
                        Assert.True(finding.Reason == row.Reason, $"{where}: reason '{row.Reason}', audit '{finding.Reason}'");
                    }
                }
            },
            iter: 40,
            threads: 1);
    }

    private static AuditResultStatus Expected(AuditStatus status) => status switch
    {
        AuditStatus.Pass => AuditResultStatus.Pass,
        AuditStatus.Fail => AuditResultStatus.Fail,
        AuditStatus.NotApplicable => AuditResultStatus.NotApplicable,
        _ => AuditResultStatus.Error,
    };
}
