using SmbSign.Policy.Formats.SmbConf;
using SmbSign.Policy.Sources;
using SmbSign.Testing;

namespace SmbSign.Policy.Tests.Formats.SmbConf;

public sealed class SmbConfReaderTests : IDisposable
{
    private readonly SmbConfReader _reader = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("smbsign-smbconf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Read_MemberServer_NormalisesSigningSynonymsAndFollowsInclude()
    {
        string path = TestFiles.PathOf("SmbConf/member-server.conf");

        SourceReadResult result = _reader.Read(path);

        TestFiles.AssertNoDiagnostics(result);
        Observation signing = Get(result, "global", "server signing");
        Assert.Equal(("mandatory", "required"), (signing.NativeValue!.Text, signing.NativeValue.Normalized));
        Assert.Equal(6, signing.Location.Line);
        Assert.Null(signing.Registry);
        Assert.Equal(RegistryHive.None, signing.Hive);
        Assert.Equal("desired", Get(result, "global", "client signing").NativeValue!.Normalized);
        Assert.Equal("SMB3_11", Get(result, "global", "server min protocol").NativeValue!.Normalized);
        Assert.Equal("desired", Get(result, "global", "server smb encrypt").NativeValue!.Normalized);
        Observation algorithms = Get(result, "global", "server smb3 signing algorithms");
        Assert.Equal("AES-128-GMAC,  AES-128-CMAC", algorithms.NativeValue!.Text);
        Assert.Equal(10, algorithms.Location.Line);
        Assert.Equal("false", Get(result, "data", "read only").NativeValue!.Normalized);
        Assert.Equal("stream", Get(result, "data", "vfs_fruit:metadata").NativeValue!.Normalized);

        Observation browseable = Get(result, "public", "browseable");
        Assert.Equal("true", browseable.NativeValue!.Normalized);
        Assert.Equal(TestFiles.PathOf("SmbConf/shares.conf"), browseable.Location.File);
        Assert.Equal(3, browseable.Location.Line);
        Assert.Equal("true", Get(result, "public", "read only").NativeValue!.Normalized);
    }

    [Theory]
    [InlineData("mandatory", SambaSigningMode.Required)]
    [InlineData("Required", SambaSigningMode.Required)]
    [InlineData("forced", SambaSigningMode.Required)]
    [InlineData("enforced", SambaSigningMode.Required)]
    [InlineData("auto", SambaSigningMode.IfRequired)]
    [InlineData("yes", SambaSigningMode.IfRequired)]
    [InlineData("On", SambaSigningMode.IfRequired)]
    [InlineData("no", SambaSigningMode.Disabled)]
    [InlineData("disabled", SambaSigningMode.Disabled)]
    [InlineData("0", SambaSigningMode.Disabled)]
    [InlineData("desired", SambaSigningMode.Desired)]
    [InlineData("default", SambaSigningMode.Default)]
    public async Task Parse_SigningSpellings_AgreeWithSambaTestparm(string spelling, SambaSigningMode expected)
    {
        string conf = Path.Combine(_dir, "s.conf");
        await File.WriteAllTextAsync(conf, $"[global]\nserver signing = {spelling}\n");
        string testparm = ToolLocator.Require("testparm", "samba-common-bin");

        (int exit, string output) = await ProcessRunner.RunAsync(testparm, ["-s", "--suppress-prompt", "--parameter-name=server signing", conf], null, TimeSpan.FromSeconds(30));
        SourceReadResult result = _reader.Read(conf);

        Assert.Equal(0, exit);
        string samba = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Last(l => !l.Contains("smb config", StringComparison.OrdinalIgnoreCase) && !l.Contains("Loaded services", StringComparison.Ordinal) && !l.StartsWith("Server role", StringComparison.Ordinal) && !l.Contains("Weak crypto", StringComparison.Ordinal));
        string ours = Get(result, "global", "server signing").NativeValue!.Normalized;
        Assert.Equal(expected, Enum.Parse<SambaSigningMode>(ours.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true));
        Assert.Equal(samba.Equals("No", StringComparison.OrdinalIgnoreCase) ? "disabled" : samba, ours);
    }

    [Theory]
    [InlineData("unknown parameter", "[global]\nserver signin = mandatory\n", "SMB003", 2)]
    [InlineData("no equals sign", "[global]\nserver signing mandatory\n", "SMB001", 2)]
    [InlineData("unterminated section", "[global\nserver signing = mandatory\n", "SMB002", 1)]
    [InlineData("bad signing value", "[global]\n\n server signing = sometimes\n", "SMB007", 3)]
    [InlineData("bad boolean", "[data]\nread only = perhaps\n", "SMB007", 2)]
    [InlineData("bad protocol", "[global]\nserver min protocol = SMB4\n", "SMB007", 2)]
    [InlineData("substituted include", "[global]\ninclude = /etc/samba/%m.conf\n", "SMB006", 2)]
    [InlineData("continuation at end", "[global]\nworkgroup = A \\", "SMB008", 2)]
    public void Parse_Malformed_WarnsWithLine(string description, string text, string code, int line)
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf8(text), Path.Combine(_dir, "bad.conf"));

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.True(code == d.Code, $"{description}: {d}");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal(line, d.Location.Line);
    }

    [Fact]
    public void Parse_UnknownParameter_NamesItAndKeepsReading()
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf8("[global]\nserver signin = mandatory\nclient signing = required\n"), "x.conf");

        Assert.Contains("\"server signin\"", Assert.Single(result.Diagnostics).Message, StringComparison.Ordinal);
        Assert.Equal("required", Get(result, "global", "client signing").NativeValue!.Normalized);
    }

    [Fact]
    public void Parse_ParametersBeforeAnySection_AreGlobal()
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf8("server signing = auto\n"), "x.conf");

        Assert.Equal("if_required", Get(result, "global", "server signing").NativeValue!.Normalized);
    }

    [Fact]
    public void Read_IncludeCycle_IsReportedAndNotFollowedTwice()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf("SmbConf/cycle-a.conf"));

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("SMB004", d.Code);
        Assert.Equal(TestFiles.PathOf("SmbConf/cycle-b.conf"), d.Location.File);
        Assert.Equal(3, d.Location.Line);
        Assert.Equal(2, result.Observations.Count);
    }

    [Fact]
    public void Read_MissingInclude_WarnsAndReadsTheRest()
    {
        string conf = Path.Combine(_dir, "main.conf");
        File.WriteAllText(conf, "[global]\ninclude = nowhere.conf\nserver signing = mandatory\n");

        SourceReadResult result = _reader.Read(conf);

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal(("SMB005", 2), (d.Code, d.Location.Line));
        Assert.Contains("does not exist", d.Message, StringComparison.Ordinal);
        Assert.Equal("required", Get(result, "global", "server signing").NativeValue!.Normalized);
    }

    [Fact]
    public void Read_IncludeRelativeToIncludingFile_NotToTheWorkingDirectory()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "conf.d"));
        File.WriteAllText(Path.Combine(_dir, "main.conf"), "[global]\ninclude = conf.d/signing.conf\n");
        File.WriteAllText(Path.Combine(_dir, "conf.d", "signing.conf"), "include = more.conf\n");
        File.WriteAllText(Path.Combine(_dir, "conf.d", "more.conf"), "client signing = required\n");

        SourceReadResult result = _reader.Read(Path.Combine(_dir, "main.conf"));

        TestFiles.AssertNoDiagnostics(result);
        Assert.Equal(Path.Combine(_dir, "conf.d", "more.conf"), Get(result, "global", "client signing").Location.File);
    }

    private static Observation Get(SourceReadResult result, string section, string name) =>
        result.Observations.Last(o => o.Native == new NativeSetting(NativeSchemes.SmbConf, section, name));
}
