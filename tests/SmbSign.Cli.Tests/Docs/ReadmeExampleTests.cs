using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Docs;

/// <summary>
/// The README's examples are what the CLI really prints: each block marked <c>&lt;!-- example --&gt;</c> is run as
/// scripts/update-readme.py runs it (the real <c>smbsign</c> process, from the repository root, stdout redirected,
/// COLUMNS=100, NO_COLOR=1) and compared line by line (a block ending in <c>…</c> shows the first lines only).
/// </summary>
public sealed partial class ReadmeExampleTests
{
    [GeneratedRegex(@"^<!-- example(?: lines=(\d+))? -->$")]
    private static partial Regex ExampleMarker();

    private sealed record Example(int Line, string Command, IReadOnlyList<string> Shown)
    {
        public override string ToString() => $"README.md:{Line}: smbsign {Command}";
    }

    public static TheoryData<int, string, string> Examples()
    {
        TheoryData<int, string, string> data = [];
        foreach (Example example in ReadExamples())
        {
            data.Add(example.Line, example.Command, string.Join('\n', example.Shown));
        }

        return data;
    }

    private static List<Example> ReadExamples()
    {
        string[] lines = File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        List<Example> examples = [];
        for (int i = 0; i + 2 < lines.Length; i++)
        {
            if (!ExampleMarker().IsMatch(lines[i]) || !lines[i + 1].StartsWith("```", StringComparison.Ordinal)
                || !lines[i + 2].StartsWith("$ smbsign ", StringComparison.Ordinal))
            {
                continue;
            }

            List<string> shown = [];
            int j = i + 3;
            for (; j < lines.Length && !lines[j].StartsWith("```", StringComparison.Ordinal); j++)
            {
                shown.Add(lines[j]);
            }

            examples.Add(new Example(i + 3, lines[i + 2]["$ smbsign ".Length..], shown));
            i = j;
        }

        return examples;
    }

    [Fact]
    public void Readme_HasCheckedExamples()
    {
        // Guards the theory below against passing vacuously when the marker format changes.
        Assert.True(ReadExamples().Count >= 6, "README.md should show at least six checked examples");
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task ReadmeExample_ShowsWhatTheCliPrints(int line, string command, string shown)
    {
        Example example = new(line, command, shown.Split('\n'));
        string printed = await RunAsync(example.Command);
        string[] actual = [.. printed.TrimEnd('\n').Split('\n').Select(l => l.TrimEnd())];
        bool truncated = example.Shown.Count > 0 && example.Shown[^1] == "…";
        string[] expected = [.. (truncated ? example.Shown.Take(example.Shown.Count - 1) : example.Shown).Select(l => l.TrimEnd())];

        if (truncated)
        {
            Assert.True(actual.Length > expected.Length, $"{example}: the README shows a cut ('…') but the output has only {actual.Length} lines");
            actual = actual[..expected.Length];
        }

        Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));
    }

    /// <summary>Splits a command line the way the README's readers' shells would (single and double quotes).</summary>
    private static List<string> SplitArguments(string commandLine)
    {
        List<string> args = [];
        StringBuilder current = new();
        bool inToken = false;
        char quote = '\0';
        foreach (char c in commandLine)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inToken = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inToken)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    inToken = false;
                }
            }
            else
            {
                current.Append(c);
                inToken = true;
            }
        }

        if (inToken)
        {
            args.Add(current.ToString());
        }

        return args;
    }

    private static async Task<string> RunAsync(string commandLine)
    {
        ProcessStartInfo start = new("dotnet")
        {
            WorkingDirectory = TestPaths.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smbsign.dll"));
        foreach (string arg in SplitArguments(commandLine))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COLUMNS"] = "100";
        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("SMBSIGN_PASSWORD");
        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        _ = await error;
        return await output;
    }
}
