using SmbSign.Policy.Audit;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;
using static SmbSign.Policy.Tests.Remediation.RemediationTestSupport;

namespace SmbSign.Policy.Tests.Remediation;

/// <summary>Plans from a real audit result (TestData/Remediation/fleet-audit.json, the audit of samples/fleet) and from baselines.</summary>
public sealed class RemediationPlannerTests
{
    private static readonly string s_auditPath = Path.Combine(AppContext.BaseDirectory, "TestData", "Remediation", "fleet-audit.json");

    [Fact]
    public void FromAudit_FailingMachine_TakesExactlyTheFailingResults()
    {
        AuditDocument audit = AuditDocumentReader.Read(s_auditPath);

        RemediationPlan plan = new RemediationPlanner().FromAudit(audit, "ws-win11-23h2-01", strict: false).Single();

        AuditedMachine machine = audit.Machines.Single(m => m.Name == "ws-win11-23h2-01");
        string[] failing = [.. machine.Results.Where(r => r.Status == AuditResultStatus.Fail).Select(r => r.Setting!).Order(StringComparer.Ordinal)];
        Assert.Equal(failing, plan.Items.Select(i => i.Setting.Id).Order(StringComparer.Ordinal));
        Assert.All(plan.Items, i => Assert.Equal(RemediationReason.Failing, i.Reason));
        Assert.Equal("cis-win11-23h2", plan.Benchmark);
        Assert.Equal(RegistryValue.FromDWord(0), plan.Find("client.RequireSecuritySignature")!.Previous.Value);
        Assert.Equal(RegistryValue.FromString("RequireMutualAuthentication=1,RequireIntegrity=1"), plan.Find("client.HardenedPaths.NETLOGON")!.Previous.Value);
        Assert.Contains(plan.Skipped, s => s.Setting == "system.LmCompatibilityLevel" && s.Reason.Contains("--strict", StringComparison.Ordinal));
    }

    [Fact]
    public void FromAudit_Strict_AlsoTakesNotConfigured()
    {
        AuditDocument audit = AuditDocumentReader.Read(s_auditPath);

        RemediationPlan plan = new RemediationPlanner().FromAudit(audit, "ws-win11-23h2-01", strict: true).Single();

        RemediationItem lm = plan.Find("system.LmCompatibilityLevel")!;
        Assert.Equal(RemediationReason.NotConfigured, lm.Reason);
        Assert.Equal(5, lm.Target.Number);
        // Not in the export: unknown, not absent (rollback must not delete it).
        Assert.Equal(PreviousState.Unknown, lm.Previous.State);
    }

    /// <summary>The audit's verdicts: a not-configured setting is <c>fail</c> (reason not-configured) when the OS default does
    /// not comply, and <c>pass</c> (reason default, notConfigured, strictFailure) when it does; values are strings.</summary>
    private const string CurrentAuditJson = """
        {"benchmark": "cis-win11-23h2", "machines": [{"name": "ws-1", "os": "win10", "results": [
          {"rule": "2.3.8.1", "setting": "client.RequireSecuritySignature", "status": "fail", "reason": "not-configured", "notConfigured": true, "strictFailure": true,
           "expected": "1", "configured": null, "effective": "0", "registry": {"key": "HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters", "valueName": "RequireSecuritySignature", "type": "REG_DWORD"}},
          {"rule": "2.3.8.2", "setting": "client.EnableSecuritySignature", "status": "pass", "reason": "default", "notConfigured": true, "strictFailure": true,
           "expected": "1", "configured": null, "effective": "1", "registry": {"key": "HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters", "valueName": "EnableSecuritySignature", "type": "REG_DWORD"}},
          {"rule": "2.3.11.7", "setting": "system.LmCompatibilityLevel", "status": "pass", "reason": "default", "notConfigured": true, "strictFailure": false,
           "expected": "5", "configured": null, "effective": "5", "registry": {"key": "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa", "valueName": "LmCompatibilityLevel", "type": "REG_DWORD"}}
        ]}]}
        """;

