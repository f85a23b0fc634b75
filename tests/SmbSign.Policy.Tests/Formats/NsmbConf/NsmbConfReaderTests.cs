using SmbSign.Policy.Formats.NsmbConf;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.NsmbConf;

public sealed class NsmbConfReaderTests
{
    private readonly NsmbConfReader _reader = new();

    [Fact]
    public void Read_ManagedMac_NormalisesSigningKeys()
    {
        SourceReadResult result = _reader.Read(TestFiles.PathOf("NsmbConf/managed-mac.conf"));

        TestFiles.AssertNoDiagnostics(result);
        Observation required = Get(result, "default", "signing_required");
        Assert.Equal(("yes", "true"), (required.NativeValue!.Text, required.NativeValue.Normalized));
        Assert.True(required.NativeValue.TryGetBoolean(out bool on) && on);
        Assert.Equal(3, required.Location.Line);
        Assert.Null(required.Registry);
        Assert.Equal("6", Get(result, "default", "signing_req_vers").NativeValue!.Normalized);
        Assert.Equal("6", Get(result, "default", "protocol_vers_map").NativeValue!.Normalized);
        Assert.Equal("6", Get(result, "default", "signing_alg_map").NativeValue!.Normalized);
        Assert.Equal("ntlmv2", Get(result, "default", "minauth").NativeValue!.Normalized);
        Assert.Equal("false", Get(result, "default", "validate_neg_off").NativeValue!.Normalized);
        Assert.Equal("false", Get(result, "FILESRV1", "signing_required").NativeValue!.Normalized);
    }

    [Theory]
    [InlineData("key before section", "signing_required=yes\n", "NSM002", 1)]
    [InlineData("no equals", "[default]\nsigning_required\n", "NSM001", 2)]
    [InlineData("unknown key", "[default]\nsigning_requird=yes\n", "NSM003", 2)]
    [InlineData("bad boolean", "[default]\nsigning_required=maybe\n", "NSM004", 2)]
    [InlineData("bad number", "[default]\nsigning_req_vers=six\n", "NSM004", 2)]
    [InlineData("unterminated section", "[default\nsigning_required=yes\n", "NSM005", 1)]
    public void Parse_Malformed_WarnsWithLine(string description, string text, string code, int line)
    {
        SourceReadResult result = _reader.Parse(TestFiles.Utf8(text), "nsmb.conf");

        SourceDiagnostic d = Assert.Single(result.Diagnostics, x => x.Code == code);
        Assert.True(line == d.Location.Line, description);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
    }

    private static Observation Get(SourceReadResult result, string section, string key) =>
        result.Observations.Single(o => o.Native == new NativeSetting(NativeSchemes.NsmbConf, section, key));
}
