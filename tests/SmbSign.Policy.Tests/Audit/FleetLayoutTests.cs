using SmbSign.Policy.Audit;
using SmbSign.Policy.Defaults;
using static SmbSign.Policy.Tests.Audit.AuditTestData;

namespace SmbSign.Policy.Tests.Audit;

public sealed class FleetLayoutTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "smbsign-fleet-" + Guid.NewGuid().ToString("N"));

    public FleetLayoutTests()
    {
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Discover_FilesSharingAStem_AreOneMachine()
    {
        Write("ws-01.reg", Reg($"[{Workstation}]"));
        Write("ws-01.smbclient.json", Utf8("{\"RequireSecuritySignature\": true}"));
        Write("ws-02.reg", Reg($"[{Workstation}]"));

        FleetPlan plan = FleetLayout.Discover([_root]);

        Assert.Equal(["ws-01", "ws-02"], plan.Machines.Select(m => m.Name));
        Assert.Equal(2, plan.Machines[0].Paths.Count);
        Assert.Equal(MachineGrouping.FileStem, plan.Machines[0].Grouping);
        Assert.Empty(plan.Problems);
    }

    [Fact]
    public void Discover_FolderPerMachineAndGpoFolder_AreOneMachineEach()
    {
        Write("fs-01/registry.reg", Reg($"[{Workstation}]"));
        Write("fs-01/nested/smbserver.json", Utf8("{\"RequireSecuritySignature\": true}"));
        Write("gpo-01/Machine/Registry.pol", Pol());

        FleetPlan plan = FleetLayout.Discover([_root]);

        MachineInput folder = plan.Machines.Single(m => m.Name == "fs-01");
        Assert.Equal(MachineGrouping.Folder, folder.Grouping);
        Assert.Equal(2, folder.Paths.Count);
        MachineInput gpo = plan.Machines.Single(m => m.Name == "gpo-01");
        Assert.Equal(MachineGrouping.GpoFolder, gpo.Grouping);
        Assert.Equal(Path.Combine(_root, "gpo-01"), Assert.Single(gpo.Paths));
    }

    [Theory] // paths are the folder as given joined with each name (one string per entry, built while listing)
    [InlineData("")]
    [InlineData("/")]
    public void Discover_FolderEntries_AreSpelledAsTheFolderWasGiven_InNameOrder(string suffix)
    {
        Write("ws-02.reg", Reg($"[{Workstation}]"));
        Write("WS-01.smbclient.json", Utf8("{\"RequireSecuritySignature\": true}"));
        Write("ws-01.reg", Reg($"[{Workstation}]"));
        Write(".hidden.reg", Reg($"[{Workstation}]"));
        Write("fs-03/registry.reg", Reg($"[{Workstation}]"));
        string given = _root + suffix;

        FleetPlan plan = FleetLayout.Discover([given]);

        Assert.Equal(["fs-03", "WS-01", "ws-02"], plan.Machines.Select(m => m.Name));
        Assert.Equal([Path.Combine(given, "fs-03", "registry.reg")], plan.Machines[0].Paths);
        Assert.Equal([Path.Combine(given, "WS-01.smbclient.json"), Path.Combine(given, "ws-01.reg")], plan.Machines[1].Paths);
        Assert.Equal([Path.Combine(given, "ws-02.reg")], plan.Machines[2].Paths);
        Assert.Empty(plan.Problems);
    }

    [Fact]
    public void Discover_ManifestAndNotes_AreNotSources_AndTheManifestSetsOsRoleAndBenchmark()
    {
        Write("dc-01.reg", Reg($"[{Workstation}]"));
        Write("README.md", Utf8("# fleet"));
        Write("notes.txt", Utf8("x"));
        Write(".hidden.reg", Reg($"[{Workstation}]"));
        Write("machines.json", Utf8("""{ "schemaVersion": 1, "machines": [ { "name": "dc-01", "os": "server2022", "role": "dc", "benchmark": "cis-server2022", "description": "the DC" } ] }"""));

        FleetPlan plan = FleetLayout.Discover([_root]);

        MachineInput dc = Assert.Single(plan.Machines);
        Assert.Equal("server2022", dc.Os);
        Assert.Equal(OsRole.DomainController, dc.Role);
        Assert.Equal("cis-server2022", dc.Benchmark);
        Assert.Equal("the DC", dc.Description);
        Assert.Single(dc.Paths);
    }

    [Fact]
    public void Discover_ManifestFiles_GroupFilesWhoseStemsDiffer()
    {
        Write("export-a.reg", Reg($"[{Workstation}]"));
        Write("export-b.json", Utf8("{\"RequireSecuritySignature\": true}"));
        Write("machines.json", Utf8("""{ "machines": [ { "name": "fs-01", "files": ["export-a.reg", "export-b.json"] } ] }"""));

        FleetPlan plan = FleetLayout.Discover([_root]);

        MachineInput machine = Assert.Single(plan.Machines);
        Assert.Equal("fs-01", machine.Name);
        Assert.Equal(MachineGrouping.Manifest, machine.Grouping);
        Assert.Equal(2, machine.Paths.Count);
    }

    [Theory]
    [InlineData("unknown OS", """{ "machines": [ { "name": "a", "os": "win12" } ] }""", "unknown OS profile 'win12'")]
    [InlineData("unknown role", """{ "machines": [ { "name": "a", "role": "kiosk" } ] }""", "unknown role 'kiosk'")]
    [InlineData("unknown benchmark", """{ "machines": [ { "name": "a", "benchmark": "cis-win95" } ] }""", "unknown benchmark 'cis-win95'")]
    [InlineData("invalid JSON", """{ "machines": [ { "name": """, "invalid manifest JSON")]
    [InlineData("duplicate name", """{ "machines": [ { "name": "a" }, { "name": "A" } ] }""", "listed twice")]
    public void Discover_BadManifest_IsAProblemNamingTheFile(string description, string json, string expected)
    {
        Write("a.reg", Reg($"[{Workstation}]"));
        Write("machines.json", Utf8(json));

        FleetPlan plan = FleetLayout.Discover([_root]);

        Assert.True(plan.Problems.Any(p => p.Contains(expected, StringComparison.Ordinal) && p.Contains("machines.json", StringComparison.Ordinal)), description + ": " + string.Join(" | ", plan.Problems));
        Assert.Single(plan.Machines);
    }

    [Fact]
    public void Discover_ExplicitMachine_TakesItsFilesOutOfStemGrouping()
    {
        string a = Write("x.reg", Reg($"[{Workstation}]"));
        string b = Write("y.reg", Reg($"[{Workstation}]"));
        Write("z.reg", Reg($"[{Workstation}]"));

        FleetPlan plan = FleetLayout.Discover([_root], [new ExplicitMachine("fs-01", [a, b])]);

        Assert.Equal(["fs-01", "z"], plan.Machines.Select(m => m.Name));
        Assert.Equal(MachineGrouping.CommandLine, plan.Machines[0].Grouping);
    }

    [Theory]
    [InlineData("fs01=a.reg,b.json", "fs01", 2)]
    [InlineData("fs01 = a.reg", "fs01", 1)]
    public void ExplicitMachine_TryParse_Valid(string text, string name, int files)
    {
        ExplicitMachine? machine = ExplicitMachine.TryParse(text, out string? error);

        Assert.Null(error);
        Assert.Equal(name, machine!.Name);
        Assert.Equal(files, machine.Paths.Count);
    }

    [Theory]
    [InlineData("no equals sign", "fs01")]
    [InlineData("no files", "fs01=")]
    [InlineData("no name", "=a.reg")]
    public void ExplicitMachine_TryParse_Malformed_SaysWhatIsExpected(string description, string text)
    {
        Assert.Null(ExplicitMachine.TryParse(text, out string? error));
        Assert.True(error!.Contains("NAME=FILE", StringComparison.Ordinal), description);
    }

    [Fact]
    public void Discover_MissingPath_IsAProblem()
    {
        FleetPlan plan = FleetLayout.Discover([Path.Combine(_root, "nope")]);

        Assert.Contains(plan.Problems, p => p.Contains("no such file or folder", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ws-win10-01", "win10")]
    [InlineData("srv-server2019-01", "server2019")]
    [InlineData("ws-win11-23h2-enterprise-7", "win11-23h2-enterprise")]
    [InlineData("ws-win11-24h2-04", "win11-24h2-pro")]
    [InlineData("SAMBA-fs", "samba")]
    public void InferFromName_ProfileIdInTheName_IsUsed(string name, string expected)
    {
        Assert.Equal(expected, FleetAuditor.InferFromName(name, out _)!.Id);
    }

    [Fact]
    public void InferFromName_NoProfileInTheName_IsNull()
    {
        Assert.Null(FleetAuditor.InferFromName("fileserver7", out _));
        Assert.Null(FleetAuditor.InferFromName("xwin10", out _));
    }

    [Fact]
    public void AuditMachine_NameSaysDc_OnAServerProfile_IsADomainController()
    {
        string path = Write("dc-server2022-09.reg", Reg($"[{Workstation}]"));

        MachineAudit audit = FleetAuditor.AuditMachine(new MachineInput { Name = "dc-server2022-09", Paths = [path] }, new AuditOptions());

        Assert.Equal(OsRole.DomainController, audit.Role);
        Assert.Equal("file name", audit.OsOrigin);
        Assert.Equal("cis-server2022", audit.Benchmark.Id);
    }

    [Fact]
    public void AuditMachine_IntuneOnlySources_UseTheIntuneBenchmark()
    {
        string path = Write("tenant.json", File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "oib_settings_catalog_local_security_policies_24h2_smb_subset.json")));

        MachineAudit audit = FleetAuditor.AuditMachine(new MachineInput { Name = "tenant", Paths = [path], Os = "win11-24h2-enterprise" }, new AuditOptions());

        Assert.Equal(FleetAuditor.IntuneBenchmarkId, audit.Benchmark.Id);
        Assert.Equal("Intune-only sources", audit.BenchmarkOrigin);
        Assert.DoesNotContain(audit.Findings, f => f.Status == AuditStatus.Fail && !f.NotConfigured);
    }

    [Fact] // compliance-samples/gpo-samba: a Windows GPO taken from Samba's test provisions is not a Samba server
    public void AuditMachine_NameSaysSamba_WithOnlyWindowsSources_OsIsUnknownWithANote()
    {
        string pol = Write("gpo-samba/Machine/Registry.pol", Pol());
        string conf = Write("samba-fs09.smb.conf", Utf8("[global]\n   server signing = mandatory\n"));

        MachineAudit gpo = FleetAuditor.AuditMachine(new MachineInput { Name = "gpo-samba", Paths = [Path.GetDirectoryName(Path.GetDirectoryName(pol))!] }, new AuditOptions());
        MachineAudit samba = FleetAuditor.AuditMachine(new MachineInput { Name = "samba-fs09", Paths = [conf] }, new AuditOptions());

        Assert.Null(gpo.Os);
        Assert.Equal("unknown", gpo.OsOrigin);
        Assert.Contains(gpo.Notes, n => n.Contains("no source is an smb.conf", StringComparison.Ordinal));
        Assert.Equal("samba", samba.Os!.Id);
        Assert.Equal("file name", samba.OsOrigin);
    }

    [Fact]
    public void AuditMachine_LiveRegistrySource_IsReadOnWindows_ElsewhereEveryResultIsAnError()
    {
        MachineAudit audit = FleetAuditor.AuditMachine(new MachineInput { Name = "this-pc", Paths = [MachineSourceReader.LiveRegistryPath], Os = "win11-24h2-enterprise" }, new AuditOptions());

        if (OperatingSystem.IsWindows())
        {
            Assert.DoesNotContain(audit.Diagnostics, d => d.Code == "LIV001");
        }
        else
        {
            Assert.Equal("LIV001", Assert.Single(audit.Diagnostics).Code);
            Assert.All(audit.Findings, f => Assert.True(f.Status is AuditStatus.Error or AuditStatus.NotApplicable, f.Rule.Id));
            Assert.Contains(audit.Findings, f => f.Status == AuditStatus.Error);
        }
    }

    private string Write(string relative, byte[] content)
    {
        string path = Path.Combine([_root, .. relative.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }
}
