using System.Text;
using SmbSign.Policy.Formats.PowerShell;
using SmbSign.Policy.Remediation;

namespace SmbSign.Policy.Tests.Formats.PowerShell;

/// <summary>The scripts are checked structurally (required elements, order of backup before change, types, balanced
/// syntax) and parsed by real PowerShell: <c>pwsh</c> from PATH or the .NET tool in /opt/pwsh, which scripts/test.sh
/// installs (<c>dotnet tool install --tool-path /opt/pwsh PowerShell --version 7.6.10</c>).</summary>
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
        Assert.All(actions.Values.Where(a => a.Item.Setting.ValueType == SmbSign.Policy.Sources.RegistryValueType.DWord), a => Assert.Equal("DWord", a.RegistryType));
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

    /// <summary>Every generated script of every baseline (level 2, so the Server service item is in) and of a fleet audit,
    /// parsed with PowerShell's own parser ([System.Management.Automation.Language.Parser]::ParseFile): no parse error.
    /// A deliberately broken script must be reported, so the check cannot pass by not parsing.</summary>
    [Fact]
    public void EveryGeneratedScript_ParsesWithRealPowerShell()
    {
        string pwsh = FindPwsh();
        string dir = Path.Combine(Path.GetTempPath(), "smbsign-ps-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            List<RemediationPlan> plans = [.. BaselineCatalog.Default.Baselines.Select(b => new RemediationPlanner().FromBaseline(b, level: 2))];
            AuditDocument audit = AuditDocumentReader.Read(Path.Combine(AppContext.BaseDirectory, "TestData", "Remediation", "fleet-audit.json"));
            plans.AddRange(new RemediationPlanner().FromAudit(audit, machine: null, strict: true, level: 2).Where(p => !p.IsEmpty));
            List<string> files = [];
            for (int i = 0; i < plans.Count; i++)
            {
                foreach (GeneratedFile file in PowerShellScriptWriter.Write(plans[i]))
                {
                    string path = Path.Combine(dir, i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + file.RelativePath);
                    File.WriteAllBytes(path, file.Content);
                    files.Add(path);
                }
            }

            string broken = Path.Combine(dir, "broken.ps1");
            File.WriteAllText(broken, "function f {\r\n  'x'\r\n");
            string parser = Path.Combine(dir, "parse.ps1");
            File.WriteAllText(parser, """
                $bad = 0
                foreach ($p in $args) {
                    $tokens = $null; $errors = $null
                    [void][System.Management.Automation.Language.Parser]::ParseFile($p, [ref]$tokens, [ref]$errors)
                    foreach ($e in $errors) { 'error {0}:{1}: {2}' -f $p, $e.Extent.StartLineNumber, $e.Message; $bad++ }
                    'parsed ' + $p
                }
                exit $bad
                """);

            (int exit, string output) = Run(pwsh, ["-NoProfile", "-NonInteractive", "-File", parser, .. files, broken]);

            Assert.True(files.Count >= 20, "scripts of every baseline and audited machine");
            Assert.All(files.Append(broken), f => Assert.Contains("parsed " + f, output, StringComparison.Ordinal));
            string[] errors = [.. output.Split('\n').Where(l => l.StartsWith("error ", StringComparison.Ordinal))];
            Assert.True(errors.All(e => e.StartsWith("error " + broken + ":", StringComparison.Ordinal)), string.Join("\n", errors));
            Assert.NotEmpty(errors);
            Assert.Equal(errors.Length, exit);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>pwsh on PATH, else the .NET tool scripts/test.sh installs in /opt/pwsh; a missing pwsh fails the test.</summary>
    private static string FindPwsh()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/opt/pwsh"))
        {
            string candidate = Path.Combine(dir, "pwsh");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("pwsh not found on PATH or in /opt/pwsh; install it with: dotnet tool install --tool-path /opt/pwsh PowerShell --version 7.6.10 (scripts/test.sh does)");
        return string.Empty;
    }

    private static (int Exit, string Output) Run(string file, IEnumerable<string> arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("pwsh did not finish parsing within 120 s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
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
