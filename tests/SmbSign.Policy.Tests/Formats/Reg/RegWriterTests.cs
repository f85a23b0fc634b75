using System.Text;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.Reg;

public sealed class RegWriterTests
{
    private static readonly RegistryIdentity s_client = new(@"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters", "RequireSecuritySignature");

    [Fact]
    public void Write_Dword_Utf16BomCrlfHeaderAndExplicitType()
    {
        byte[] bytes = RegWriter.Write([new RegistryChange(s_client, RegistryValue.FromDWord(1))]);

        Assert.Equal([0xFF, 0xFE], bytes[..2]);
        string text = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        Assert.StartsWith("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\"RequireSecuritySignature\"=dword:00000001\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dword", "RequireSecuritySignature", "\"RequireSecuritySignature\"=dword:ffffffff")]
    [InlineData("escaped name and text", @"\\*\NETLOGON", "\"\\\\\\\\*\\\\NETLOGON\"=\"a \\\"b\\\" c\\\\d\"")]
    [InlineData("empty multi-string", "NullSessionShares", "\"NullSessionShares\"=hex(7):00,00")]
    [InlineData("delete", "Gone", "\"Gone\"=-")]
    public void FormatValue_Spellings(string description, string name, string expected)
    {
        RegistryValue? value = description switch
        {
            "dword" => RegistryValue.FromDWord(uint.MaxValue),
            "escaped name and text" => RegistryValue.FromString("a \"b\" c\\d"),
            "empty multi-string" => RegistryValue.FromMultiString([]),
            _ => null,
        };

        Assert.Equal(expected, RegWriter.FormatValue(name, value));
    }

    public static TheoryData<string, RegistryValue?> Values() => new()
    {
        { "dword", RegistryValue.FromDWord(785) },
        { "qword", RegistryValue.FromQWord(0x0102030405060708) },
        { "string with quotes", RegistryValue.FromString("RequireMutualAuthentication=1, \"x\"\\") },
        { "string with a line break (written as hex(1))", RegistryValue.FromString("a\r\nb") },
        { "expand string", RegistryValue.FromString("%SystemRoot%\\x", expand: true) },
        { "multi-string", RegistryValue.FromMultiString(["netlogon", "samr", "lsarpc"]) },
        { "long multi-string (continuation lines)", RegistryValue.FromMultiString([.. Enumerable.Range(0, 40).Select(i => "pipe-number-" + i)]) },
        { "empty multi-string", RegistryValue.FromMultiString([]) },
        { "binary", RegistryValue.FromBytes([1, 2, 3, 0xFF]) },
        { "delete", null },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Write_ReadBack_SameValue(string description, RegistryValue? value)
    {
        var change = new RegistryChange(new RegistryIdentity(@"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths", @"\\*\SYSVOL"), value, "comment; with [brackets]");

        SourceReadResult read = new RegFileReader().Parse(RegWriter.Write([change], ["header", "two"]), "apply.reg");

        Assert.True(read.Diagnostics.Count == 0, description + ": " + string.Join("\n", read.Diagnostics));
        Observation o = Assert.Single(read.Observations);
        Assert.Equal(change.Identity, o.Registry);
        Assert.Equal(value is null ? ObservationKind.ValueDeleted : ObservationKind.Value, o.Kind);
        Assert.Equal(value, o.Value);
    }

    [Fact]
    public void Write_TwoKeys_OneBlockEachInFirstUseOrder()
    {
        var other = new RegistryIdentity(@"SYSTEM\CurrentControlSet\Services\LanManServer\Parameters", "RequireSecuritySignature");

        string text = RegWriter.ToText([new(s_client, RegistryValue.FromDWord(1)), new(other, RegistryValue.FromDWord(1)), new(new RegistryIdentity(s_client.KeyPath.ToUpperInvariant(), "EnableSecuritySignature"), RegistryValue.FromDWord(1))]);

        Assert.Equal(2, text.Split("[HKEY_LOCAL_MACHINE\\").Length - 1);
        Assert.True(text.IndexOf("EnableSecuritySignature", StringComparison.Ordinal) < text.IndexOf("LanManServer", StringComparison.Ordinal));
    }
}
