using System.CommandLine;

namespace SmbSign.Cli;

/// <summary>Output formats across commands; each command accepts the subset it documents.</summary>
public enum OutputFormat
{
    Table,
    Json,
    Jsonl,
    Csv,
    Sarif,
}

/// <summary>Options shared by several commands, spelled the same everywhere.</summary>
internal static class CommonOptions
{
    /// <summary><c>--format</c> restricted to <paramref name="allowed"/>; the first is the default.</summary>
    public static Option<OutputFormat> Format(params OutputFormat[] allowed)
    {
        Option<OutputFormat> option = new("--format", "-f")
        {
            Description = "Output format: " + string.Join('|', allowed.Select(a => a.ToString().ToLowerInvariant())),
            HelpName = string.Join('|', allowed.Select(a => a.ToString().ToLowerInvariant())),
            DefaultValueFactory = _ => allowed[0],
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : allowed[0].ToString();
                foreach (OutputFormat candidate in allowed)
                {
                    if (string.Equals(candidate.ToString(), text, StringComparison.OrdinalIgnoreCase))
                    {
                        return candidate;
                    }
                }

                result.AddError($"--format: '{text}' is not one of {string.Join(", ", allowed.Select(a => a.ToString().ToLowerInvariant()))}.");
                return allowed[0];
            },
        };
        return option;
    }

    /// <summary><c>-o/--output FILE</c>: written atomically (temp file + rename), never over a file the user gave as input.</summary>
    public static Option<FileInfo?> Output() => new("--output", "-o") { Description = "Write the report to FILE (atomically) instead of stdout." };
}
