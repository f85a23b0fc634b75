using SmbSign.Policy.Audit;
using SmbSign.Policy.Formats.GpoBackup;
using SmbSign.Policy.Formats.Intune;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Formats.SmbConf;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Defaults;
using static SmbSign.Policy.Tests.Remediation.RemediationTestSupport;

namespace SmbSign.Policy.Tests.Remediation;

/// <summary>
/// The "done when" round trip: for every benchmark's rule pack (and the built-in signing baseline) the whole baseline is
/// written in each form, read back by the audit readers, and audited again with the real audit engine and the same
/// pack: every rule whose setting the form carries must pass (or be not applicable to the OS).
/// </summary>
public sealed class RemediationRoundTripTests
{
    public static TheoryData<string> PackIds()
    {
        var data = new TheoryData<string>();
        foreach (RulePack pack in RulePacks.BuiltIn)
        {
            data.Add(pack.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PackIds))]
    public void Reg_WholeBaseline_AuditPasses(string packId)
    {
        (RulePack pack, RemediationPlan plan) = PlanFor(packId);
        string dir = NewTempDirectory();

        IReadOnlyList<string> paths = WriteAll(dir, [GeneratedFile.At("apply.reg", RegWriter.Write(RegistryChanges.Apply(plan)))]);

        AssertPasses(AuditFiles(paths, pack), plan.Items.Select(i => i.Setting.Id));
    }

    [Theory]
    [MemberData(nameof(PackIds))]
    public void Gpo_WholeBaseline_AuditPasses(string packId)
    {
        (RulePack pack, RemediationPlan plan) = PlanFor(packId);
        string dir = NewTempDirectory();
        GpoFolder folder = GpoBackupWriter.Write(plan);

        WriteAll(dir, folder.Files);

        // dir holds {BackupId}/ as Backup-GPO writes it: the reader finds the backup inside.
        Assert.True(GpoBackupReader.IsGpoFolder(dir));
        AssertPasses(AuditFiles([dir], pack), plan.Items.Select(i => i.Setting.Id));
    }

    [Theory]
    [MemberData(nameof(PackIds))]
    public void IntuneCustom_WholeBaseline_AuditPasses(string packId)
    {
        (RulePack pack, RemediationPlan plan) = PlanFor(packId);
        IntuneDocument document = IntuneCustomProfileWriter.Write(plan);

        IReadOnlyList<string> paths = WriteAll(NewTempDirectory(), [GeneratedFile.At("profile.intune.json", document.Json)]);

        Assert.NotEmpty(document.Included);
        AssertPasses(AuditFiles(paths, pack), document.Included);
    }

    [Theory]
    [MemberData(nameof(PackIds))]
    public void IntuneCatalog_WholeBaseline_AuditPasses(string packId)
    {
        (RulePack pack, RemediationPlan plan) = PlanFor(packId);
        IntuneDocument document = IntuneSettingsCatalogWriter.Write(plan);

        IReadOnlyList<string> paths = WriteAll(NewTempDirectory(), [GeneratedFile.At("policy.intune.json", document.Json)]);

        Assert.NotEmpty(document.Included);
        AssertPasses(AuditFiles(paths, pack), document.Included);
    }

    [Theory]
    [MemberData(nameof(PackIds))]
    public void SmbConf_WholeBaseline_AuditPassesForWrittenSettings(string packId)
    {
        (RulePack pack, RemediationPlan plan) = PlanFor(packId);
        SmbConfPlan conf = SmbConfWriter.Plan(plan);

        IReadOnlyList<string> paths = WriteAll(NewTempDirectory(), [GeneratedFile.At("smb.conf", System.Text.Encoding.UTF8.GetBytes(SmbConfWriter.GlobalSection(conf, plan.Title)))]);

        Assert.Contains(conf.Parameters, p => p.Name == "server signing" || p.Name == "client signing" || p.Name == "ntlm auth");
        AssertPasses(AuditFiles(paths, pack, OsProfiles.Get("samba")), conf.Parameters.SelectMany(p => p.Items).Select(i => i.Setting.Id));
    }

    [Fact]
    public void SigningBaseline_EveryForm_ReadsBackThePlannedValues()
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Get("signing"));
        string dir = NewTempDirectory();
        RemediationArtifactSet set = RemediationArtifactBuilder.Build(plan, RemediationTarget.Reg | RemediationTarget.Gpo | RemediationTarget.IntuneCustom | RemediationTarget.IntuneCatalog);
        WriteAll(dir, set.Artifacts.Select(a => a.File));

        foreach (string file in new[] { "apply.reg", "intune-custom-profile.json", "intune-settings-catalog.json" })
        {
            var registry = new SimulatedRegistry();
            registry.Import(SmbSign.Policy.Sources.SourceDetector.ReadFile(Path.Combine(dir, file)));
            foreach (RemediationItem item in plan.Items)
            {
                Assert.True(registry.Values.TryGetValue(item.Identity, out SmbSign.Policy.Sources.RegistryValue? value), $"{file}: {item.Identity} missing");
                Assert.Equal(item.RegistryValue, value);
            }
        }

        var gpo = new SimulatedRegistry();
        foreach (SmbSign.Policy.Sources.SourceReadResult result in GpoBackupReader.Read(Path.Combine(dir, "gpo")))
        {
            gpo.Import(result);
        }

        Assert.Equal(plan.Items.Length, gpo.Values.Count);
        Assert.All(plan.Items, i => Assert.Equal(i.RegistryValue, gpo.Values[i.Identity]));
    }

    private static (RulePack Pack, RemediationPlan Plan) PlanFor(string packId)
    {
        Assert.True(RulePacks.TryGet(packId, out RulePack? pack));
        RemediationPlan plan = new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Get(packId));
        Assert.False(plan.IsEmpty);
        return (pack, plan);
    }

    /// <summary>Every finding about a written setting passes or does not apply; at least one passes; none fails.</summary>
    private static void AssertPasses(MachineAudit audit, IEnumerable<string> writtenSettings)
    {
        HashSet<string> written = [.. writtenSettings];
        List<AuditFinding> relevant = [.. audit.Findings.Where(f => written.Contains(f.Rule.Setting.Id) && f.Rule.Level != BenchmarkLevel.L2 && f.Rule.Operator != RuleOperator.NotEqualTo)];
        Assert.NotEmpty(relevant);
        Assert.True(
            relevant.All(f => f.Status is AuditStatus.Pass or AuditStatus.NotApplicable) && relevant.Any(f => f.Status == AuditStatus.Pass),
            "round trip did not pass:\n" + Describe(audit));
    }
}
