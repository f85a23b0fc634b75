using System.Text;
using SmbSign.Policy.Formats.PowerShell;
using SmbSign.Policy.Remediation;

namespace SmbSign.Policy.Tests.Formats.PowerShell;

/// <summary>pwsh is not installable from this machine's Debian sources (apt-cache has no powershell package), so the
/// scripts are checked structurally: required elements, order of backup before change, types, balanced syntax.</summary>
public sealed class PowerShellScriptWriterTests
{
    private static readonly RemediationPlan s_plan = new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Get("cis-server2025"));

    [Fact]
    public void ApplyScript_ElevationWhatIfBackupFirstAndIdempotent()
    {
        string script = PowerShellScriptWriter.ApplyScript(s_plan);

        Assert.StartsWith("#Requires -RunAsAdministrator\r\n", script, StringComparison.Ordinal);
        Assert.Contains("[CmdletBinding(SupportsShouldProcess)]", script, StringComparison.Ordinal);
        Assert.Contains("IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)", script, StringComparison.Ordinal);
        int backup = script.IndexOf("ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $BackupPath", StringComparison.Ordinal);
        int firstChange = script.IndexOf("& $s.Cmdlet @arguments", StringComparison.Ordinal);
        int mainFlow = script.IndexOf("# 1. Save the current values", StringComparison.Ordinal);
        Assert.True(mainFlow > 0 && backup > mainFlow && firstChange > backup, "the backup must be written before the first change");
        Assert.Contains("if (Test-SameValue -State $before -Type $s.Type -Value $s.Value)", script, StringComparison.Ordinal);
        Assert.Contains("$PSCmdlet.ShouldProcess($target", script, StringComparison.Ordinal);
        Assert.Contains("Write-Host ('changed    {0}", script, StringComparison.Ordinal);
        AssertBalanced(script);
    }

    [Fact]
    public void ApplyScript_CmdletWhereThePropertyWritesTheServiceKey_RegistryTypeOtherwise()
    {
        var actions = PowerShellScriptWriter.Plan(s_plan).ToDictionary(a => a.Item.Setting.Id);

        Assert.Equal("Set-SmbServerConfiguration", actions["server.RequireSecuritySignature"].Cmdlet);
        Assert.Equal("Set-SmbClientConfiguration", actions["client.RequireSecuritySignature"].Cmdlet);
        Assert.Equal("UInt32", actions["server.AutoDisconnect"].PropertyType);
        Assert.Null(actions["client.AllowInsecureGuestAuth"].Cmdlet); // policy key: the cmdlet would write the service key
        Assert.Null(actions["client.EnablePlainTextPassword"].Cmdlet); // no cmdlet property
        Assert.Equal("String", actions["client.HardenedPaths.NETLOGON"].RegistryType);
        Assert.All(actions.Values.Where(a => a.Item.Setting.ValueType == SmbSign.Policy.Catalog.RegistryValueType.RegDword), a => Assert.Equal("DWord", a.RegistryType));
        string script = PowerShellScriptWriter.ApplyScript(s_plan);
        Assert.Contains("Name = '\\\\*\\NETLOGON'", script, StringComparison.Ordinal);
        Assert.Contains("New-ItemProperty -LiteralPath $Path -Name $Name -PropertyType $Type -Value $data -Force", script, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoreScript_ReadsTheBackupAndDeletesValuesThatWereAbsent()
    {
        string script = PowerShellScriptWriter.RestoreScript(s_plan);

        Assert.StartsWith("#Requires -RunAsAdministrator\r\n", script, StringComparison.Ordinal);
        Assert.Contains("[CmdletBinding(SupportsShouldProcess)]", script, StringComparison.Ordinal);
        Assert.Contains("Get-Content -LiteralPath $BackupPath -Raw | ConvertFrom-Json", script, StringComparison.Ordinal);
        Assert.Contains("Remove-RegistryValue -Path $s.path -Name $s.name", script, StringComparison.Ordinal);
        Assert.Contains("Set-RegistryValue -Path $s.path -Name $s.name -Type $s.type -Value $value", script, StringComparison.Ordinal);
        AssertBalanced(script);
    }

    [Theory]
    [InlineData("plain", "abc", "'abc'")]
    [InlineData("apostrophe", "it's", "'it''s'")]
    [InlineData("typographic quote", "it\u2019s", "'it\u2019\u2019s'")]
    public void Quote_EscapesQuotes(string description, string text, string expected) =>
        Assert.True(expected == PowerShellScriptWriter.Quote(text), description);

    [Fact]
    public void Write_Utf8BomCrlf()
    {
        GeneratedFile apply = PowerShellScriptWriter.Write(s_plan)[0];

        Assert.Equal(PowerShellScriptWriter.ApplyFileName, apply.RelativePath);
        Assert.Equal([0xEF, 0xBB, 0xBF], apply.Content[..3]);
        Assert.DoesNotContain("\n", Encoding.UTF8.GetString(apply.Content).Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    /// <summary>Braces, brackets and parentheses balance outside strings and comments; every string is closed.</summary>
    private static void AssertBalanced(string script)
    {
        var stack = new Stack<char>();
        bool inBlockComment = false;
        foreach (string line in script.Split("\r\n"))
        {
            if (inBlockComment)
            {
                inBlockComment = !line.Contains("#>", StringComparison.Ordinal);
                continue;
            }

            if (line.TrimStart().StartsWith("<#", StringComparison.Ordinal))
            {
                inBlockComment = !line.Contains("#>", StringComparison.Ordinal);
                continue;
            }

            char quote = '\0';
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quote != '\0')
                {
                    if (c == '`' && quote == '"')
                    {
                        i++;
                    }
                    else if (c == quote)
                    {
                        if (i + 1 < line.Length && line[i + 1] == quote)
                        {
                            i++;
                        }
                        else
                        {
                            quote = '\0';
                        }
                    }

                    continue;
                }

                if (c == '#')
                {
                    break;
                }

                if (c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c is '{' or '(' or '[')
                {
                    stack.Push(c);
                }
                else if (c is '}' or ')' or ']')
                {
                    Assert.True(stack.Count > 0, $"unbalanced '{c}' in: {line}");
                    char open = stack.Pop();
                    Assert.Equal(c switch { '}' => '{', ')' => '(', _ => '[' }, open);
                }
            }

            Assert.True(quote == '\0', "unterminated string in: " + line);
        }

        Assert.Empty(stack);
    }
}
