using System.Xml.Linq;
using SmbSign.Policy.Formats.GpoBackup;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.GpoBackup;

public sealed class GpoBackupWriterTests
{
    [Fact]
    public void Write_MsftBaseline_SecurityOptionsToInfTemplatesToPol()
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Get("msft-win11-24h2"));

        GpoFolder folder = GpoBackupWriter.Write(plan);

        string id = folder.BackupId;
        Assert.Matches("^\\{[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}\\}$", id);
        Assert.Equal(
            [$"{id}/Backup.xml", $"{id}/bkupInfo.xml", $"{id}/DomainSysvol/GPO/Machine/Registry.pol", $"{id}/DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf"],
            folder.Files.Select(f => f.RelativePath));
        Assert.Contains("client.RequireSecuritySignature", folder.SecurityOptions);
        Assert.Contains("system.LmCompatibilityLevel", folder.SecurityOptions);
        Assert.Contains("client.HardenedPaths.NETLOGON", folder.AdministrativeTemplates);
        Assert.Contains("client.Smb1Driver", folder.AdministrativeTemplates);
        Assert.DoesNotContain("client.AllowInsecureGuestAuth", folder.SecurityOptions);
        Assert.Equal(folder.Files, GpoBackupWriter.Write(plan).Files, (a, b) => a.RelativePath == b.RelativePath && a.Content.AsSpan().SequenceEqual(b.Content));
    }

    [Fact]
    public void Write_ThenGpoReader_FindsBothFilesWithEveryValue()
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Get("cis-server2025"));
        string dir = Path.Combine(Path.GetTempPath(), "smbsign-gpo-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (GeneratedFile file in GpoBackupWriter.Write(plan).Files)
        {
            string path = Path.Combine([dir, .. file.PathSegments]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content);
        }

        IReadOnlyList<SourceReadResult> results = GpoBackupReader.Read(dir);

        Assert.Equal([SourceFormat.RegistryPol, SourceFormat.SecurityTemplate], results.Select(r => r.Format));
        Observation[] all = [.. results.SelectMany(r => r.Observations)];
        Assert.All(plan.Items, i => Assert.Contains(all, o => o.Registry == i.Identity && i.RegistryValue.Equals(o.Value)));
    }

    /// <summary>The layout Import-GPO reads: {BackupId}/Backup.xml (GroupPolicyBackupScheme with the core settings and one
    /// FSObjectFile per policy file), bkupInfo.xml (BackupInst whose ID is the folder name), and the policy files under
    /// DomainSysvol/GPO/Machine, which SmbSign's GPO reader finds from the backup's parent folder too.</summary>
    [Fact]
    public void Write_IsABackupGpoFolder_ManifestsMatchAndTheReaderReadsItBack()
    {
        RemediationPlan plan = new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Get("cis-server2025"));
        GpoFolder folder = GpoBackupWriter.Write(plan, "Sign ]]> & <everything>", new DateTimeOffset(2026, 12, 7, 3, 4, 5, TimeSpan.Zero));
        string root = Path.Combine(Path.GetTempPath(), "smbsign-gpo-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (GeneratedFile file in folder.Files)
        {
            string path = Path.Combine([root, .. file.PathSegments]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content);
        }

        try
        {
            XNamespace ops = "http://www.microsoft.com/GroupPolicy/GPOOperations";
            XDocument backup = XDocument.Load(Path.Combine(root, folder.BackupId, "Backup.xml"));
            XElement core = backup.Root!.Element(ops + "GroupPolicyObject")!.Element(ops + "GroupPolicyCoreSettings")!;
            Assert.Equal("GroupPolicyBackupScheme", backup.Root.Name.LocalName);
            Assert.Equal(folder.GpoId, core.Element(ops + "ID")!.Value);
            Assert.Equal("Sign ]]> & <everything>", core.Element(ops + "DisplayName")!.Value);
            Assert.Equal("[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}][{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]", core.Element(ops + "MachineExtensionGuids")!.Value);
            XNamespace bkp = ops;
            string[] locations = [.. backup.Descendants(ops + "FSObjectFile").Select(f => f.Attribute(bkp + "Location")!.Value)];
            Assert.Equal(["DomainSysvol\\GPO\\Machine\\Registry.pol", "DomainSysvol\\GPO\\Machine\\microsoft\\windows nt\\SecEdit\\GptTmpl.inf"], locations);
            Assert.All(locations, l => Assert.True(File.Exists(Path.Combine([root, folder.BackupId, .. l.Split('\\')])), l));

            XNamespace manifest = "http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest";
            XDocument info = XDocument.Load(Path.Combine(root, folder.BackupId, "bkupInfo.xml"));
            Assert.Equal(folder.BackupId, info.Root!.Element(manifest + "ID")!.Value);
            Assert.Equal(folder.GpoId, info.Root.Element(manifest + "GPOGuid")!.Value);
            Assert.Equal("2026-12-07T03:04:05", info.Root.Element(manifest + "BackupTime")!.Value);
            Assert.Equal("Sign ]]> & <everything>", info.Root.Element(manifest + "GPODisplayName")!.Value);

            foreach (string dir in new[] { root, Path.Combine(root, folder.BackupId) })
            {
                IReadOnlyList<SourceReadResult> results = GpoBackupReader.Read(dir);
                Assert.Equal([SourceFormat.RegistryPol, SourceFormat.SecurityTemplate], results.Select(r => r.Format));
                Observation[] all = [.. results.SelectMany(r => r.Observations)];
                Assert.All(plan.Items, i => Assert.Contains(all, o => o.Registry == i.Identity && i.RegistryValue.Equals(o.Value)));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
