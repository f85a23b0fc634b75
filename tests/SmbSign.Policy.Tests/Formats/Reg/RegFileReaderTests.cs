using System.Text;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.Reg;

public sealed class RegFileReaderTests
{
    private const string Workstation = @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters";
    private const string Server = @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters";
    private const string Header5 = "Windows Registry Editor Version 5.00\r\n\r\n";

    private readonly RegFileReader _reader = new();

    [Fact]
    public void Read_Utf16Export_ReadsEveryValueTypeWithLines()
    {
        // TestData/Reg/workstation-utf16.reg: hand-made in regedit's exact layout (UTF-16LE + BOM, CRLF, wrapped hex).
        SourceReadResult result = _reader.Read(TestFiles.PathOf("Reg/workstation-utf16.reg"));

        TestFiles.AssertNoDiagnostics(result);
        Assert.Equal(SourceFormat.Reg, result.Format);
        Assert.Equal(1u, TestFiles.DWordOf(result, Workstation, "RequireSecuritySignature"));
        Assert.Equal(6, TestFiles.Find(result, Workstation, "RequireSecuritySignature").Location.Line);
        Assert.Equal(15u, TestFiles.DWordOf(result, Server, "AutoDisconnect"));
        Assert.Equal(RegistryHive.LocalMachine, TestFiles.Find(result, Server, "SMB1").Hive);

        Assert.True(TestFiles.Find(result, Workstation, "ServiceDll").Value!.TryGetString(out string dll));
        Assert.Equal(RegistryValueType.ExpandString, TestFiles.Find(result, Workstation, "ServiceDll").Value!.Type);
        Assert.Equal(@"%SystemRoot%\System32\wkssvc.dll", dll);
        Assert.Equal(7, TestFiles.Find(result, Workstation, "ServiceDll").Location.Line);
        Assert.Equal(10, TestFiles.Find(result, Workstation, "ServiceDllUnloadOnStop").Location.Line);

        Assert.True(TestFiles.Find(result, Server, "NullSessionPipes").Value!.TryGetStrings(out IReadOnlyList<string> pipes));
        Assert.Equal(["netlogon", "samr", "lsarpc"], pipes);
        Assert.True(TestFiles.Find(result, Workstation, "OtherDomains").Value!.TryGetStrings(out IReadOnlyList<string> none));
        Assert.Empty(none);
        Assert.Equal("1a2b3c4d5e6f708192a3b4c5d6e7f801", Convert.ToHexString(TestFiles.Find(result, Server, "Guid").Value!.ToBytes()).ToLowerInvariant());
        Assert.True(TestFiles.Find(result, Server, "LastSeen").Value!.TryGetUInt64(out ulong qword));
        Assert.Equal(0x2540BE400ul, qword);
        Assert.True(TestFiles.Find(result, Server, "SrvComment").Value!.TryGetString(out string empty));
        Assert.Equal(string.Empty, empty);

        const string Hardened = @"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths";
        Assert.True(TestFiles.Find(result, Hardened, @"\\*\NETLOGON").Value!.TryGetString(out string netlogon));
        Assert.Equal("RequireMutualAuthentication=1, RequireIntegrity=1", netlogon);
        Assert.True(TestFiles.Find(result, @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation", string.Empty).Value!.TryGetString(out string def));
        Assert.Equal("Lanman \"workstation\" policy", def);
    }

    [Fact]
    public void Read_Regedit4Ansi_DecodesAnsiStringsDeletionsAndKeyDeletion()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf("Reg/regedit4-ansi.reg"));

        TestFiles.AssertNoDiagnostics(result);
        Assert.Equal(0u, TestFiles.DWordOf(result, Workstation, "RequireSecuritySignature"));
        Assert.True(TestFiles.Find(result, Workstation, "Comment").Value!.TryGetString(out string comment));
        Assert.Equal("Café server", comment);
        Assert.True(TestFiles.Find(result, Workstation, "ServiceDll").Value!.TryGetString(out string dll));
        Assert.Equal(@"%SystemRoot%\System32\wkssvc.dll", dll);
        Assert.True(TestFiles.Find(result, Workstation, "Names").Value!.TryGetStrings(out IReadOnlyList<string> names));
        Assert.Equal(["alpha", "beta"], names);
        Assert.Equal(ObservationKind.ValueDeleted, TestFiles.Find(result, Workstation, "Obsolete").Kind);
        Observation deleted = TestFiles.Find(result, @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation", string.Empty);
        Assert.Equal(ObservationKind.KeyDeleted, deleted.Kind);
        Assert.Equal(12, deleted.Location.Line);
    }

    [Theory]
    [InlineData("hex(4) little-endian dword", "\"V\"=hex(4):01,02,00,00", RegistryValueType.DWord, "513")]
    [InlineData("hex(5) big-endian dword", "\"V\"=hex(5):00,00,02,01", RegistryValueType.DWordBigEndian, "513")]
    [InlineData("hex(b) qword", "\"V\"=hex(b):01,00,00,00,00,00,00,00", RegistryValueType.QWord, "1")]
    [InlineData("hex(0) none", "\"V\"=hex(0):", RegistryValueType.None, "(empty)")]
    [InlineData("hex(1) string", "\"V\"=hex(1):41,00,00,00", RegistryValueType.String, "A")]
    [InlineData("short dword", "\"V\"=dword:1", RegistryValueType.DWord, "1")]
    [InlineData("uppercase hex digits", "\"V\"=dword:FFFFFFFF", RegistryValueType.DWord, "4294967295")]
    [InlineData("unknown type code kept as bytes", "\"V\"=hex(100):0a,0b", (RegistryValueType)0x100, "hex:0a0b")]
    [InlineData("escaped name", "\"a\\\\b\\\"c\"=dword:00000002", RegistryValueType.DWord, "2")]
    [InlineData("spaces around equals and trailing comment", "\"V\" = dword:00000003 ; three", RegistryValueType.DWord, "3")]
    [InlineData("continuation with spaces", "\"V\"=hex:01,\\\r\n   02,\\\r\n  03", RegistryValueType.Binary, "hex:010203")]
    public void Parse_ValueForms_DecodeToTypedValues(string description, string valueLine, RegistryValueType type, string display)
    {
        byte[] file = TestFiles.Utf16WithBom(Header5 + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\r\n" + valueLine + "\r\n");

        SourceReadResult result = _reader.Parse(file, "t.reg");

        TestFiles.AssertNoDiagnostics(result);
        Observation o = Assert.Single(result.Observations);
        Assert.True(o.Value is not null, description);
        Assert.Equal(type, o.Value!.Type);
        Assert.Equal(display, o.Value.ToDisplayString());
        Assert.Equal(4, o.Location.Line);
    }

    [Fact]
    public void Parse_EscapedName_UnescapesBackslashAndQuote()
    {
        byte[] file = TestFiles.Utf16WithBom(Header5 + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\r\n\"a\\\\b\\\"c\"=\"x\\\\y\"\r\n");

        Observation o = Assert.Single(_reader.Parse(file, "t.reg").Observations);

        Assert.Equal("a\\b\"c", o.Registry!.Value.ValueName);
        Assert.True(o.Value!.TryGetString(out string s));
        Assert.Equal("x\\y", s);
    }

    [Theory]
    [InlineData("no header", "[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\r\n", "REG001", 1)]
    [InlineData("key without bracket", Header5 + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\A\r\n", "REG010", 3)]
    [InlineData("unknown hive", Header5 + "[HKEY_NOWHERE\\SOFTWARE\\A]\r\n", "REG011", 3)]
    [InlineData("garbage line", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\nhello\r\n", "REG020", 4)]
    [InlineData("value before key", Header5 + "\"V\"=dword:00000001\r\n", "REG021", 3)]
    [InlineData("unterminated name", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V=dword:1\r\n", "REG022", 4)]
    [InlineData("missing equals", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\" dword:1\r\n", "REG023", 4)]
    [InlineData("unknown data type", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=word:1\r\n", "REG030", 4)]
    [InlineData("bad hex type", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=hex(zz):01\r\n", "REG030", 4)]
    [InlineData("dword too long", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=dword:123456789\r\n", "REG031", 4)]
    [InlineData("dword not hex", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=dword:xyz\r\n", "REG031", 4)]
    [InlineData("bad hex byte", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=hex:01,0g\r\n", "REG032", 4)]
    [InlineData("three-digit hex byte", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=hex:01,123\r\n", "REG032", 4)]
    [InlineData("unterminated string", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=\"abc\r\n", "REG033", 4)]
    [InlineData("continuation at end of file", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=hex:01,02,\\\r\n", "REG041", 4)]
    [InlineData("continuation into a new value", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=hex:01,02,\\\r\n\"W\"=dword:00000001\r\n", "REG041", 5)]
    [InlineData("continuation into a blank line", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=hex:01,02,\\\r\n\r\n\"W\"=dword:00000001\r\n", "REG041", 5)]
    [InlineData("continuation into a key", Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=hex(7):41,00,\\\r\n[HKEY_LOCAL_MACHINE\\B]\r\n", "REG041", 5)]
    public void Parse_Malformed_ReportsCodeAndLine(string description, string text, string code, int line)
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom(text), "bad.reg");

        SourceDiagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.True(code == diagnostic.Code, $"{description}: {diagnostic}");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(line, diagnostic.Location.Line);
        Assert.Equal("bad.reg", diagnostic.Location.File);
        Assert.StartsWith("bad.reg:" + line + ": error " + code + ": ", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BrokenContinuation_KeepsReadingTheNextValue()
    {
        string text = Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=hex:01,02,\\\r\n\"W\"=dword:00000007\r\n";

        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom(text), "bad.reg");

        Assert.Equal("REG041", Assert.Single(result.Diagnostics).Code);
        Observation w = Assert.Single(result.Observations);
        Assert.Equal("W", w.Registry!.Value.ValueName);
        Assert.Equal(5, w.Location.Line);
    }

    [Fact]
    public void Parse_Version5WithoutBom_WarnsAboutEncodingAndReads()
    {
        byte[] file = TestFiles.Utf8(Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=dword:00000001\r\n");

        SourceReadResult result = _reader.Parse(file, "utf8.reg");

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal(("REG002", DiagnosticSeverity.Warning, 1), (d.Code, d.Severity, d.Location.Line));
        Assert.Contains("UTF-8 without BOM", d.Message, StringComparison.Ordinal);
        Assert.Single(result.Observations);
    }

    [Fact]
    public void Parse_Regedit4InUtf16_WarnsAboutEncoding()
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=dword:00000001\r\n"), "x.reg");

        Assert.Equal("REG002", Assert.Single(result.Diagnostics).Code);
        Assert.Single(result.Observations);
    }

    [Fact]
    public void Parse_Utf16BomOverUtf8Text_ReportsBomMismatchAtOffsetZero()
    {
        byte[] file = [0xFF, 0xFE, .. TestFiles.Utf8(Header5 + "[HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=dword:00000001\r\n")];

        SourceReadResult result = _reader.Parse(file, "wrongbom.reg");

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("REG003", d.Code);
        Assert.Equal(0, d.Location.ByteOffset);
        Assert.Contains("FF FE", d.Message, StringComparison.Ordinal);
        Assert.Single(result.Observations);
    }

    [Fact]
    public void Parse_EmptyFile_ReportsEmpty()
    {
        SourceReadResult result = _reader.Parse([], "empty.reg");

        Assert.Equal("REG004", Assert.Single(result.Diagnostics).Code);
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void Parse_ValuesUnderDeletedKey_AreIgnoredWithWarning()
    {
        string text = Header5 + "[-HKEY_LOCAL_MACHINE\\A]\r\n\"V\"=dword:00000001\r\n";

        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom(text), "x.reg");

        Assert.Equal(ObservationKind.KeyDeleted, Assert.Single(result.Observations).Kind);
        Assert.Equal("REG012", Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Parse_HklmShortHiveAndControlSet001_NormalisesKey()
    {
        string text = Header5 + "[HKLM\\SYSTEM\\ControlSet001\\Services\\LanmanWorkstation\\Parameters\\]\r\n\"RequireSecuritySignature\"=dword:00000001\r\n";

        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom(text), "x.reg");

        Assert.Equal(1u, TestFiles.DWordOf(result, Workstation, "requiresecuritysignature"));
    }

    [Fact]
    public void Parse_EveryTruncation_NeverThrowsAndKeepsAPrefix()
    {
        byte[] whole = TestFiles.Bytes("Reg/workstation-utf16.reg");
        SourceReadResult full = _reader.Parse(whole, "w.reg");

        for (int length = 0; length < whole.Length; length++)
        {
            SourceReadResult cut = _reader.Parse(whole.AsSpan(0, length), "w.reg");

            Assert.True(cut.Observations.Count <= full.Observations.Count, $"length {length}");
            for (int i = 0; i < cut.Observations.Count - 1; i++)
            {
                TestFiles.AssertSameObservation(full.Observations[i], cut.Observations[i]);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Read_ChunkedStream_SameAsWholeFile(int chunk)
    {
        byte[] whole = TestFiles.Bytes("Reg/workstation-utf16.reg");

        SourceReadResult expected = _reader.Parse(whole, "w.reg");
        SourceReadResult actual = _reader.Read(new ChunkedStream(whole, chunk), "w.reg");

        TestFiles.AssertSameObservations(expected, actual);
    }

    [Fact]
    public async Task ReadAsync_Stream_SameAsWholeFile()
    {
        byte[] whole = TestFiles.Bytes("Reg/workstation-utf16.reg");

        SourceReadResult actual = await _reader.ReadAsync(new ChunkedStream(whole, 5), "w.reg");

        TestFiles.AssertSameObservations(_reader.Parse(whole, "w.reg"), actual);
    }

    [Fact]
    public void Read_MissingFile_ReportsUnreadableWithoutThrowing()
    {
        SourceReadResult result = _reader.Read(Path.Combine(Path.GetTempPath(), "smbsign-no-such-file.reg"));

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("SRC001", d.Code);
        Assert.Contains("does not exist", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OverSizeCap_ReportsTooLargeWithoutBuffering()
    {
        RegFileReader small = new() { MaxFileSize = 100 };
        byte[] data = Encoding.ASCII.GetBytes(new string('x', 1000));

        SourceReadResult fromSeekable = small.Read(new MemoryStream(data), "big.reg");
        SourceReadResult fromChunks = small.Read(new ChunkedStream(data, 10), "big.reg");

        Assert.Equal("SRC003", Assert.Single(fromSeekable.Diagnostics).Code);
        Assert.Equal("SRC003", Assert.Single(fromChunks.Diagnostics).Code);
    }

    [Fact]
    public void Parse_TextAfterKeyOrValue_IsIgnoredWithReg034()
    {
        string text = Header5 + "[HKEY_LOCAL_MACHINE\\" + Workstation + "] stray\r\n\"RequireSecuritySignature\"=dword:00000001\r\n";

        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom(text), "x.reg");

        Assert.Equal(1u, TestFiles.DWordOf(result, Workstation, "RequireSecuritySignature"));
        Assert.Equal(DiagnosticCodes.Reg034, result.Diagnostics[0].Code);
        Assert.Equal(3, result.Diagnostics[0].Location.Line);
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
    }

    [Fact]
    public void Parse_DwordOfTwoBytes_IsKeptAsBytesWithReg035()
    {
        string text = Header5 + "[HKEY_LOCAL_MACHINE\\" + Workstation + "]\r\n\"RequireSecuritySignature\"=hex(4):01,00\r\n";

        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom(text), "x.reg");

        SourceDiagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.Reg035, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("expected 4", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal([0x01, 0x00], TestFiles.Find(result, Workstation, "RequireSecuritySignature").Value!.ToBytes());
    }

    [Fact]
    public void Parse_MoreProblemsThanTheLimit_StopsListingWithSrc004()
    {
        StringBuilder text = new(Header5);
        for (int i = 0; i < SourceReadContext.MaxDiagnostics + 50; i++)
        {
            text.Append("garbage\r\n");
        }

        SourceReadResult result = _reader.Parse(TestFiles.Utf16WithBom(text.ToString()), "x.reg");

        Assert.Equal(SourceReadContext.MaxDiagnostics + 1, result.Diagnostics.Count);
        Assert.Equal(DiagnosticCodes.Src004, result.Diagnostics[^1].Code);
        Assert.All(result.Diagnostics.Take(SourceReadContext.MaxDiagnostics), d => Assert.Equal(DiagnosticCodes.Reg020, d.Code));
    }
}