    [Fact]
    public void FromAudit_CurrentVerdicts_NotConfiguredFailIsFixed_StrictAddsOnlyTheStrictFailurePasses()
    {
        AuditDocument audit = AuditJsonFixture.Parse(CurrentAuditJson, "audit.json");

        RemediationPlan plain = new RemediationPlanner().FromAudit(audit, "ws-1", strict: false).Single();
        RemediationPlan strict = new RemediationPlanner().FromAudit(audit, "ws-1", strict: true).Single();

        // fail + not-configured is a failure without --strict; it was not configured, so rollback cannot know its previous state.
        RemediationItem require = Assert.Single(plain.Items);
        Assert.Equal("client.RequireSecuritySignature", require.Setting.Id);
        Assert.Equal(RemediationReason.NotConfigured, require.Reason);
        Assert.Equal(PreviousState.Unknown, require.Previous.State);
        SkippedSetting left = Assert.Single(plain.Skipped);
        Assert.Equal("client.EnableSecuritySignature", left.Setting);
        Assert.Equal("not configured; the OS default (1) complies; --strict sets it explicitly", left.Reason);
        // --strict adds the pass-by-default item the benchmark wants set explicitly, and nothing that passes otherwise.
        Assert.Equal(["client.EnableSecuritySignature", "client.RequireSecuritySignature"], strict.Items.Select(i => i.Setting.Id).Order(StringComparer.Ordinal));
        Assert.Equal(RemediationReason.NotConfigured, strict.Find("client.EnableSecuritySignature")!.Reason);
        Assert.Equal(1, strict.Find("client.EnableSecuritySignature")!.Target.Number);
        Assert.Null(strict.Find("system.LmCompatibilityLevel"));
        Assert.Empty(strict.Skipped);
    }

    [Fact]
    public void FromAudit_WrongTypeStored_RollbackKeepsTheWrongType()
    {
        // ws-win10-03.reg stores RequireSecuritySignature as REG_SZ "1" (docs/reference/policy.md §8 lesson 6).
        AuditDocument audit = AuditDocumentReader.Read(s_auditPath);

        RemediationPlan plan = new RemediationPlanner().FromAudit(audit, "ws-win10-03", strict: false).Single();

        RemediationItem item = Assert.Single(plan.Items);
        Assert.Equal(RegistryValue.FromDWord(1), item.RegistryValue);
        Assert.Equal(RegistryValue.FromString("1"), item.Previous.Value);
        Assert.Equal("1 (REG_SZ)", item.Previous.ToString());
    }

    [Theory]
    [InlineData("ws-win10-03", "cis-win11-23h2")]
    [InlineData("ws-win11-23h2-01", "cis-win11-23h2")]
    public void RollbackReg_AfterApply_RestoresEveryExportedValueExactly_AndLeavesUnknownOnes(string machine, string packId)
    {
        string original = Path.Combine(AppContext.BaseDirectory, "TestData", "Remediation", machine + ".reg");
        var registry = new SimulatedRegistry();
        registry.Import(new RegFileReader().Read(original));
        Dictionary<RegistryIdentity, RegistryValue> before = new(registry.Values);
        RemediationPlan plan = new RemediationPlanner().FromAudit(AuditDocumentReader.Read(s_auditPath), machine, strict: true).Single();
        string dir = NewTempDirectory();

        registry.Import(new RegFileReader().Parse(RegWriter.Write(RegistryChanges.Apply(plan)), "apply.reg"));
        File.WriteAllBytes(Path.Combine(dir, "fixed.reg"), registry.Export());
        MachineAudit fixedAudit = AuditFiles([Path.Combine(dir, "fixed.reg")], RulePacks.BuiltIn.Single(p => p.Id == packId));
        registry.Import(new RegFileReader().Parse(RegWriter.Write(RegistryChanges.Rollback(plan)), "rollback.reg"));

        Assert.All(plan.Items, i => Assert.Contains(fixedAudit.Findings, f => f.Rule.Setting.Id == i.Setting.Id && f.Status is AuditStatus.Pass or AuditStatus.NotApplicable));
        Assert.DoesNotContain(fixedAudit.Findings, f => f.Status == AuditStatus.Fail && plan.Find(f.Rule.Setting.Id) is not null);
        // Every value of the export is back exactly; a value the export did not hold stays as apply.reg set it (its previous
        // state is unknown, and deleting it could break Windows): rollback.reg lists it instead.
        Dictionary<RegistryIdentity, RegistryValue> expected = new(before);
        foreach (RemediationItem unknown in RegistryChanges.NotRestored(plan))
        {
            Assert.False(before.ContainsKey(unknown.Identity), $"{unknown.Identity} was in the export but is not restored");
            expected[unknown.Identity] = unknown.RegistryValue;
        }

        Assert.Equal(expected.Count, registry.Values.Count);
        Assert.All(expected, p => Assert.True(registry.Values.TryGetValue(p.Key, out RegistryValue? v) && v.Equals(p.Value), $"{p.Key}: expected {p.Value}, found {v?.ToString() ?? "nothing"}"));
    }

