using SmbSign.Policy.Formats.SecurityTemplate;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.SecurityTemplate;

public sealed class SecurityTemplateReaderTests
{
    private const string Workstation = @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters";
    private const string Server = @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters";
    private const string Head = "[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\n";

    private readonly SecurityTemplateReader _reader = new();

    [Fact]
    public void Read_SambaGptTmpl_ReadsTheFourRegistryValues()
    {
        // Source: samba-team/samba @4614f04 generalized-gpo-backup GptTmpl.inf (UTF-16LE + BOM, CRLF).
        SourceReadResult result = _reader.Read(TestFiles.PathOf("SecurityTemplate/samba-GptTmpl.inf"));

        TestFiles.AssertNoDiagnostics(result);
        Assert.Equal(4, result.Observations.Count);
        Observation allowed = TestFiles.Find(result, @"System\CurrentControlSet\Control\SecurePipeServers\Winreg\AllowedExactPaths", "Machine");
        Assert.True(allowed.Value!.TryGetStrings(out IReadOnlyList<string> paths));
        Assert.Equal([@"System\CurrentControlSet\Control\ProductOptions", @"System\CurrentControlSet\Control\Server Applications", @"Software\Microsoft\Windows NT\CurrentVersion"], paths);
        Assert.Equal(16, allowed.Location.Line);
        Assert.Equal(0u, TestFiles.DWordOf(result, @"System\CurrentControlSet\Control\Lsa\FIPSAlgorithmPolicy", "Enabled"));
        Assert.Equal(1111u, TestFiles.DWordOf(result, @"Software\Microsoft\Windows\CurrentVersion\Policies\System", "InactivityTimeoutSecs"));
        Assert.Equal(19, TestFiles.Find(result, @"Software\Microsoft\Windows\CurrentVersion\Policies\System", "EnableUIADesktopToggle").Location.Line);
        Assert.All(result.Observations, o => Assert.Equal(RegistryHive.LocalMachine, o.Hive));
    }

