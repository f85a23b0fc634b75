using System.Text;
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

        Assert.Equal(["GPT.INI", "Machine/Registry.pol", "Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf"], folder.Files.Select(f => f.RelativePath));
        Assert.Contains("client.RequireSecuritySignature", folder.SecurityOptions);
        Assert.Contains("system.LmCompatibilityLevel", folder.SecurityOptions);
        Assert.Contains("client.HardenedPaths.NETLOGON", folder.AdministrativeTemplates);
        Assert.Contains("client.Smb1Driver", folder.AdministrativeTemplates);
        Assert.DoesNotContain("client.AllowInsecureGuestAuth", folder.SecurityOptions);
        Assert.Equal("[General]\r\nVersion=1\r\ndisplayName=SmbSign fix: msft-win11-24h2\r\n", Encoding.ASCII.GetString(folder.Files[0].Content));
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
}