    [Fact]
    public void FromAudit_AllMachines_OnePlanEach()
    {
        AuditDocument audit = AuditDocumentReader.Read(s_auditPath);

        IReadOnlyList<RemediationPlan> plans = new RemediationPlanner().FromAudit(audit, machine: null, strict: false);

        Assert.Equal(audit.Machines.Length, plans.Count);
        Assert.Contains(plans, p => p.Machine == "samba-legacy" && p.Find("server.RequireSecuritySignature") is not null);
        Assert.Contains(plans, p => p.Machine == "srv-server2022-01" && p.IsEmpty);
    }

    [Fact]
    public void FromAudit_SambaSource_PreviousIsUnknownForTheRegistry()
    {
        RemediationPlan plan = new RemediationPlanner().FromAudit(AuditDocumentReader.Read(s_auditPath), "samba-legacy", strict: false).Single();

        RemediationItem signing = plan.Find("server.RequireSecuritySignature")!;
        Assert.Equal(PreviousState.Unknown, signing.Previous.State);
        Assert.Contains("server signing = auto", signing.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void FromAudit_UnknownMachine_ListsTheMachines()
    {
        AuditDocument audit = AuditDocumentReader.Read(s_auditPath);

        RemediationInputException e = Assert.Throws<RemediationInputException>(() => new RemediationPlanner().FromAudit(audit, "nope", strict: false));

        Assert.Contains("ws-win10-03", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromAudit_OneHardenedPathFailing_CarriesTheSibling()
    {
        const string json = """
            {"benchmark": "cis-win11-24h2", "machines": [{"name": "pc", "results": [
              {"rule": "18.6.14.1-NETLOGON", "setting": "client.HardenedPaths.NETLOGON", "status": "fail",
               "expected": "RequireMutualAuthentication=1, RequireIntegrity=1, RequirePrivacy=1", "configured": "RequireMutualAuthentication=1", "stored": "REG_SZ RequireMutualAuthentication=1"},
              {"rule": "18.6.14.1-SYSVOL", "setting": "client.HardenedPaths.SYSVOL", "status": "pass",
               "expected": "RequireMutualAuthentication=1, RequireIntegrity=1", "configured": "RequireIntegrity=1,RequireMutualAuthentication=1", "stored": "REG_SZ RequireIntegrity=1,RequireMutualAuthentication=1"}]}]}
            """;

        RemediationPlan plan = new RemediationPlanner().FromAudit(AuditJsonFixture.Parse(json), null, false).Single();

        RemediationItem sibling = plan.Find("client.HardenedPaths.SYSVOL")!;
        Assert.Equal(RemediationReason.Companion, sibling.Reason);
        Assert.Equal("RequireMutualAuthentication=1, RequireIntegrity=1", sibling.Target.ToString());
        Assert.Equal(RegistryValue.FromString("RequireIntegrity=1,RequireMutualAuthentication=1"), sibling.Previous.Value);
    }

    [Theory]
    [InlineData("at-most bound is written", "server.AutoDisconnect", "at-most", "\"15\"", 15)]
    [InlineData("at-least bound is written", "server.InvalidAuthenticationDelayTimeInMs", "at-least", "\"2000\"", 2000)]
    [InlineData("boolean as decimal text", "client.RequireSecuritySignature", "equals", "\"1\"", 1)]
    [InlineData("dialect as its decimal MS-SMB2 revision", "server.MinSmb2Dialect", "at-least", "\"785\"", 785)]
    [InlineData("one-of writes its target, allowed lists the rest", "server.SmbServerNameHardeningLevel", "one-of", "\"1\", \"allowed\": [\"1\", \"2\"]", 1)]
    public void FromAudit_ExpectedSpellings_Parse(string description, string setting, string op, string expectedJson, long target)
    {
        string json = $$"""{"machines": [{"name": "m", "results": [{"rule": "r", "setting": "{{setting}}", "status": "fail", "operator": "{{op}}", "expected": {{expectedJson}}, "configured": null}]}]}""";

        RemediationPlan plan = new RemediationPlanner().FromAudit(AuditJsonFixture.Parse(json), null, false).Single();

        Assert.True(plan.Items.Length == 1, description);
        Assert.Equal(target, plan.Items[0].Target.Number);
    }

    [Theory]
    [InlineData("not JSON", "{\"machines\": [", "a.json:1: not valid JSON")]
    [InlineData("no schema version", "{\"benchmark\": \"x\", \"machines\": []}", "no \"schemaVersion\"")]
    [InlineData("a future version", "{\"schemaVersion\": 3}", "schemaVersion 3 is not supported")]
    [InlineData("a number", "42", "expected a JSON object")]
    public void Parse_Malformed_ClearError(string description, string json, string expected)
    {
        RemediationInputException e = Assert.Throws<RemediationInputException>(() => AuditDocumentReader.Parse(System.Text.Encoding.UTF8.GetBytes(json), "a.json"));

        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{description}: {e.Message}");
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>Schema version 2 is read with the writer's types: a field nothing writes, a missing field, a value of the wrong
    /// JSON type or an unknown token is refused with the line and what was expected.</summary>
    [Theory]
    [InlineData("bad status", """{"machines": [{"name": "m", "results": [{"setting": "x", "status": "maybe"}]}]}""", "a.json:1: status \"maybe\" is not one of pass, fail, not-applicable, error")]
    [InlineData("the old status", """{"machines": [{"name": "m", "results": [{"setting": "x", "status": "not-configured"}]}]}""", "status \"not-configured\"")]
    [InlineData("a number where text is written", """{"machines": [{"name": "m", "results": [{"setting": "client.RequireSecuritySignature", "status": "fail", "expected": 1}]}]}""", "a value of the wrong type at $.machines[0].results[0].expected")]
    [InlineData("a DWORD that is not decimal", """{"machines": [{"name": "m", "results": [{"setting": "client.RequireSecuritySignature", "status": "fail", "expected": "yes"}]}]}""", "expected \"yes\" is not decimal text")]
    [InlineData("an unknown field", """{"machines": [{"name": "m", "guestOnly": true, "results": []}]}""", "unknown field \"guestOnly\"")]
    [InlineData("an unknown registry type", """{"machines": [{"name": "m", "results": [{"setting": "x", "status": "fail", "registry": {"type": "REG_FOO"}}]}]}""", "registry.type \"REG_FOO\"")]
    public void Parse_NotWhatTheAuditWrites_Refused(string description, string fragment, string expected)
    {
        RemediationInputException e = Assert.Throws<RemediationInputException>(() => AuditJsonFixture.Parse(fragment));

        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{description}: {e.Message}");
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain("SmbSign.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingField_NamesItAndTheLine()
    {
        string json = AuditJsonFixture.Complete("""{"machines": [{"name": "m", "results": []}]}""").Replace("\"verdict\":\"fail\",", string.Empty, StringComparison.Ordinal);

        RemediationInputException e = Assert.Throws<RemediationInputException>(() => AuditDocumentReader.Parse(System.Text.Encoding.UTF8.GetBytes(json), "a.json"));

        Assert.StartsWith("a.json:1: missing field", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"verdict\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromAudit_UnwritableRows_AreSkippedWithReasons()
    {
        const string json = """
            {"machines": [{"name": "m", "results": [
              {"rule": "a", "setting": "no.such.setting", "status": "fail", "expected": "1"},
              {"rule": "b", "setting": "client.RequireSecuritySignature", "status": "fail", "expected": "7"},
              {"rule": "c", "setting": "client.EnableSecuritySignature", "status": "fail", "operator": "not-equals", "expected": "0"},
              {"rule": "d", "setting": "server.RequireSecuritySignature", "status": "error", "expected": "1"},
              {"rule": "e", "setting": "server.SMB1", "status": "not-applicable", "expected": "0"}]}]}
            """;

        RemediationPlan plan = new RemediationPlanner().FromAudit(AuditJsonFixture.Parse(json), null, false).Single();

        Assert.True(plan.IsEmpty);
        Assert.Equal(["a", "b", "c", "d", "e"], plan.Skipped.Select(s => s.RuleId));
        Assert.Contains("unknown setting", plan.Skipped[0].Reason, StringComparison.Ordinal);
        Assert.Contains("cannot be written", plan.Skipped[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Baselines_SigningAndEveryRulePack_AreAvailable()
    {
        BaselineCatalog catalog = BaselineCatalog.Default;

        Baseline signing = catalog.Get("signing");

        Assert.Equal(
            ["client.RequireSecuritySignature", "client.EnableSecuritySignature", "server.RequireSecuritySignature", "server.EnableSecuritySignature", "client.EnablePlainTextPassword"],
            signing.Settings.Select(s => s.Setting));
        Assert.All(RulePacks.BuiltIn, p => Assert.NotNull(catalog.Find(p.Id)));
        Assert.Contains(catalog.Get("cis-win11-24h2").Settings, e => e.Setting == "server.ServiceStart" && e.Level2);
        Assert.Throws<RemediationInputException>(() => catalog.Get("nope"));
    }
}
