using System.Text.Json;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Formats.Intune;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.Intune;

/// <summary>The generated Graph JSON against the real exports in TestData/Intune (OpenIntuneBaseline and Intune.Docs,
/// copied from compliance-samples/intune; see TestData/Intune/SOURCE.md).</summary>
public sealed class IntuneWriterTests
{
    /// <summary>Keys of real exports that are read-only or OData annotations, not part of a POST body.</summary>
    private static readonly HashSet<string> s_exportOnly = ["settingCount", "children@odata.type", "templateFamily@odata.type", "templateDisplayName", "templateDisplayVersion", "auditRuleInformation", "_trimmed_note", "_source"];

    public static TheoryData<string> Exports() => new()
    {
        "oib_settings_catalog_security_hardening_lanman_smbv1_subset.json",
        "oib_settings_catalog_local_security_policies_24h2_smb_subset.json",
    };

    [Theory]
    [MemberData(nameof(Exports))]
    public void SettingsCatalog_SameValuesAsARealExport_SameSettingInstances(string export)
    {
        // Read the real export, plan exactly its SMB values, write them, and compare each settingInstance.
        byte[] real = File.ReadAllBytes(TestFiles.PathOf("Intune/" + export));
        RemediationPlan plan = PlanOf(new IntunePolicyReader().Parse(real, export));
        Assert.NotEmpty(plan.Items);

        IntuneDocument written = IntuneSettingsCatalogWriter.Write(plan);

        using JsonDocument expected = JsonDocument.Parse(real);
        using JsonDocument actual = JsonDocument.Parse(written.Json);
        Dictionary<string, JsonElement> realInstances = Instances(expected.RootElement);
        Dictionary<string, JsonElement> ours = Instances(actual.RootElement);
        Assert.Equal(plan.Items.Length, ours.Count);
        foreach ((string id, JsonElement instance) in ours)
        {
            Assert.True(realInstances.TryGetValue(id, out JsonElement original), $"{id} is not in {export}");
            Assert.Equal(Normalize(original), Normalize(instance));
        }
    }

    [Fact]
    public void SettingsCatalog_HardenedPaths_GroupCollectionShapedLikeTheRealInstance()
    {
        byte[] real = File.ReadAllBytes(TestFiles.PathOf("Intune/intunedocs_hardeneduncpaths_groupcollection_instance.json"));
        RemediationPlan plan = PlanOf(new IntunePolicyReader().Parse(real, "hardened.json"));
        Assert.Equal(["client.HardenedPaths.NETLOGON", "client.HardenedPaths.SYSVOL"], plan.Items.Select(i => i.Setting.Id));

        IntuneDocument written = IntuneSettingsCatalogWriter.Write(plan);

        using JsonDocument expected = JsonDocument.Parse(real);
        using JsonDocument actual = JsonDocument.Parse(written.Json);
        JsonElement parent = actual.RootElement.GetProperty("settings")[0].GetProperty("settingInstance");
        Assert.Equal("device_vendor_msft_policy_config_connectivity_hardeneduncpaths", parent.GetProperty("settingDefinitionId").GetString());
        Assert.Equal("device_vendor_msft_policy_config_connectivity_hardeneduncpaths_1", parent.GetProperty("choiceSettingValue").GetProperty("value").GetString());
        JsonElement collection = parent.GetProperty("choiceSettingValue").GetProperty("children")[0];
        // Same shape; the flag text is written canonically (order and spacing differ, the meaning is the same).
        Assert.Equal(Normalize(expected.RootElement.GetProperty("settingInstance"), valuesToo: false), Normalize(collection, valuesToo: false));
        Assert.Equal(@"\\*\NETLOGON", collection.GetProperty("groupSettingCollectionValue")[0].GetProperty("children")[0].GetProperty("simpleSettingValue").GetProperty("value").GetString());
    }

