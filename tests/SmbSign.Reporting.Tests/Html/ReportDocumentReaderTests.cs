using System.Text;
using System.Text.Json.Nodes;
using SmbSign.Reporting.Html;
using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Tests.Html;

public sealed class ReportDocumentReaderTests
{
    [Fact]
    public void Read_EachKind_IsDetectedFromTheDocument()
    {
        Assert.Equal(RunKind.Audit, Read(Documents.Audit("2026-12-01T00:00:00Z", Documents.Machine("a", "win10", Documents.Result("1", "pass")))).Kind);
        Assert.Equal(RunKind.Scan, Read(Documents.Scan(Documents.ScanRow("10.0.0.1", true))).Kind);
        Assert.Equal(RunKind.Scan, Read("[]").Kind);
        Assert.Equal(RunKind.Verify, Read(Documents.Verify("fs01", "enforced")).Kind);
        Assert.Equal(RunKind.Listen, Read(Documents.Listen(Documents.Client("10.0.0.9:5000", true))).Kind);
    }

    [Fact]
    public void Read_ScanJsonLines_ReadsEveryLine()
    {
        string jsonl = Documents.ScanRow("10.0.0.1", true).ToJsonString() + "\n" + Documents.ScanRow("10.0.0.2", false).ToJsonString() + "\n";

        ParsedDocument parsed = Read(jsonl);

        Assert.Equal(RunKind.Scan, parsed.Kind);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], parsed.Servers.Select(s => s.Target));
    }

    [Fact]
    public void Read_AuditMachine_KeepsCountsFailingAndServerSigning()
    {
        string audit = Documents.Audit(
            "2026-12-01T00:00:00Z",
            Documents.Machine("srv", "server2022", Documents.Result("2.3.9.2", "fail", setting: "server.RequireSecuritySignature"), Documents.Result("2.3.8.1", "pass", notConfigured: true)));

        AuditMachine m = Assert.Single(Read(audit).Machines);

        Assert.Equal(["2.3.9.2"], m.Failing);
        Assert.Equal((1, 1, 0, 0, 1), (m.Pass, m.Fail, m.NotApplicable, m.Error, m.NotConfigured));
        Assert.True(m.ServerSigningNotRequired);
        Assert.False(m.Passed);
    }

    [Theory]
    [InlineData("not json", "a.json: line 1, byte 2: not valid JSON")]
    [InlineData("", "a.json:1: expected the file is empty")]
    [InlineData("42", "a.json:1: expected a JSON object or array at the top")]
    [InlineData("{\"x\": 1}", "a.json:1: expected an object with 'machines' and 'summary' (audit)")]
    [InlineData("{\n\"schemaVersion\": 1, \"machines\": [], \"summary\": {}}", "a.json:1: expected an audit document with schemaVersion 2, found 1")]
    [InlineData("{\"schemaVersion\": 2,\n \"failuresOnly\": true, \"machines\": [], \"summary\": {}}", "a.json:2: expected an audit of every machine, but it was written with --failures-only")]
    [InlineData("{\"schemaVersion\": 2, \"generatedAt\": \"2026-12-01T00:00:00Z\", \"toolVersion\": \"1\",\n\"machines\": [\n{\"name\": 5}], \"summary\": {}}", "a.json:3: expected 'counts' to be an object in machine 1")]
    [InlineData("[{\"target\": \"x\"}]", "a.json:1: expected 'generatedAt' to be an ISO 8601 time in scan row 1")]
    public void Read_BadInput_OneLineNamingTheFileTheLineAndWhatWasExpected(string json, string expectedStart)
    {
        ReportInputException e = Assert.Throws<ReportInputException>(() => ReportDocumentReader.Read("a.json", Encoding.UTF8.GetBytes(json)));

        Assert.StartsWith(expectedStart, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Read_BadStatus_IsRefusedNotCounted()
    {
        JsonObject result = Documents.Result("1", "pass");
        result["status"] = "maybe";
        string audit = Documents.Audit("2026-12-01T00:00:00Z", Documents.Machine("a", "win10", result));

        ReportInputException e = Assert.Throws<ReportInputException>(() => Read(audit));

        Assert.Contains("'status' to be pass, fail, not-applicable or error in machine 1", e.Message, StringComparison.Ordinal);
    }

    private static ParsedDocument Read(string json) => ReportDocumentReader.Read("a.json", Encoding.UTF8.GetBytes(json));
}
