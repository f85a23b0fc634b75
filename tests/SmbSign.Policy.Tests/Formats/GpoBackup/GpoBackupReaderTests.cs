using SmbSign.Policy.Formats.GpoBackup;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.GpoBackup;

public sealed class GpoBackupReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("smbsign-gpo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Read_SambaGpoFolder_ReadsRegistryPolAndGptTmpl()
    {
        // Source: samba-team/samba @4614f04 generalized-gpo-backup policy folder (GPT.INI, Machine/…).
        string gpo = TestFiles.PathOf("gpo-samba");

        IReadOnlyList<SourceReadResult> results = GpoBackupReader.Read(gpo);

        Assert.Equal([SourceFormat.RegistryPol, SourceFormat.SecurityTemplate], results.Select(r => r.Format));
        Assert.Equal(76, results[0].Observations.Count);
        Assert.Equal(4, results[1].Observations.Count);
        Assert.All(results, r => TestFiles.AssertNoDiagnostics(r));
        Assert.EndsWith(Path.Combine("Machine", "Registry.pol"), results[0].Source, StringComparison.Ordinal);
    }

    [Fact]
    public void FindFiles_BackupGpoLayoutInLowerCase_FindsFilesCaseInsensitively()
    {
        string backup = Path.Combine(_dir, "{3A5B0C1D-0000-4000-8000-000000000001}");
        string machine = Path.Combine(backup, "DomainSysvol", "GPO", "machine");
        Directory.CreateDirectory(Path.Combine(machine, "microsoft", "windows nt", "secedit"));
        Directory.CreateDirectory(Path.Combine(backup, "DomainSysvol", "GPO", "user"));
        File.Copy(TestFiles.PathOf("gpo-samba/Machine/Registry.pol"), Path.Combine(machine, "registry.pol"));
        File.Copy(TestFiles.PathOf("SecurityTemplate/secedit-export-member.inf"), Path.Combine(machine, "microsoft", "windows nt", "secedit", "gpttmpl.inf"));
        File.Copy(TestFiles.PathOf("gpo-samba/Machine/Registry.pol"), Path.Combine(backup, "DomainSysvol", "GPO", "user", "Registry.POL"));
        File.WriteAllText(Path.Combine(backup, "Backup.xml"), "<GroupPolicyBackupScheme/>");

        IReadOnlyList<GpoFile> files = GpoBackupReader.FindFiles(backup);
        IReadOnlyList<SourceReadResult> results = GpoBackupReader.Read(backup);

        Assert.Equal(
            [(SourceFormat.RegistryPol, RegistryHive.LocalMachine), (SourceFormat.SecurityTemplate, RegistryHive.LocalMachine), (SourceFormat.RegistryPol, RegistryHive.CurrentUser)],
            files.Select(f => (f.Format, f.Hive)));
        Assert.Equal(1u, TestFiles.DWordOf(results[1], @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters", "RequireSecuritySignature"));
        Assert.All(results[2].Observations, o => Assert.Equal(RegistryHive.CurrentUser, o.Hive));
    }

    [Fact]
    public void Read_FolderWithoutPolicyFiles_ReportsWhatWasExpected()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "Machine"));

        SourceReadResult result = Assert.Single(GpoBackupReader.Read(_dir));

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("GPO001", d.Code);
        Assert.Contains("Machine/Registry.pol", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFolder_ReportsUnreadable()
    {
        SourceReadResult result = Assert.Single(GpoBackupReader.Read(Path.Combine(_dir, "nope")));

        Assert.Equal("GPO002", Assert.Single(result.Diagnostics).Code);
    }
}
