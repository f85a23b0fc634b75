using System.CommandLine;
using System.Globalization;
using System.Text;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign completion bash|zsh|powershell</c> and <c>smbsign manpage</c>: shell completion scripts and a man page
/// generated from the command tree itself, so they can never drift from the real commands and options. The .deb
/// package (scripts/package-deb.sh) installs their output.
/// </summary>
internal static class CompletionCommand
{
    private static readonly string[] s_shells = ["bash", "zsh", "powershell"];

    public static Command Create(CliServices services)
    {
        Argument<string> shell = new("shell")
        {
            Description = "bash, zsh or powershell",
            CustomParser = result =>
            {
                string value = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (!s_shells.Contains(value, StringComparer.OrdinalIgnoreCase))
                {
                    result.AddError($"completion: '{value}' is not one of {string.Join(", ", s_shells)}.");
                }

                return value.ToLowerInvariant();
            },
        };
        shell.CompletionSources.Add(s_shells);
        Command command = new("completion", "Print a shell completion script (bash, zsh or powershell) for smbsign's commands and options. Exit codes: 0 printed, 2 unknown shell.") { shell };
        command.SetAction(parseResult =>
        {
            CommandTree tree = CommandTree.From(CliApp.CreateRootCommand(services));
            string script = parseResult.GetValue(shell) switch
            {
                "bash" => Bash(tree),
                "zsh" => "#compdef smbsign\n# zsh completion for smbsign, through zsh's bash-completion layer.\nautoload -U +X bashcompinit && bashcompinit\n" + Bash(tree),
                _ => PowerShell(tree),
            };
            services.Out.Write(script);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreateManPage(CliServices services)
    {
        Command command = new("manpage", "Print the smbsign(1) man page (roff), generated from the commands' own help.") { Hidden = true };
        command.SetAction(_ =>
        {
            services.Out.Write(ManPage(CommandTree.From(CliApp.CreateRootCommand(services))));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What completion needs from the command tree: each command path, its options and their values.</summary>
    internal sealed record CommandTree(string Description, IReadOnlyList<CommandNode> Commands, IReadOnlyList<OptionNode> RootOptions)
    {
        public static CommandTree From(RootCommand root)
        {
            List<CommandNode> commands = [];
            foreach (Command command in root.Subcommands.Where(c => !c.Hidden))
            {
                Walk(command, command.Name, commands);
            }

            return new CommandTree(root.Description ?? string.Empty, commands, [.. Options(root)]);
        }

        private static void Walk(Command command, string path, List<CommandNode> into)
        {
            into.Add(new CommandNode(
                path,
                command.Description ?? string.Empty,
                [.. command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)],
                [.. Options(command)],
                [.. command.Arguments.Where(a => !a.Hidden).Select(a => a.Name)]));
            foreach (Command sub in command.Subcommands.Where(c => !c.Hidden))
            {
                Walk(sub, path + " " + sub.Name, into);
            }
        }

        private static IEnumerable<OptionNode> Options(Command command)
        {
            foreach (Option option in command.Options.Where(o => !o.Hidden))
            {
                string[] names = [option.Name, .. option.Aliases];
                // Values come from a closed list only where the help names one ("table|json"); anything else is free
                // text or a path, which the shell completes as a file name.
                string[] values = option.HelpName is { } help && help.Contains('|', StringComparison.Ordinal)
                    ? help.Split('|')
                    : [];
                bool takesValue = option.ValueType != typeof(bool);
                yield return new OptionNode(names, option.Description ?? string.Empty, option.HelpName, takesValue, values);
            }

            yield return new OptionNode(["--help", "-h", "-?"], "Show help and usage information", null, false, []);
        }
    }

    internal sealed record CommandNode(string Path, string Description, IReadOnlyList<string> Subcommands, IReadOnlyList<OptionNode> Options, IReadOnlyList<string> Arguments);

    internal sealed record OptionNode(IReadOnlyList<string> Names, string Description, string? HelpName, bool TakesValue, IReadOnlyList<string> Values);

    private static string Words(IEnumerable<string> words) => string.Join(' ', words);

    internal static string Bash(CommandTree tree)
    {
        StringBuilder s = new();
        s.Append("# bash completion for smbsign (generated by 'smbsign completion bash'; do not edit)\n");
        s.Append("_smbsign()\n{\n");
        s.Append("    local cur prev path word i\n");
        s.Append("    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n");
        s.Append("    prev=\"\"\n");
        s.Append("    (( COMP_CWORD > 0 )) && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n");
        s.Append("    path=\"\"\n");
        s.Append("    # The command path is the leading words that name commands (\"bench signing\"); options end it.\n");
        s.Append("    for (( i = 1; i < COMP_CWORD; i++ )); do\n");
        s.Append("        word=\"${COMP_WORDS[i]}\"\n");
        s.Append("        case \"$word\" in -*) break ;; esac\n");
        s.Append("        case \" $(_smbsign_subcommands \"$path\") \" in *\" $word \"*) path=\"${path:+$path }$word\" ;; *) break ;; esac\n");
        s.Append("    done\n");
        s.Append("    local values\n");
        s.Append("    values=\"$(_smbsign_option_values \"$path\" \"$prev\")\"\n");
        s.Append("    if [[ $values == \"<file>\" ]]; then\n");
        s.Append("        COMPREPLY=( $(compgen -f -- \"$cur\") )\n");
        s.Append("        return 0\n");
        s.Append("    elif [[ -n $values ]]; then\n");
        s.Append("        COMPREPLY=( $(compgen -W \"$values\" -- \"$cur\") )\n");
        s.Append("        return 0\n");
        s.Append("    fi\n");
        s.Append("    if [[ $cur == -* ]]; then\n");
        s.Append("        COMPREPLY=( $(compgen -W \"$(_smbsign_options \"$path\")\" -- \"$cur\") )\n");
        s.Append("    else\n");
        s.Append("        COMPREPLY=( $(compgen -W \"$(_smbsign_subcommands \"$path\")\" -- \"$cur\") )\n");
        s.Append("        [[ -n $path ]] && COMPREPLY+=( $(compgen -f -- \"$cur\") )\n");
        s.Append("    fi\n");
        s.Append("    return 0\n");
        s.Append("}\n\n");

        s.Append("_smbsign_subcommands()\n{\n    case \"$1\" in\n");
        s.Append(CultureInfo.InvariantCulture, $"        '') echo '{Words(tree.Commands.Where(c => !c.Path.Contains(' ', StringComparison.Ordinal)).Select(c => c.Path))}' ;;\n");
        foreach (CommandNode command in tree.Commands.Where(c => c.Subcommands.Count > 0))
        {
            s.Append(CultureInfo.InvariantCulture, $"        '{command.Path}') echo '{Words(command.Subcommands)}' ;;\n");
        }

        s.Append("    esac\n}\n\n");

        s.Append("_smbsign_options()\n{\n    case \"$1\" in\n");
        s.Append(CultureInfo.InvariantCulture, $"        '') echo '{Words(tree.RootOptions.SelectMany(o => o.Names).Append("--version"))}' ;;\n");
        foreach (CommandNode command in tree.Commands)
        {
            s.Append(CultureInfo.InvariantCulture, $"        '{command.Path}') echo '{Words(command.Options.SelectMany(o => o.Names))}' ;;\n");
        }

        s.Append("    esac\n}\n\n");

        s.Append("# Prints the values an option takes (\"<file>\" for a free value completed as a path), or nothing for a flag.\n");
        s.Append("_smbsign_option_values()\n{\n    case \"$1|$2\" in\n");
        foreach (CommandNode command in tree.Commands)
        {
            foreach (OptionNode option in command.Options.Where(o => o.TakesValue))
            {
                string pattern = string.Join('|', option.Names.Select(n => $"'{command.Path}|{n}'"));
                string values = option.Values.Count > 0 ? Words(option.Values) : "<file>";
                s.Append(CultureInfo.InvariantCulture, $"        {pattern}) echo '{values}' ;;\n");
            }
        }

        s.Append("    esac\n}\n\n");
        s.Append("complete -o default -F _smbsign smbsign\n");
        return s.ToString();
    }

    private static string PsQuote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    internal static string PowerShell(CommandTree tree)
    {
        StringBuilder s = new();
        s.Append("# PowerShell completion for smbsign (generated by 'smbsign completion powershell'; do not edit).\n");
        s.Append("# Load it from your profile: smbsign completion powershell | Out-String | Invoke-Expression\n");
        s.Append("$smbsignTree = @{\n");
        s.Append(CultureInfo.InvariantCulture, $"    '' = @{{ Commands = @({string.Join(", ", tree.Commands.Where(c => !c.Path.Contains(' ', StringComparison.Ordinal)).Select(c => PsQuote(c.Path)))}); Options = @({string.Join(", ", tree.RootOptions.SelectMany(o => o.Names).Append("--version").Select(PsQuote))}); Values = @{{}} }}\n");
        foreach (CommandNode command in tree.Commands)
        {
            string values = string.Join("; ", command.Options.Where(o => o.Values.Count > 0)
                .SelectMany(o => o.Names.Select(n => $"{PsQuote(n)} = @({string.Join(", ", o.Values.Select(PsQuote))})")));
            s.Append(CultureInfo.InvariantCulture, $"    {PsQuote(command.Path)} = @{{ Commands = @({string.Join(", ", command.Subcommands.Select(PsQuote))}); Options = @({string.Join(", ", command.Options.SelectMany(o => o.Names).Select(PsQuote))}); Values = @{{ {values} }} }}\n");
        }

        s.Append("}\n");
        s.Append("Register-ArgumentCompleter -Native -CommandName smbsign -ScriptBlock {\n");
        s.Append("    param($wordToComplete, $commandAst, $cursorPosition)\n");
        s.Append("    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })\n");
        s.Append("    if ($wordToComplete -ne '' -and $words.Count -gt 0) { $words = @($words | Select-Object -SkipLast 1) }\n");
        s.Append("    $path = ''\n");
        s.Append("    foreach ($word in $words) {\n");
        s.Append("        if ($word.StartsWith('-')) { break }\n");
        s.Append("        if ($smbsignTree[$path].Commands -contains $word) { $path = ($path + ' ' + $word).Trim() } else { break }\n");
        s.Append("    }\n");
        s.Append("    $node = $smbsignTree[$path]\n");
        s.Append("    $previous = if ($words.Count -gt 0) { $words[-1] } else { '' }\n");
        s.Append("    if ($node.Values.ContainsKey($previous)) { $candidates = $node.Values[$previous] }\n");
        s.Append("    elseif ($wordToComplete.StartsWith('-')) { $candidates = $node.Options }\n");
        s.Append("    else { $candidates = $node.Commands }\n");
        s.Append("    $candidates | Where-Object { $_ -like \"$wordToComplete*\" } | ForEach-Object {\n");
        s.Append("        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)\n");
        s.Append("    }\n");
        s.Append("}\n");
        return s.ToString();
    }

    /// <summary>roff escapes: a backslash, and a leading dot or quote that roff would read as a request.</summary>
    private static string Roff(string text)
    {
        string escaped = text.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal);
        return escaped.StartsWith('.') || escaped.StartsWith('\'') ? "\\&" + escaped : escaped;
    }

    internal static string ManPage(CommandTree tree)
    {
        string version = typeof(CompletionCommand).Assembly.GetName().Version?.ToString(3) ?? "0";
        StringBuilder s = new();
        s.Append(CultureInfo.InvariantCulture, $".TH SMBSIGN 1 \"\" \"smbsign {version}\" \"User Commands\"\n");
        s.Append(".SH NAME\nsmbsign \\- configure, audit and prove SMB signing\n");
        s.Append(".SH SYNOPSIS\n.B smbsign\n.I COMMAND\n[\\fIOPTIONS\\fR]\n");
        s.Append(CultureInfo.InvariantCulture, $".SH DESCRIPTION\n{Roff(tree.Description)}\n");
        s.Append(".SH COMMANDS\n");
        foreach (CommandNode command in tree.Commands)
        {
            string arguments = string.Concat(command.Arguments.Select(a => $" \\fI{Roff(a.ToUpperInvariant())}\\fR"));
            s.Append(CultureInfo.InvariantCulture, $".SS \"smbsign {command.Path}\"{arguments}\n{Roff(command.Description)}\n");
            foreach (OptionNode option in command.Options.Where(o => o.Names[0] != "--help"))
            {
                string value = option.TakesValue ? $" \\fI{Roff(option.HelpName ?? "VALUE")}\\fR" : string.Empty;
                s.Append(CultureInfo.InvariantCulture, $".TP\n.B {Roff(string.Join(", ", option.Names))}{value}\n{Roff(option.Description)}\n");
            }
        }

        s.Append(".SH EXIT STATUS\n");
        s.Append(".TP\n.B 0\nSuccess, nothing to report.\n");
        s.Append(".TP\n.B 1\nThe command ran and found something: audit failures, a relay target, a signature that does not match, a session or client that does not enforce signing.\n");
        s.Append(".TP\n.B 2\nUsage error, unreadable input, or a peer that could not be talked to; one line on standard error names the file, line or byte offset (or the peer).\n");
        s.Append(".TP\n.B 3\nInternal error (a bug).\n");
        s.Append(".TP\n.B 130\nInterrupted.\n");
        s.Append(".SH ENVIRONMENT\n");
        s.Append(".TP\n.B SMBSIGN_PASSWORD\nPassword for commands that log on or verify captures (never taken from the command line).\n");
        s.Append(".TP\n.B SMBSIGN_KEY\nSession key (hex) for \\fBsmbsign signature\\fR.\n");
        s.Append(".TP\n.B NO_COLOR\nNo colour in tables.\n");
        s.Append(".TP\n.B SMBSIGN_DEBUG\nSet to 1 to print details of internal errors.\n");
        s.Append(".SH SEE ALSO\nThe command reference in docs/cli/ of the SmbSign sources.\n");
        return s.ToString();
    }
}
