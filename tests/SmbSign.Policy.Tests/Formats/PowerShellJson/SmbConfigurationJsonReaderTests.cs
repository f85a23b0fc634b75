using SmbSign.Policy.Formats.PowerShellJson;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.PowerShellJson;

public sealed class SmbConfigurationJsonReaderTests
{
    private const string Workstation = @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters";
    private const string Server = @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters";
    private const string PolicyWorkstation = @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation";
    private const string ServerFile = "PowerShell/srv01-getsmbserverconfiguration-ps51.json";
    private const string ClientFile = "PowerShell/ws01-client-and-server-camelcase.json";

    private readonly SmbConfigurationJsonReader _reader = new();

    [Fact]
    public void Read_WindowsPowerShell51ServerOutput_MapsToServerParameters()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf(ServerFile));

        TestFiles.AssertNoDiagnostics(result);
        Observation require = TestFiles.Find(result, Server, "RequireSecuritySignature");
        Assert.Equal(RegistryValue.FromDWord(1), require.Value);
        Assert.Equal(new NativeSetting(NativeSchemes.SmbServerConfiguration, null, "RequireSecuritySignature"), require.Native);
        Assert.Equal("true", require.NativeValue!.Normalized);
        Assert.Equal(35, require.Location.Line);
        Assert.Equal(SourceFormat.PowerShellJson, require.Location.Format);
        Assert.Equal(0u, TestFiles.DWordOf(result, Server, "SMB1"));
        Assert.Equal(15u, TestFiles.DWordOf(result, Server, "AutoDisconnect"));
        Assert.Equal(1u, TestFiles.DWordOf(result, Server, "enableforcedlogoff"));
        Assert.Equal(0u, TestFiles.DWordOf(result, Server, "SMBServerNameHardeningLevel"));
        Assert.True(TestFiles.Find(result, Server, "NullSessionPipes").Value!.TryGetStrings(out IReadOnlyList<string> pipes));
        Assert.Empty(pipes);

        Observation encrypt = result.Observations.Single(o => o.Native?.Name == "EncryptData");
        Assert.Null(encrypt.Registry);
        Assert.Equal("false", encrypt.NativeValue!.Normalized);
        Assert.DoesNotContain(result.Observations, o => o.Native?.Name is "CimClass" or "CimInstanceProperties" or "PSComputerName" or "CimSystemProperties");
        Assert.DoesNotContain(result.Observations, o => o.Native?.Scheme == NativeSchemes.SmbClientConfiguration);
    }

    [Fact]
    public void Read_ArrayWithCamelCaseClientAndServerObjects_DecidesEachObject()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf(ClientFile));

        Assert.Equal(1u, TestFiles.DWordOf(result, Workstation, "RequireSecuritySignature"));
        Assert.Equal(1u, TestFiles.DWordOf(result, Workstation, "EnableSecuritySignature"));
        Assert.Equal(0u, TestFiles.DWordOf(result, PolicyWorkstation, "AllowInsecureGuestAuth"));
        Assert.Equal(785u, TestFiles.DWordOf(result, PolicyWorkstation, "MinSmb2Dialect"));
        Assert.Equal(0u, TestFiles.DWordOf(result, PolicyWorkstation, "RequireEncryption"));
        Assert.Equal(1u, TestFiles.DWordOf(result, PolicyWorkstation, "AuditServerDoesNotSupportSigning"));
        Assert.Equal(0u, TestFiles.DWordOf(result, @"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider", "EnableMailslots"));
        Assert.Equal(8, TestFiles.Find(result, Workstation, "RequireSecuritySignature").Location.Line);
        Assert.Equal("RequireSecuritySignature", TestFiles.Find(result, Workstation, "RequireSecuritySignature").Native!.Name);

        Assert.Equal(1u, TestFiles.DWordOf(result, Server, "RequireSecuritySignature"));
        Assert.Equal(0u, TestFiles.DWordOf(result, Server, "EnableSecuritySignature"));
        Assert.Equal(0u, TestFiles.DWordOf(result, Server, "SMB1"));
        Assert.Equal(2000u, TestFiles.DWordOf(result, @"SOFTWARE\Policies\Microsoft\Windows\LanmanServer", "InvalidAuthenticationDelayTimeInMs"));
        Assert.Equal(0u, TestFiles.DWordOf(result, @"SOFTWARE\Policies\Microsoft\Windows\Bowser", "EnableMailslots"));
        Assert.True(TestFiles.Find(result, Server, "NullSessionPipes").Value!.TryGetStrings(out IReadOnlyList<string> pipes));
        Assert.Equal(["netlogon", "samr", "lsarpc"], pipes);

        Observation max = result.Observations.Single(o => o.Native?.Name == "Smb2DialectMax");
        Assert.Null(max.Registry);
        SourceDiagnostic info = Assert.Single(result.Diagnostics);
        Assert.Equal(("PSJ007", DiagnosticSeverity.Info, 11), (info.Code, info.Severity, info.Location.Line));
    }

    [Theory]
    [InlineData("revision number", "785", 785u)]
    [InlineData("3.0 revision", "768", 768u)]
    [InlineData("enum name", "\"SMB300\"", 768u)]
    [InlineData("mixed-case enum name", "\"Smb302\"", 770u)]
    [InlineData("samba spelling", "\"SMB3_11\"", 785u)]
    [InlineData("dotted", "\"2.0.2\"", 514u)]
    public void Parse_DialectSpellings_BecomeRevisionNumbers(string description, string json, uint expected)
    {
        string text = "{\"Smb2DialectMin\": " + json + ", \"RequireSecuritySignature\": true}";

        SourceReadResult result = _reader.Parse(TestFiles.Utf8(text), "c.json");

        Assert.True(expected == TestFiles.DWordOf(result, PolicyWorkstation, "MinSmb2Dialect"), description);
    }

    [Theory]
    [InlineData("CimClass string", "{\"CimClass\": \"ROOT/Microsoft/Windows/SMB:MSFT_SmbClientConfiguration\", \"RequireSecuritySignature\": true}", Workstation)]
    [InlineData("CimSystemProperties object", "{\"CimSystemProperties\": {\"ClassName\": \"MSFT_SmbServerConfiguration\"}, \"RequireSecuritySignature\": true}", Server)]
    [InlineData("server-only property", "{\"AutoDisconnectTimeout\": 15, \"RequireSecuritySignature\": true}", Server)]
    [InlineData("client-only property", "{\"EnableInsecureGuestLogons\": false, \"RequireSecuritySignature\": true}", Workstation)]
    public void Parse_SideDetection_MapsRequireSecuritySignatureToTheRightKey(string description, string json, string key)
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf8(json), "x.json");

        Assert.True(1u == TestFiles.DWordOf(result, key, "RequireSecuritySignature"), description);
    }

    [Fact]
    public void Parse_OnlySharedPropertiesButClientFileName_UsesTheFileNameWithInfo()
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf8("{\"RequireSecuritySignature\": true}"), Path.Combine("fleet", "ws07.smbclient.json"));

        Assert.Equal(1u, TestFiles.DWordOf(result, Workstation, "RequireSecuritySignature"));
        Assert.Equal("PSJ005", Assert.Single(result.Diagnostics).Code);
    }

    [Theory]
    [InlineData("invalid syntax", "{\n  \"RequireSecuritySignature\": tru\n}", "PSJ001", 2)]
    [InlineData("missing comma", "{\n  \"A\": 1\n  \"B\": 2\n}", "PSJ001", 3)]
    [InlineData("truncated", "{\n  \"RequireSecuritySignature\": true,\n", "PSJ001", 3)]
    [InlineData("empty", "  \n", "PSJ001", 0)]
    [InlineData("string root", "\n\"hello\"", "PSJ002", 2)]
    [InlineData("array of numbers", "[\n1]", "PSJ003", 2)]
    [InlineData("undecidable object", "{\"RequireSecuritySignature\": true}", "PSJ004", 1)]
    [InlineData("both sides", "{\"EnableSMB1Protocol\": false, \"Smb2DialectMin\": 785}", "PSJ006", 1)]
    [InlineData("text in a boolean", "{\"EnableSMB1Protocol\": \"maybe\"}", "PSJ008", 1)]
    [InlineData("bad dialect", "{\"Smb2DialectMin\": 999}", "PSJ008", 1)]
    [InlineData("trailing data", "{\"EnableSMB1Protocol\": false}\n{}", "PSJ001", 2)]
    public void Parse_Malformed_ReportsCodeAndLine(string description, string json, string code, int line)
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf8(json), "bad.json");

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.True(code == d.Code, $"{description}: {d}");
        Assert.Equal(line, d.Location.Line);
        Assert.DoesNotContain("Exception", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Truncated_SaysTheFileMayBeTruncated()
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf8("{\n  \"RequireSecuritySignature\": true,\n  \"EnableSMB1"), "cut.json");

        Assert.Contains("truncated", Assert.Single(result.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeeplyNested_ReportsInsteadOfOverflowing()
    {
        string json = new string('[', 10_000) + new string(']', 10_000);

        SourceReadResult result = _reader.Parse(TestFiles.Utf8(json), "deep.json");

        Assert.Equal("PSJ001", Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Parse_EveryTruncation_NeverThrows()
    {
        byte[] whole = TestFiles.Bytes(ServerFile);

        for (int length = 0; length < whole.Length; length++)
        {
            SourceReadResult cut = _reader.Parse(whole.AsSpan(0, length), "s.json");

            Assert.True(cut.HasErrors || length == whole.Length - 2 || length == whole.Length - 1 || cut.Observations.Count > 0, $"length {length}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(100_000)]
    public void Read_ChunkedStream_SameAsWholeFile(int chunk)
    {
        byte[] whole = TestFiles.Bytes(ServerFile);

        TestFiles.AssertSameObservations(_reader.Parse(whole, "s.json"), _reader.Read(new ChunkedStream(whole, chunk), "s.json"));
    }
}
