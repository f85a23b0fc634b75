using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using SmbSign.Protocol.Smb1;
using SmbSign.Testing;
using SmbSign.Wire.Scanning;

namespace SmbSign.Wire.Tests.Scanning;

/// <summary>Our SMB1 and SMB2 verdicts against nmap's smb-security-mode and smb2-security-mode on the same Samba.</summary>
public sealed partial class NmapComparisonTests
{
    [Theory]
    [InlineData("auto")]
    [InlineData("mandatory")]
    [InlineData("disabled")]
    public async Task Verdicts_MatchNmapScripts(string serverSigning)
    {
        string nmap = ToolLocator.Require("nmap", "nmap");
        await using SambaServer server = await SambaServer.StartAsync(new SambaServerOptions { MinProtocol = "NT1", MaxProtocol = "SMB3_11", ServerSigning = serverSigning });
        string port = server.Port.ToString(CultureInfo.InvariantCulture);
        // --deep: the SMB1-only connection runs whatever SMB2 says, so both families are compared.
        ServerPosture ours = await new SmbProber(new ProbeOptions { Deep = true }).ProbeAsync(new ScanTarget(SambaServer.Host, IPAddress.Loopback, server.Port));

        (int code, string output) = await ProcessRunner.RunAsync(
            nmap, ["-Pn", "-n", "-p", port, "--script", "smb2-security-mode,smb-security-mode", "--script-args", $"smbport={port}", SambaServer.Host],
            null, TimeSpan.FromSeconds(120));

        Assert.True(code == 0, output);
        (string? nmapSmb2, string? nmapSmb1) = ParseNmap(output);
        Assert.True(nmapSmb2 is not null && nmapSmb1 is not null, output);
        Assert.Equal(nmapSmb2, ours.Smb2.Signing switch
        {
            Smb2SigningState.Required => "required",
            Smb2SigningState.Enabled => "enabled",
            _ => "disabled",
        });
        Assert.Equal(nmapSmb1, ours.Smb1.Signing switch
        {
            Smb1SigningState.Required => "required",
            Smb1SigningState.Enabled => "enabled",
            _ => "disabled",
        });
    }

    [Theory]
    [InlineData("| smb2-security-mode: \n|   3:1:1: \n|_    Message signing enabled and required\n", "required")]
    [InlineData("| smb2-security-mode: \n|   311: \n|_    Message signing enabled but not required\n", "enabled")]
    [InlineData("| smb2-security-mode: \n|   3.1.1: \n|_    Message signing is disabled and not required!\n", "disabled")]
    [InlineData("| smb2-security-mode: \n|   3:11: \n|_    Message signing enabled and required\n", "required")]
    public void ParseNmap_DialectKeySpellings_ReadsSmb2Verdict(string text, string expected)
    {
        Assert.Equal(expected, ParseNmap(text).Smb2);
    }

    /// <summary>nmap prints dialect keys as "3.1.1", "3:1:1" (7.92–7.95), "3:11" or "311"; SMB1 as "message_signing: required|supported|disabled …".</summary>
    internal static (string? Smb2, string? Smb1) ParseNmap(string output)
    {
        string? smb2 = null;
        Match m2 = Smb2Line().Match(output);
        if (m2.Success)
        {
            smb2 = m2.Groups[1].Value switch
            {
                "enabled and required" => "required",
                "enabled but not required" => "enabled",
                _ => "disabled",
            };
        }

        string? smb1 = null;
        Match m1 = Smb1Line().Match(output);
        if (m1.Success)
        {
            smb1 = m1.Groups[1].Value switch
            {
                "required" => "required",
                "supported" => "enabled",
                _ => "disabled",
            };
        }

        return (smb2, smb1);
    }

    [GeneratedRegex(@"smb2-security-mode:\s*\n\|\s+[0-9.:]+:\s*\n\|_?\s+Message signing (enabled and required|enabled but not required|is disabled and not required!)")]
    private static partial Regex Smb2Line();

    [GeneratedRegex(@"message_signing: (required|supported|disabled)")]
    private static partial Regex Smb1Line();
}
