using System.Text.Json;

namespace SmbSign.Cli.Tests;

public sealed class ExplainCommandTests
{
    [Theory]
    [InlineData("client.RequireSecuritySignature", "client.RequireSecuritySignature")]
    [InlineData("Microsoft network server: Digitally sign communications (always)", "server.RequireSecuritySignature")]
    [InlineData("EnableInsecureGuestLogons", "client.AllowInsecureGuestAuth")]
    [InlineData("MicrosoftNetworkClient_DigitallySignCommunicationsIfServerAgrees", "client.EnableSecuritySignature")]
    [InlineData("./Device/Vendor/MSFT/Policy/Config/LanmanWorkstation/EnableInsecureGuestLogons", "client.AllowInsecureGuestAuth")]
    [InlineData("LmCompatibilityLevel", "system.LmCompatibilityLevel")]
    [InlineData("device_vendor_msft_policy_config_lanmanserver_minsmb2dialect_785", "server.MinSmb2Dialect")]
    [InlineData(@"HKLM\SYSTEM\CurrentControlSet\Services\MrxSmb10\Start", "client.Smb1Driver")]
    public async Task Explain_AnyIdentity_Json(string query, string expectedId)
    {
        CliRun run = await CliHarness.RunAsync(["explain", query, "--format", "json"]);

        Assert.True(run.ExitCode == 0, run.Error);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Contains(expectedId, doc.RootElement.GetProperty("settings").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Explain_SmbConfParameter_ShowsBothSettings()
    {
        CliRun run = await CliHarness.RunAsync(["explain", "server signing", "--format", "json"]);

        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal(["server.RequireSecuritySignature", "server.EnableSecuritySignature"], doc.RootElement.GetProperty("settings").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToArray());
    }

    [Fact]
    public async Task Explain_Table_ShowsEveryChannelDefaultsAndCis()
    {
        CliRun run = await CliHarness.RunAsync(["explain", "client.RequireSecuritySignature"]);

        Assert.Equal(0, run.ExitCode);
        foreach (string expected in new[]
        {
            "Microsoft network client: Digitally sign communications (always)",
            @"HKLM\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters\RequireSecuritySignature",
            "REG_DWORD",
            "LocalPoliciesSecurityOptions/MicrosoftNetworkClient_DigitallySignCommunicationsAlways",
            "device_vendor_msft_policy_config_localpoliciessecurityoptions_microsoftnetworkclient_digitallysigncommunicationsalways_1",
            "Set-SmbClientConfiguration -RequireSecuritySignature",
            "client signing",
            "signing_required",
            "Defaults when not configured",
            "win11-24h2-pro",
            "2.3.8.1",
            "49.12",
        })
        {
            Assert.Contains(expected, run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Explain_Json_HasDefaultsWithProvenanceAndDcRows()
    {
        CliRun run = await CliHarness.RunAsync(["explain", "server.RequireSecuritySignature", "--format", "json"]);

        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement setting = doc.RootElement.GetProperty("settings")[0];
        Assert.Equal("server", setting.GetProperty("side").GetString());
        Assert.Equal("REG_DWORD", setting.GetProperty("registry").GetProperty("type").GetString());
        Assert.Equal("int", setting.GetProperty("csp").GetProperty("dataType").GetString());
        JsonElement[] defaults = [.. setting.GetProperty("defaults").EnumerateArray()];
        JsonElement dc = defaults.First(d => d.GetProperty("os").GetString() == "server2022" && d.GetProperty("role").GetString() == "domainController");
        Assert.Equal("1", dc.GetProperty("value").GetString());
        Assert.Contains("Default Domain Controllers Policy", dc.GetProperty("source").GetString(), StringComparison.Ordinal);
        JsonElement pro = defaults.First(d => d.GetProperty("os").GetString() == "win11-24h2-pro");
        Assert.Equal("1", pro.GetProperty("value").GetString());
        Assert.Contains(setting.GetProperty("cis").EnumerateArray(), c => c.GetProperty("item").GetString() == "2.3.9.2");
        Assert.Equal("server signing", setting.GetProperty("samba").GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Explain_NoArgument_ListsCatalog()
    {
        CliRun run = await CliHarness.RunAsync(["explain"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("client.HardenedPaths.SYSVOL", run.Output, StringComparison.Ordinal);
        Assert.Contains("server.SMB1", run.Output, StringComparison.Ordinal);
        Assert.Contains("settings.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_All_Json_ExplainsEverySetting()
    {
        CliRun index = await CliHarness.RunAsync(["explain", "--format", "json"]);
        CliRun all = await CliHarness.RunAsync(["explain", "--all", "--format", "json"]);

        using JsonDocument indexDoc = JsonDocument.Parse(index.Output);
        using JsonDocument allDoc = JsonDocument.Parse(all.Output);
        int count = indexDoc.RootElement.GetProperty("settings").GetArrayLength();
        Assert.True(count >= 33);
        Assert.Equal(count, allDoc.RootElement.GetProperty("settings").GetArrayLength());
        Assert.All(allDoc.RootElement.GetProperty("settings").EnumerateArray(), s => Assert.NotEqual(0, s.GetProperty("defaults").GetArrayLength()));
    }

    [Theory]
    [InlineData("RequireSecuritySignatur", "Did you mean client.RequireSecuritySignature, server.RequireSecuritySignature?")]
    [InlineData("AllowInsecureGuestAuh", "Did you mean client.AllowInsecureGuestAuth")]
    [InlineData("zzzzzzzzzzzz", "unknown setting 'zzzzzzzzzzzz'")]
    public async Task Explain_Unknown_ExitsTwoWithDidYouMean(string query, string expected)
    {
        CliRun run = await CliHarness.RunAsync(["explain", query]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Output);
    }

    [Fact]
    public async Task Explain_SettingAndAll_ExitsTwo()
    {
        CliRun run = await CliHarness.RunAsync(["explain", "require", "--all"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("not both", run.Error, StringComparison.Ordinal);
    }
}