    [Fact]
    public void Read_SeceditExport_ReadsSigningSettingsWithEveryTypeCode()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf("SecurityTemplate/secedit-export-member.inf"));

        TestFiles.AssertNoDiagnostics(result);
        Assert.Equal(1u, TestFiles.DWordOf(result, Workstation, "RequireSecuritySignature"));
        Assert.Equal(11, TestFiles.Find(result, Workstation, "RequireSecuritySignature").Location.Line);
        Assert.Equal(1u, TestFiles.DWordOf(result, Server, "RequireSecuritySignature"));
        Assert.Equal(1u, TestFiles.DWordOf(result, Server, "enableforcedlogoff"));
        Assert.Equal(15u, TestFiles.DWordOf(result, Server, "AutoDisconnect"));
        Assert.Equal(5u, TestFiles.DWordOf(result, @"SYSTEM\CurrentControlSet\Control\Lsa", "LmCompatibilityLevel"));

        Assert.True(TestFiles.Find(result, Server, "NullSessionPipes").Value!.TryGetStrings(out IReadOnlyList<string> pipes));
        Assert.Empty(pipes);
        Assert.Equal([0x01], TestFiles.Find(result, @"Software\Microsoft\Driver Signing", "Policy").Value!.ToBytes());
        Assert.True(TestFiles.Find(result, @"Software\Microsoft\Windows NT\CurrentVersion\Winlogon", "ScRemoveOption").Value!.TryGetString(out string sc));
        Assert.Equal("0", sc);
        Assert.True(TestFiles.Find(result, @"Software\Microsoft\Windows\CurrentVersion\Policies\System", "LegalNoticeText").Value!.TryGetStrings(out IReadOnlyList<string> notice));
        Assert.Equal(["This system is monitored", "Use, if authorised"], notice);
    }

    [Fact]
    public void Read_AnsiTemplate_DecodesWindows1252()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf("SecurityTemplate/ansi-template.inf"));

        TestFiles.AssertNoDiagnostics(result);
        Assert.True(TestFiles.Find(result, @"Software\Microsoft\Windows NT\CurrentVersion\Winlogon", "LegalNoticeCaption").Value!.TryGetString(out string caption));
        Assert.Equal("Accès réservé", caption);
        Assert.Equal(0u, TestFiles.DWordOf(result, Workstation, "RequireSecuritySignature"));
    }

    [Theory]
    [InlineData("expand string", "MACHINE\\Software\\A\\V=2,\"%SystemRoot%\\x\"", RegistryValueType.ExpandString, "%SystemRoot%\\x")]
    [InlineData("negative dword", "MACHINE\\Software\\A\\V=4,-1", RegistryValueType.DWord, "4294967295")]
    [InlineData("hex dword", "MACHINE\\Software\\A\\V=4,0x10", RegistryValueType.DWord, "16")]
    [InlineData("spaces around equals", "MACHINE\\Software\\A\\V = 4,7", RegistryValueType.DWord, "7")]
    [InlineData("binary list", "MACHINE\\Software\\A\\V=3,01,ff", RegistryValueType.Binary, "hex:01ff")]
    [InlineData("binary run", "MACHINE\\Software\\A\\V=3,0a0b0c", RegistryValueType.Binary, "hex:0a0b0c")]
    [InlineData("multi with leading empty item", "MACHINE\\Software\\A\\V=7,,netlogon,samr,lsarpc", RegistryValueType.MultiString, "netlogon, samr, lsarpc")]
    [InlineData("string with equals and commas", "MACHINE\\Software\\A\\V=1,a=b,c", RegistryValueType.String, "a=b,c")]
    public void Parse_TypeCodes_DecodeToTypedValues(string description, string line, RegistryValueType type, string display)
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom(Head + line + "\r\n"), "t.inf");

        TestFiles.AssertNoDiagnostics(result);
        Observation o = Assert.Single(result.Observations);
        Assert.True(type == o.Value!.Type, description);
        Assert.Equal(display, o.Value.ToDisplayString());
        Assert.Equal(new RegistryIdentity(@"Software\A", "V"), o.Registry);
        Assert.Equal(4, o.Location.Line);
    }

    [Theory]
    [InlineData("no equals sign", "MACHINE\\Software\\A\\V 4,1", "INF010", DiagnosticSeverity.Error)]
    [InlineData("user hive", "USER\\Software\\A\\V=4,1", "INF011", DiagnosticSeverity.Warning)]
    [InlineData("no hive", "Software\\A\\V=4,1", "INF011", DiagnosticSeverity.Warning)]
    [InlineData("type not a number", "MACHINE\\Software\\A\\V=four,1", "INF012", DiagnosticSeverity.Error)]
    [InlineData("empty right-hand side", "MACHINE\\Software\\A\\V=", "INF012", DiagnosticSeverity.Error)]
    [InlineData("unsupported type", "MACHINE\\Software\\A\\V=9,1", "INF013", DiagnosticSeverity.Error)]
    [InlineData("dword not a number", "MACHINE\\Software\\A\\V=4,yes", "INF014", DiagnosticSeverity.Error)]
    [InlineData("dword too large", "MACHINE\\Software\\A\\V=4,4294967296", "INF014", DiagnosticSeverity.Error)]
    [InlineData("binary not hex", "MACHINE\\Software\\A\\V=3,zz", "INF014", DiagnosticSeverity.Error)]
    [InlineData("no value name", "MACHINE\\Software=4,1", "INF015", DiagnosticSeverity.Error)]
    public void Parse_MalformedLine_ReportsCodeAndLine(string description, string line, string code, DiagnosticSeverity severity)
    {
        string text = Head + "MACHINE\\Software\\Ok\\Before=4,1\r\n" + line + "\r\nMACHINE\\Software\\Ok\\After=4,2\r\n";

        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom(text), "bad.inf");

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.True(code == d.Code, $"{description}: {d}");
        Assert.Equal(severity, d.Severity);
        Assert.Equal(5, d.Location.Line);
        Assert.Equal(2, result.Observations.Count);
    }

    [Fact]
    public void Parse_NoSections_ReportsNotATemplate()
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf8("just text\r\n"), "x.inf");

        Assert.Equal("INF001", Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Parse_LinesOutsideRegistryValues_AreIgnored()
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom("[System Access]\r\nMACHINE\\Software\\A\\V=4,1\r\n"), "x.inf");

        Assert.Empty(result.Observations);
        TestFiles.AssertNoDiagnostics(result);
    }

    [Fact]
    public void Parse_EveryTruncation_NeverThrowsAndKeepsAPrefix()
    {
        byte[] whole = TestFiles.Bytes("SecurityTemplate/secedit-export-member.inf");
        SourceReadResult full = _reader.Parse(whole, "s.inf");

        for (int length = 0; length < whole.Length; length++)
        {
            SourceReadResult cut = _reader.Parse(whole.AsSpan(0, length), "s.inf");

            Assert.True(cut.Observations.Count <= full.Observations.Count);
            for (int i = 0; i < cut.Observations.Count - 1; i++)
            {
                TestFiles.AssertSameObservation(full.Observations[i], cut.Observations[i]);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void Read_ChunkedStream_SameAsWholeFile(int chunk)
    {
        byte[] whole = TestFiles.Bytes("SecurityTemplate/samba-GptTmpl.inf");

        TestFiles.AssertSameObservations(_reader.Parse(whole, "g.inf"), _reader.Read(new ChunkedStream(whole, chunk), "g.inf"));
    }

    [Fact]
    public void Parse_Utf16BomBeforeEightBitText_ReadsTheTextWithInf002()
    {
        byte[] content = [0xFF, 0xFE, .. TestFiles.Utf8(Head + "MACHINE\\" + Workstation + "\\RequireSecuritySignature=4,1\r\n")];

        SourceReadResult result = _reader.Parse(content, "x.inf");

        SourceDiagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.Inf002, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(1u, TestFiles.DWordOf(result, Workstation, "RequireSecuritySignature"));
    }
}
