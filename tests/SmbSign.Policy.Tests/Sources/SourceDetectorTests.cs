using SmbSign.Policy.Sources;
using SmbSign.Policy.Tests.Formats;

namespace SmbSign.Policy.Tests.Sources;

public sealed class SourceDetectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("smbsign-detect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("Reg/workstation-utf16.reg", SourceFormat.Reg)]
    [InlineData("Reg/regedit4-ansi.reg", SourceFormat.Reg)]
    [InlineData("SecurityTemplate/samba-GptTmpl.inf", SourceFormat.SecurityTemplate)]
    [InlineData("SecurityTemplate/ansi-template.inf", SourceFormat.SecurityTemplate)]
    [InlineData("gpo-samba/Machine/Registry.pol", SourceFormat.RegistryPol)]
    [InlineData("PowerShell/srv01-getsmbserverconfiguration-ps51.json", SourceFormat.PowerShellJson)]
    [InlineData("PowerShell/ws01-client-and-server-camelcase.json", SourceFormat.PowerShellJson)]
    [InlineData("Intune/oib_settings_catalog_local_security_policies_24h2_smb_subset.json", SourceFormat.IntuneJson)]
    [InlineData("Intune/intunedocs_hardeneduncpaths_groupcollection_instance.json", SourceFormat.IntuneJson)]
    [InlineData("Intune/custom-profile-smb-signing.json", SourceFormat.IntuneJson)]
    [InlineData("SmbConf/member-server.conf", SourceFormat.SmbConf)]
    [InlineData("SmbConf/shares.conf", SourceFormat.SmbConf)]
    [InlineData("NsmbConf/managed-mac.conf", SourceFormat.NsmbConf)]
    [InlineData("gpo-samba/GPT.INI", SourceFormat.Unknown)]
    public void DetectFile_RealSamples_ByContent(string file, SourceFormat expected)
    {
        Assert.Equal(expected, SourceDetector.DetectFile(TestFiles.PathOf(file)));
    }

    [Fact]
    public void DetectFile_MisleadingExtension_StillDetectsByContent()
    {
        string path = Path.Combine(_dir, "looks-like.json");
        File.Copy(TestFiles.PathOf("Reg/workstation-utf16.reg"), path);

        SourceReadResult result = SourceDetector.ReadFile(path);

        Assert.Equal(SourceFormat.Reg, result.Format);
        TestFiles.AssertNoDiagnostics(result);
    }

    [Theory]
    [InlineData("json array of objects", "[ {\"RequireSecuritySignature\": true} ]", SourceFormat.PowerShellJson)]
    [InlineData("ini that starts with [", "[global]\nserver signing = mandatory\n", SourceFormat.SmbConf)]
    [InlineData("smb.conf without sections", "# comment\nserver signing = mandatory\n", SourceFormat.SmbConf)]
    [InlineData("unrelated json", "{\"hello\": 1}", SourceFormat.Unknown)]
    [InlineData("empty", "", SourceFormat.Unknown)]
    [InlineData("plain text", "hello world\n", SourceFormat.Unknown)]
    public void Detect_Content_PicksFormat(string description, string text, SourceFormat expected)
    {
        Assert.True(expected == SourceDetector.Detect(TestFiles.Utf8(text)), description);
    }

    [Fact]
    public void ReadFile_Unrecognised_ReportsWhatWasExpected()
    {
        string path = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(path, "hello\n");

        SourceReadResult result = SourceDetector.ReadFile(path);

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("SRC002", d.Code);
        Assert.Contains("smb.conf", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_FleetFolder_ListsFilesAndExpandsGpoFolders()
    {
        File.Copy(TestFiles.PathOf("Reg/workstation-utf16.reg"), Path.Combine(_dir, "ws01.reg"));
        File.Copy(TestFiles.PathOf("SmbConf/member-server.conf"), Path.Combine(_dir, "samba1.conf")); // its include (shares.conf) is not copied: SMB005
        File.WriteAllText(Path.Combine(_dir, "README.md"), "# fleet\n");
        File.WriteAllText(Path.Combine(_dir, ".hidden"), "x");
        string gpo = Path.Combine(_dir, "dc1-gpo");
        Directory.CreateDirectory(Path.Combine(gpo, "Machine", "Microsoft", "Windows NT", "SecEdit"));
        File.Copy(TestFiles.PathOf("gpo-samba/Machine/Registry.pol"), Path.Combine(gpo, "Machine", "Registry.pol"));
        File.Copy(TestFiles.PathOf("SecurityTemplate/samba-GptTmpl.inf"), Path.Combine(gpo, "Machine", "Microsoft", "Windows NT", "SecEdit", "GptTmpl.inf"));
        File.WriteAllText(Path.Combine(gpo, "GPT.INI"), "[General]\r\nVersion=1\r\n");

        DetectedSource[] sources = SourceDetector.Expand(_dir).ToArray();

        Assert.Equal(
            [
                ("README.md", SourceFormat.Unknown, (string?)null),
                ("Registry.pol", SourceFormat.RegistryPol, gpo),
                ("GptTmpl.inf", SourceFormat.SecurityTemplate, gpo),
                ("samba1.conf", SourceFormat.SmbConf, null),
                ("ws01.reg", SourceFormat.Reg, null),
            ],
            sources.Select(s => (Path.GetFileName(s.Path), s.Format, s.GpoFolder)));
        SourceReadResult[] results = SourceDetector.ReadPath(_dir).ToArray();
        Assert.Equal(["SRC002", "SMB005"], results.SelectMany(r => r.Diagnostics).Select(d => d.Code));
        Assert.Equal(76, results[1].Observations.Count);
    }

    [Fact]
    public void Expand_MissingPath_YieldsOneUnknownSourceThatReadsAsUnreadable()
    {
        string missing = Path.Combine(_dir, "absent.reg");

        DetectedSource source = Assert.Single(SourceDetector.Expand(missing));
        SourceReadResult result = SourceDetector.Read(source);

        Assert.Equal(SourceFormat.Unknown, source.Format);
        Assert.Equal("SRC001", Assert.Single(result.Diagnostics).Code);
    }
}
