using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using SmbSign.Policy.Sources;
using SmbSign.Testing;

namespace SmbSign.Policy.Tests.Sources;

/// <summary>The diagnostic-code catalog is the only place codes are spelled, lists each once with its meaning, and is
/// what docs/reference/diagnostics.md shows.</summary>
public sealed partial class DiagnosticCodesTests
{
    // Codes no test names yet. LIV002/LIV003 need the live registry of a Windows machine (tests run on Linux, where
    // only LIV001 "Windows only" can happen). RRP001-003 are built by audit --remote from a winreg result; the remote
    // tests against Samba assert verdicts and messages, not these codes.
    private static readonly string[] s_testProjects = ["tests/SmbSign.Policy.Tests", "tests/SmbSign.Cli.Tests"];

    private static readonly string[] s_notCoveredByATest = ["LIV002", "LIV003", "RRP001", "RRP002", "RRP003"];

    [GeneratedRegex(@"^[A-Z]{3}\d{3}$")]
    private static partial Regex CodePattern();

    // A string literal that is a code, or starts with one and a '|' (SourceFiles passes "CODE|message" pairs).
    [GeneratedRegex(@"""(?<code>[A-Z]{3}\d{3})[""|]")]
    private static partial Regex CodeLiteral();

    [GeneratedRegex(@"^\| `(?<code>[A-Z]{3}\d{3})` \|", RegexOptions.Multiline)]
    private static partial Regex DocRow();

    [Fact]
    public void Catalog_CodesAreUniqueWellFormedAndInOrder()
    {
        string[] codes = [.. DiagnosticCodes.All.Select(c => c.Code)];

        Assert.NotEmpty(codes);
        Assert.All(codes, c => Assert.Matches(CodePattern(), c));
        Assert.Equal(codes.Length, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(codes.Order(StringComparer.Ordinal), codes);
        Assert.All(DiagnosticCodes.All, c => Assert.False(string.IsNullOrWhiteSpace(c.Meaning), c.Code));
        Assert.All(DiagnosticCodes.All, c => Assert.False(c.Meaning.Contains('|', StringComparison.Ordinal), c.Code + ": a '|' would break the docs table"));
    }

    [Fact]
    public void Catalog_EveryConstantIsListedOnceAndNamedAfterItsCode()
    {
        FieldInfo[] constants = [.. typeof(DiagnosticCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)];
        string[] values = [.. constants.Select(f => (string)f.GetRawConstantValue()!)];

        Assert.Equal(DiagnosticCodes.All.Select(c => c.Code).Order(StringComparer.Ordinal), values.Order(StringComparer.Ordinal));
        Assert.All(constants, f => Assert.Equal(((string)f.GetRawConstantValue()!).ToUpperInvariant(), f.Name.ToUpperInvariant()));
    }

    [Fact]
    public void Source_SpellsCodesOnlyInTheCatalog()
    {
        string src = Path.Combine(TestPaths.RepositoryRoot, "src");
        List<string> strays = [];
        int scanned = 0;
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(TestPaths.RepositoryRoot, file).Replace('\\', '/');
            if (rel.Contains("/obj/", StringComparison.Ordinal) || rel.Contains("/bin/", StringComparison.Ordinal)
                || rel == "src/SmbSign.Policy/Sources/DiagnosticCodes.cs")
            {
                continue;
            }

            scanned++;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match m in CodeLiteral().Matches(lines[i]))
                {
                    strays.Add($"{rel}:{i + 1}: \"{m.Groups["code"].Value}\" (use DiagnosticCodes)");
                }
            }
        }

        Assert.True(scanned > 100, $"only {scanned} source files found under {src}");
        Assert.True(strays.Count == 0, string.Join("\n", strays));
    }

    [Fact]
    public void Docs_ListExactlyTheCatalog()
    {
        string page = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "reference", "diagnostics.md")).ReplaceLineEndings("\n");
        string expected = RenderTable();

        Assert.Equal(DiagnosticCodes.All.Select(c => c.Code), DocRow().Matches(page).Select(m => m.Groups["code"].Value));
        Assert.True(page.Contains(expected, StringComparison.Ordinal), "docs/reference/diagnostics.md must hold this table (copy it from here):\n" + expected);
    }

    [Fact]
    public void Tests_ReferenceEveryCodeTheyCanProduce()
    {
        // A code counts as tested when a test of the Policy or CLI project names it (in an assertion on a diagnostic's
        // code or message, or as a DiagnosticCodes constant). This file is left out: it names every code.
        string corpus = string.Concat(
            s_testProjects
                .SelectMany(d => Directory.EnumerateFiles(Path.Combine(TestPaths.RepositoryRoot, d), "*.cs", SearchOption.AllDirectories))
                .Where(f => !f.EndsWith("DiagnosticCodesTests.cs", StringComparison.Ordinal)
                    && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Select(File.ReadAllText));
        string[] untested = [.. DiagnosticCodes.All.Select(c => c.Code).Where(code =>
            !corpus.Contains(code, StringComparison.Ordinal)
            && !corpus.Contains("DiagnosticCodes." + code[0] + code[1..3].ToLowerInvariant() + code[3..], StringComparison.Ordinal))];

        Assert.Equal(s_notCoveredByATest, untested);
    }

    private static string RenderTable()
    {
        StringBuilder table = new("| Code | Severity | Input | Meaning |\n|---|---|---|---|\n");
        foreach (DiagnosticCodeInfo c in DiagnosticCodes.All)
        {
            table.Append("| `").Append(c.Code).Append("` | ").Append(c.Severity.ToString().ToLowerInvariant()).Append(" | ")
                .Append(c.Input).Append(" | ").Append(c.Meaning).Append(" |\n");
        }

        return table.ToString();
    }
}
