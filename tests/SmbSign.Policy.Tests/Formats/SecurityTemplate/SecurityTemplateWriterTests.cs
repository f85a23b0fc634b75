using System.Text;
using SmbSign.Policy.Formats.SecurityTemplate;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.SecurityTemplate;

public sealed class SecurityTemplateWriterTests
{
    private const string Server = @"SYSTEM\CurrentControlSet\Services\LanManServer\Parameters";

    [Fact]
    public void Write_SameLayoutAsTheSambaGpoSample()
    {
        // Source: samba-team/samba generalized-gpo-backup GptTmpl.inf (TestData/gpo-samba, copied by the formats tests).
        string sample = Encoding.Unicode.GetString(File.ReadAllBytes(TestFiles.PathOf("gpo-samba/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf")))[1..];
        string[] sampleHead = sample.Split("\r\n")[..5];

        byte[] bytes = SecurityTemplateWriter.Write([new RegistryChange(new RegistryIdentity(Server, "RequireSecuritySignature"), RegistryValue.FromDWord(1))]);

        Assert.Equal([0xFF, 0xFE], bytes[..2]);
        string text = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        Assert.Equal(sampleHead, text.Split("\r\n")[..5]);
        Assert.Contains("[Registry Values]\r\nMACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1\r\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dword", "4,1")]
    [InlineData("empty list", "7,")]
    [InlineData("list", "7,netlogon,samr,lsarpc")]
    [InlineData("list item with a comma", "7,\"a,b\",c")]
    [InlineData("string", "1,\"RequireMutualAuthentication=1, RequireIntegrity=1\"")]
    public void FormatLine_TypeCodes_AndReadsBack(string description, string expectedData)
    {
        RegistryValue value = description switch
        {
            "dword" => RegistryValue.FromDWord(1),
            "empty list" => RegistryValue.FromMultiString([]),
            "list" => RegistryValue.FromMultiString(["netlogon", "samr", "lsarpc"]),
            "list item with a comma" => RegistryValue.FromMultiString(["a,b", "c"]),
            _ => RegistryValue.FromString("RequireMutualAuthentication=1, RequireIntegrity=1"),
        };
        var change = new RegistryChange(new RegistryIdentity(Server, "NullSessionPipes"), value);

        string line = SecurityTemplateWriter.FormatLine(change);
        SourceReadResult read = new SecurityTemplateReader().Parse(SecurityTemplateWriter.Write([change]), "GptTmpl.inf");

        Assert.Equal(@"MACHINE\" + Server + @"\NullSessionPipes=" + expectedData, line);
        TestFiles.AssertNoDiagnostics(read);
        Assert.Equal(value, Assert.Single(read.Observations).Value);
    }

    [Fact]
    public void FormatLine_Deletion_Refused()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SecurityTemplateWriter.FormatLine(new RegistryChange(new RegistryIdentity(Server, "X"), null)));

        Assert.Contains("Not Defined", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Found by the round-trip property: readers trim each REG_MULTI_SZ item, so an item with white space at an end
    /// lost it; the writer now quotes such items.</summary>
    [Fact]
    public void MultiString_ItemsWithEdgeWhiteSpace_AreQuotedAndReadBackWhole()
    {
        var change = new RegistryChange(new RegistryIdentity(@"SOFTWARE\x", "v"), RegistryValue.FromMultiString(["\tlead", "trail ", "in side", "a,b"]));

        string line = SecurityTemplateWriter.FormatLine(change);
        SourceReadResult read = new SecurityTemplateReader().Parse(SecurityTemplateWriter.Write([change]), "t.inf");

        Assert.Equal("MACHINE\\SOFTWARE\\x\\v=7,\"\tlead\",\"trail \",in side,\"a,b\"", line);
        Assert.Equal(change.Value, Assert.Single(read.Observations).Value);
    }
}
