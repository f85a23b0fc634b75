using System.Text.Json;

namespace SmbSign.Cli.Tests.Commands;

/// <summary><c>smbsign capture</c> on the committed real captures (recorded from smbclient and Samba on loopback).</summary>
public sealed class CaptureCommandTests
{
    private static readonly string s_smb311 = Path.Combine(AppContext.BaseDirectory, "Commands", "TestData", "smb311-gmac-signed.pcapng");
    private static readonly string s_smb1 = Path.Combine(AppContext.BaseDirectory, "Commands", "TestData", "smb1-nt1-signed.pcapng");

    [Fact]
    public async Task Capture_Json_HasIssueFieldsPerConnectionAndSession()
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_smb311, "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement root = doc.RootElement;
        Assert.Equal(0, root.GetProperty("gaps").GetInt64());
        JsonElement connection = Assert.Single(root.GetProperty("connections").EnumerateArray());
        Assert.StartsWith("127.0.0.1:", connection.GetProperty("client").GetString(), StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:39047", connection.GetProperty("server").GetString());
        Assert.Equal("3.1.1", connection.GetProperty("dialect").GetString());
        Assert.True(connection.GetProperty("clientRequiresSigning").GetBoolean());
        Assert.True(connection.GetProperty("serverRequiresSigning").GetBoolean());
        Assert.Equal(JsonValueKind.Null, connection.GetProperty("signingAlgorithm").ValueKind);
        JsonElement session = Assert.Single(connection.GetProperty("sessions").EnumerateArray());
        Assert.Matches("^0x[0-9a-f]{16}$", session.GetProperty("sessionId").GetString());
        foreach (string field in new[] { "user", "domain", "verified", "failed", "failures" })
        {
            Assert.Equal(JsonValueKind.Null, session.GetProperty(field).ValueKind);
        }

        Assert.False(session.GetProperty("guest").GetBoolean());
        Assert.False(session.GetProperty("anonymous").GetBoolean());
        Assert.Equal(0, session.GetProperty("unsignedWhileRequired").GetInt64());
        Assert.Equal(0, session.GetProperty("encrypted").GetInt64());
        Assert.True(session.GetProperty("signed").GetInt64() > 50);
        Assert.Equal(session.GetProperty("messages").GetInt64(), session.GetProperty("signed").GetInt64() + session.GetProperty("unsigned").GetInt64());
        Assert.Contains(root.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "not-verified");
    }

    [Fact]
    public async Task Capture_Table_ShowsConnectionSessionAndFindings()
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_smb311, s_smb1]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("3.1.1", run.Output, StringComparison.Ordinal);
        Assert.Contains("smb1", run.Output, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:39047", run.Output, StringComparison.Ordinal);
        Assert.Contains("uses SMB1", run.Output, StringComparison.Ordinal);
        Assert.Contains("smb311-gmac-signed.pcapng: pcapng", run.Output, StringComparison.Ordinal);
        Assert.Contains("smb1-nt1-signed.pcapng: pcapng", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_OutputFile_WritesJsonAtomically()
    {
        string output = Path.Combine(Path.GetTempPath(), $"smbsign-capture-{Guid.NewGuid():N}.json");
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", s_smb1, "--format", "json", "-o", output]);

            Assert.Equal(0, run.ExitCode);
            Assert.Equal(string.Empty, run.Output);
            using JsonDocument doc = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            Assert.Equal("smb1", doc.RootElement.GetProperty("connections")[0].GetProperty("dialect").GetString());
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Theory]
    [InlineData("wrong magic", "47494638396100000000000000000000000000000000000000000000", "magic 47494638", "byte offset 0")]
    [InlineData("1 GiB pcapng block", "0A0D0D0A1C0000004D3C2B1A01000000FFFFFFFFFFFFFFFF1C00000006000000000000400000", "1073741824", "byte offset 28")]
    [InlineData("pcap record above snaplen", "D4C3B2A1020004000000000000000000DC05000001000000000000000000000001000400FFFF0000", "262145", "byte offset 24")]
    public async Task Capture_MalformedFile_ExitsTwoWithByteOffset(string description, string hex, string expected, string offset)
    {
        string path = Path.Combine(Path.GetTempPath(), $"smbsign-bad-{Guid.NewGuid():N}.pcap");
        await File.WriteAllBytesAsync(path, Convert.FromHexString(hex));
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", path]);

            Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
            Assert.Contains(expected, run.Error, StringComparison.Ordinal);
            Assert.Contains(offset, run.Error, StringComparison.Ordinal);
            Assert.Contains(Path.GetFileName(path), run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(description));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Capture_MissingFile_ExitsTwo()
    {
        CliRun run = await CliHarness.RunAsync(["capture", Path.Combine(Path.GetTempPath(), "no-such-capture.pcapng")]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("cannot open", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    public async Task Capture_PortOutOfRange_ExitsTwo(string port)
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_smb1, "--port", port]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("is not a TCP port", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_WithPort_DetectsByConfiguredPort()
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_smb311, "--port", "39047", "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal("syn", doc.RootElement.GetProperty("connections")[0].GetProperty("clientDecidedBy").GetString());
    }
}
