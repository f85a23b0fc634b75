using System.Text.Json;

namespace SmbSign.Cli.Tests;

public sealed class EvaluateCommandTests
{
    private static async Task<JsonElement> Json(params string[] args)
    {
        CliRun run = await CliHarness.RunAsync([.. args, "--format", "json"]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(string.Empty, run.Error);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        return doc.RootElement.Clone();
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Theory]
    [InlineData("1", "1", "signed")]
    [InlineData("1", "0", "signed")]
    [InlineData("0", "1", "signed")]
    [InlineData("0", "0", "not-signed")]
    public async Task Evaluate_Smb2Cells_JsonHasDocumentedFields(string client, string server, string expected)
    {
        JsonElement root = await Json("evaluate", "--client", $"RequireSecuritySignature={client}", "--server", $"RequireSecuritySignature={server}", "--dialect", "2.1");

        Assert.Equal(expected, root.GetProperty("outcome").GetString());
        Assert.Equal(expected == "signed", root.GetProperty("signed").GetBoolean());
        Assert.Equal("2.1", root.GetProperty("dialect").GetString());
        Assert.Equal(expected == "signed" ? "HMAC-SHA256" : null, root.GetProperty("algorithm").GetString());
        Assert.NotEmpty(Strings(root.GetProperty("decidedBy")));
        Assert.Contains(Strings(root.GetProperty("notes")), n => n.StartsWith("EnableSecuritySignature is ignored for SMB 2 and 3", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("require=1", "require=1", "signed")]
    [InlineData("require=1", "require=0,enable=1", "signed")]
    [InlineData("require=1", "require=0,enable=0", "signed")]
    [InlineData("require=0,enable=1", "require=1", "signed")]
    [InlineData("require=0,enable=1", "require=0,enable=1", "signed")]
    [InlineData("require=0,enable=1", "require=0,enable=0", "not-signed")]
    [InlineData("require=0,enable=0", "require=1", "signed")]
    [InlineData("require=0,enable=0", "require=0,enable=1", "not-signed")]
    [InlineData("require=0,enable=0", "require=0,enable=0", "not-signed")]
    public async Task Evaluate_Smb1Cells_WithAliases(string client, string server, string expected)
    {
        JsonElement root = await Json("evaluate", "--client", client, "--server", server, "--dialect", "smb1", "--client-os", "win10", "--server-os", "server2016");

        Assert.Equal(expected, root.GetProperty("outcome").GetString());
        Assert.Equal(expected == "signed" ? "MD5" : null, root.GetProperty("algorithm").GetString());
        Assert.Equal("smb1", root.GetProperty("dialect").GetString());
    }

    [Fact]
    public async Task Evaluate_NothingConfigured_ReportsDefaultsWithProvenance()
    {
        JsonElement root = await Json("evaluate", "--client-os", "win11-24h2-enterprise", "--server-os", "server2022");

        Assert.Equal("signed", root.GetProperty("outcome").GetString());
        Assert.Equal(["client.RequireSecuritySignature"], Strings(root.GetProperty("decidedBy")));
        Assert.Contains("client.RequireSecuritySignature", Strings(root.GetProperty("defaults")));
        JsonElement input = root.GetProperty("inputs").EnumerateArray().First(i => i.GetProperty("setting").GetString() == "client.RequireSecuritySignature");
        Assert.Equal("default", input.GetProperty("origin").GetString());
        Assert.Contains("Ned Pyle", input.GetProperty("provenance").GetString(), StringComparison.Ordinal);
        Assert.Equal("AES-GMAC", root.GetProperty("algorithm").GetString());
    }

    [Fact]
    public async Task Evaluate_DomainControllerRole_SignedByServerPolicy()
    {
        JsonElement root = await Json("evaluate", "--client-os", "win10", "--server-os", "server2022", "--server-role", "dc");

        Assert.Equal("signed", root.GetProperty("outcome").GetString());
        Assert.Equal(["server.RequireSecuritySignature"], Strings(root.GetProperty("decidedBy")));
        Assert.Equal("dc", root.GetProperty("serverRole").GetString());
    }

    [Fact]
    public async Task Evaluate_GuestOn24H2Pro_FailsWithGuestNote()
    {
        JsonElement root = await Json("evaluate", "--client-os", "win11-24h2-pro", "--server-os", "samba", "--session", "guest");

        Assert.Equal("fails", root.GetProperty("outcome").GetString());
        Assert.False(root.GetProperty("signed").GetBoolean());
        Assert.Contains("A guest logon cannot sign, so a client that requires signing refuses it.", Strings(root.GetProperty("notes")));
    }

    [Fact]
    public async Task Evaluate_GuestWithSigningOffAndGuestAllowed_NotSigned()
    {
        JsonElement root = await Json("evaluate", "--client", "require=0,AllowInsecureGuestAuth=1", "--session", "anonymous");

        Assert.Equal("not-signed", root.GetProperty("outcome").GetString());
        Assert.Equal("anonymous", root.GetProperty("session").GetString());
    }

    [Fact]
    public async Task Evaluate_UncPathSysvol_ClientRequiresThroughHardening()
    {
        JsonElement root = await Json("evaluate", "--client", "require=0", "--server", "require=0", "--client-os", "win10", "--path", @"\\dc1\SYSVOL\corp");

        Assert.Equal("signed", root.GetProperty("outcome").GetString());
        Assert.Equal(["client.HardenedPaths.SYSVOL"], Strings(root.GetProperty("decidedBy")));
        Assert.Equal(@"\\dc1\SYSVOL\corp", root.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Evaluate_HardenedPathValueWithCommas_ParsedAsOneValue()
    {
        JsonElement root = await Json(
            "evaluate",
            "--client", @"require=0,client.HardenedPaths.SYSVOL=RequireMutualAuthentication=1,RequireIntegrity=0,AllowInsecureGuestAuth=0",
            "--server", "require=0",
            "--client-os", "win10",
            "--path", @"\\dc1\SYSVOL");

        Assert.Equal("not-signed", root.GetProperty("outcome").GetString());
        JsonElement input = root.GetProperty("inputs").EnumerateArray().First(i => i.GetProperty("setting").GetString() == "client.HardenedPaths.SYSVOL");
        Assert.Equal("RequireMutualAuthentication=1, RequireIntegrity=0", input.GetProperty("value").GetString());
        Assert.Equal("configured", input.GetProperty("origin").GetString());
    }

    [Fact]
    public async Task Evaluate_SambaServerWithAlgorithmList_UsesSmbConfParameters()
    {
        JsonElement root = await Json(
            "evaluate",
            "--client", "require=1,client smb3 signing algorithms=AES-128-CMAC,HMAC-SHA256",
            "--server-os", "samba",
            "--server", "server signing=mandatory,server smb3 signing algorithms=HMAC-SHA256,AES-128-CMAC");

        Assert.Equal("signed", root.GetProperty("outcome").GetString());
        Assert.Equal("HMAC-SHA256", root.GetProperty("algorithm").GetString());
        Assert.Contains("smb.conf:server signing", Strings(root.GetProperty("decidedBy")));
    }

    [Fact]
    public async Task Evaluate_SmbConfDialectParameter_Translates()
    {
        JsonElement root = await Json("evaluate", "--server-os", "samba", "--server", "server min protocol=SMB3_11", "--dialect", "3.0");

        Assert.Equal("fails", root.GetProperty("outcome").GetString());
        Assert.Equal(["server.MinSmb2Dialect"], Strings(root.GetProperty("decidedBy")));
    }

    [Fact]
    public async Task Evaluate_PowerShellPropertyAndRepeatedOption_Accepted()
    {
        JsonElement root = await Json("evaluate", "--client", "EnableInsecureGuestLogons=true", "--client", "RequireSecuritySignature=disabled", "--session", "guest", "--client-os", "win11-24h2-pro");

        Assert.Equal("not-signed", root.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Evaluate_Table_ShowsOutcomeDecidedByAndNotes()
    {
        CliRun run = await CliHarness.RunAsync(["evaluate", "--client", "require=0", "--server", "require=0", "--client-os", "win10", "--server-os", "server2022"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("not signed", run.Output, StringComparison.Ordinal);
        Assert.Contains("Decided by", run.Output, StringComparison.Ordinal);
        Assert.Contains("client.RequireSecuritySignature = 0", run.Output, StringComparison.Ordinal);
        Assert.Contains("TREE_CONNECT", run.Output, StringComparison.Ordinal);
        Assert.Contains("Inputs", run.Output, StringComparison.Ordinal);
        Assert.Contains("default for server2022 [doc]", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListOs_Table_ListsRequiredIds()
    {
        CliRun run = await CliHarness.RunAsync(["evaluate", "--list-os"]);

        Assert.Equal(0, run.ExitCode);
        foreach (string id in new[] { "win10", "win11-23h2", "win11-24h2-home", "win11-24h2-pro", "win11-24h2-enterprise", "win11-24h2-education", "server2016", "server2019", "server2022", "server2025", "samba" })
        {
            Assert.Contains(id, run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ListOs_Json_HasProfiles()
    {
        JsonElement root = await Json("evaluate", "--list-os");

        JsonElement server2025 = root.GetProperty("profiles").EnumerateArray().Single(p => p.GetProperty("id").GetString() == "server2025");
        Assert.Equal(26100, server2025.GetProperty("build").GetInt32());
        Assert.Equal("windowsServer", server2025.GetProperty("family").GetString());
        Assert.True(server2025.GetProperty("canBeDomainController").GetBoolean());
    }

    [Theory]
    [InlineData("unknown key with suggestion", new[] { "--client", "RequireSecuritySignatur=1" }, "Did you mean client.RequireSecuritySignature")]
    [InlineData("server setting on client", new[] { "--client", "AutoDisconnect=5" }, "pass it with --server")]
    [InlineData("bad switch value", new[] { "--client", "require=maybe" }, "not a switch value")]
    [InlineData("missing equals", new[] { "--client", "require" }, "is not KEY=VALUE")]
    [InlineData("empty key", new[] { "--server", "=1" }, "no setting name")]
    [InlineData("bad dialect", new[] { "--dialect", "4.0" }, "--dialect: '4.0' is not a dialect")]
    [InlineData("bad session", new[] { "--session", "admin" }, "--session: 'admin'")]
    [InlineData("unknown os", new[] { "--client-os", "win12" }, "unknown OS profile 'win12'")]
    [InlineData("dc on a client os", new[] { "--server-os", "win11-24h2-pro", "--server-role", "dc" }, "cannot be a domain controller")]
    [InlineData("bad role", new[] { "--server-role", "pdc" }, "--server-role: 'pdc'")]
    [InlineData("bad path", new[] { "--path", "C:\\share" }, "is not a UNC path")]
    [InlineData("samba parameter on windows", new[] { "--server", "server signing=mandatory" }, "add --server-os samba")]
    [InlineData("bad samba value", new[] { "--server-os", "samba", "--server", "server signing=sometimes" }, "not a Samba signing value")]
    [InlineData("bad algorithm", new[] { "--client", "algorithms=AES-256-XTS" }, "not an SMB 3.1.1 signing algorithm")]
    [InlineData("dialect out of range", new[] { "--client", "MinSmb2Dialect=4.0" }, "not an SMB2/3 dialect")]
    public async Task Evaluate_BadInput_ExitsTwoWithMessageAndNoStackTrace(string description, string[] args, string expected)
    {
        CliRun run = await CliHarness.RunAsync(["evaluate", .. args]);

        Assert.True(run.ExitCode == ExitCodes.UsageOrInput, $"{description}: exit {run.ExitCode}, stderr {run.Error}");
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Output);
    }
}