    [Fact]
    public void SettingsCatalog_PolicyRoot_HasThePostFields()
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Get("signing"));

        using JsonDocument doc = JsonDocument.Parse(IntuneSettingsCatalogWriter.Write(plan).Json);
        using JsonDocument real = JsonDocument.Parse(File.ReadAllBytes(TestFiles.PathOf("Intune/oib_settings_catalog_local_security_policies_24h2_smb_subset.json")));

        JsonElement root = doc.RootElement;
        Assert.Equal("#microsoft.graph.deviceManagementConfigurationPolicy", root.GetProperty("@odata.type").GetString());
        Assert.Equal("windows10", root.GetProperty("platforms").GetString());
        Assert.Equal("mdm", root.GetProperty("technologies").GetString());
        Assert.Equal(5, root.GetProperty("settings").GetArrayLength());
        Assert.Equal(Keys(real.RootElement), Keys(root));
        Assert.Equal(Keys(real.RootElement.GetProperty("settings")[0]), Keys(root.GetProperty("settings")[0]));
    }

    [Fact]
    public void CustomProfile_IntAndAdmxNodes_ReadBackAndShapedAsGraphDocuments()
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Get("msft-win11-24h2"));

        IntuneDocument written = IntuneCustomProfileWriter.Write(plan);

        using JsonDocument doc = JsonDocument.Parse(written.Json);
        JsonElement root = doc.RootElement;
        Assert.Equal("#microsoft.graph.windows10CustomConfiguration", root.GetProperty("@odata.type").GetString());
        Assert.Equal(["@odata.type", "displayName", "description", "omaSettings"], root.EnumerateObject().Select(p => p.Name));
        string[] documented = ["@odata.type", "displayName", "description", "omaUri", "value", "isReadOnly"];
        Dictionary<string, JsonElement> byUri = [];
        foreach (JsonElement oma in root.GetProperty("omaSettings").EnumerateArray())
        {
            Assert.Equal(documented, oma.EnumerateObject().Select(p => p.Name));
            byUri[oma.GetProperty("omaUri").GetString()!] = oma;
        }

        JsonElement signing = byUri["./Device/Vendor/MSFT/Policy/Config/LocalPoliciesSecurityOptions/MicrosoftNetworkClient_DigitallySignCommunicationsAlways"];
        Assert.Equal("#microsoft.graph.omaSettingInteger", signing.GetProperty("@odata.type").GetString());
        Assert.Equal(1, signing.GetProperty("value").GetInt32());
        JsonElement smb1 = byUri["./Device/Vendor/MSFT/Policy/Config/MSSecurityGuide/ConfigureSMBV1ClientDriver"];
        Assert.Equal("#microsoft.graph.omaSettingString", smb1.GetProperty("@odata.type").GetString());
        Assert.Equal("<enabled/><data id=\"Pol_SecGuide_SMB1ClientDriver\" value=\"4\"/>", smb1.GetProperty("value").GetString());
        Assert.Equal("<disabled/>", byUri["./Device/Vendor/MSFT/Policy/Config/MSSecurityGuide/ConfigureSMBV1Server"].GetProperty("value").GetString());
        Assert.Single(byUri.Keys, k => k.EndsWith("/HardenedUNCPaths", StringComparison.Ordinal));

        SourceReadResult read = new IntunePolicyReader().Parse(written.Json, "profile.json");
        Assert.DoesNotContain(read.Diagnostics, d => d.Severity != DiagnosticSeverity.Info);
        Assert.All(plan.Items.Where(i => written.Included.Contains(i.Setting.Id)), i =>
            Assert.Contains(read.Observations, o => o.Registry == i.Identity && i.RegistryValue.Equals(o.Value)));
    }

    [Fact]
    public void Writers_SettingsWithoutIntuneForm_AreReportedNotDropped()
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(new Baseline("t", "t", [new("server.EncryptData", "1", null), new("client.RequireSecuritySignature", "1", null)]));

        IntuneDocument custom = IntuneCustomProfileWriter.Write(plan);
        IntuneDocument catalog = IntuneSettingsCatalogWriter.Write(plan);

        Assert.Equal(["client.RequireSecuritySignature"], custom.Included.ToArray());
        Assert.Equal("server.EncryptData", Assert.Single(custom.Skipped).Setting);
        Assert.Equal("server.EncryptData", Assert.Single(catalog.Skipped).Setting);
    }

    private static RemediationPlan PlanOf(SourceReadResult read)
    {
        List<BaselineSetting> settings = [];
        foreach (Observation o in read.Observations.Where(o => o.Kind == ObservationKind.Value && o.Registry is not null))
        {
            RegistryMatch? match = SettingsCatalog.Default.FindByRegistry(o.Registry!.Value.KeyPath, o.Registry.Value.ValueName);
            if (match is not null && RemediationValues.FromRegistryValue(match.Setting, o.Value!) is { } value)
            {
                settings.Add(new BaselineSetting(match.Setting.Id, value.ToString(), null));
            }
        }

        return new RemediationPlanner().FromBaseline(new Baseline("export", "export", [.. settings]));
    }

    private static Dictionary<string, JsonElement> Instances(JsonElement policy)
    {
        Dictionary<string, JsonElement> result = [];
        foreach (JsonElement setting in policy.GetProperty("settings").EnumerateArray())
        {
            JsonElement instance = setting.GetProperty("settingInstance");
            result[instance.GetProperty("settingDefinitionId").GetString()!] = instance.Clone();
        }

        return result;
    }

    private static string[] Keys(JsonElement element) =>
        [.. element.EnumerateObject().Select(p => p.Name).Where(n => !s_exportOnly.Contains(n) && n != "id").Order(StringComparer.Ordinal)];

    /// <summary>The tree with export-only keys dropped and properties sorted (Graph does not care about order).</summary>
    private static string Normalize(JsonElement element, bool valuesToo = true) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject()
            .Where(p => !s_exportOnly.Contains(p.Name))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + ":" + Normalize(p.Value, valuesToo))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(e => Normalize(e, valuesToo))) + "]",
        JsonValueKind.String or JsonValueKind.Number when !valuesToo => element.ValueKind.ToString(),
        _ => element.GetRawText(),
    };
}
