using System.Text.RegularExpressions;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Docs;

/// <summary>
/// Every document the code, the rule packs and the docs cite must exist in the repository, and every section number
/// cited in a reference page must be a heading there; nothing cites the developers' private notes (the folder beside
/// the checkout) or the project's own issue tracker.
/// </summary>
public sealed partial class CitationTests
{
    private static readonly string[] s_scannedRoots = ["src", "tests", "docs", "rules", "bench", "scripts", "samples"];
    private static readonly string[] s_scannedExtensions = [".cs", ".md", ".json", ".sh", ".py", ".csproj", ".props", ".txt"];

    [GeneratedRegex(@"(?<![\w/.-])(?<path>docs/[A-Za-z0-9_./-]+\.md)(?:\s*(?:§|sec(?:tion)?\.?\s)\s*(?<section>\d+(?:\.\d+)*))?")]
    private static partial Regex DocCitation();

    [GeneratedRegex(@"\.\./shared\b|shared/docs/")]
    private static partial Regex PrivateNotes();

    // The project's own tracker is cited as "issue 8"; other projects' public issues as "#307" or "issue #307".
    [GeneratedRegex(@"\bissues? \d+\b", RegexOptions.IgnoreCase)]
    private static partial Regex OwnIssueNumber();

    private static IEnumerable<string> ScannedFiles()
    {
        string root = TestPaths.RepositoryRoot;
        yield return Path.Combine(root, "README.md");
        foreach (string top in s_scannedRoots)
        {
            string dir = Path.Combine(root, top);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                string rel = Path.GetRelativePath(root, file).Replace('\\', '/');
                if (rel.Contains("/bin/", StringComparison.Ordinal) || rel.Contains("/obj/", StringComparison.Ordinal)
                    || rel.Contains("BenchmarkDotNet.Artifacts", StringComparison.Ordinal)
                    || rel.EndsWith("/CitationTests.cs", StringComparison.Ordinal)
                    || !s_scannedExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                yield return file;
            }
        }
    }

    private static HashSet<string> SectionNumbers(string markdownFile)
    {
        // Headings "## 4." / "### 7.2" are sections; a numbered list item "3. ..." under "## 0." is cited as §0.3.
        HashSet<string> sections = new(StringComparer.Ordinal);
        string? current = null;
        foreach (string line in File.ReadLines(markdownFile))
        {
            Match m = Regex.Match(line, @"^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s");
            if (m.Success)
            {
                sections.Add(m.Groups[1].Value);
                current = m.Groups[1].Value;
                continue;
            }

            Match item = Regex.Match(line, @"^(\d+)\.\s");
            if (item.Success && current is not null)
            {
                sections.Add(current + "." + item.Groups[1].Value);
            }
        }

        return sections;
    }

    [Fact]
    public void EveryCitedDocument_ExistsAndEveryCitedSectionIsAHeading()
    {
        string root = TestPaths.RepositoryRoot;
        Dictionary<string, HashSet<string>> sectionsByDoc = new(StringComparer.Ordinal);
        List<string> broken = [];
        int citations = 0;
        foreach (string file in ScannedFiles())
        {
            string rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            int lineNumber = 0;
            foreach (string line in File.ReadLines(file))
            {
                lineNumber++;
                foreach (Match m in DocCitation().Matches(line))
                {
                    citations++;
                    string cited = m.Groups["path"].Value.TrimEnd('.');
                    string full = Path.Combine(root, cited);
                    if (!File.Exists(full))
                    {
                        broken.Add($"{rel}:{lineNumber}: cites {cited}, which is not in the repository");
                        continue;
                    }

                    if (m.Groups["section"].Success)
                    {
                        if (!sectionsByDoc.TryGetValue(cited, out HashSet<string>? sections))
                        {
                            sections = SectionNumbers(full);
                            sectionsByDoc[cited] = sections;
                        }

                        string section = m.Groups["section"].Value;
                        if (!sections.Contains(section))
                        {
                            broken.Add($"{rel}:{lineNumber}: cites {cited} §{section}, which has no such section heading");
                        }
                    }
                }
            }
        }

        Assert.True(citations > 20, $"only {citations} citations found: is the scan looking at the right folders?");
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Fact]
    public void NothingCitesThePrivateNotesOrTheIssueTracker()
    {
        string root = TestPaths.RepositoryRoot;
        List<string> offending = [];
        foreach (string file in ScannedFiles())
        {
            string rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            bool productCode = rel.StartsWith("src/", StringComparison.Ordinal) || rel.StartsWith("docs/", StringComparison.Ordinal)
                || rel.StartsWith("rules/", StringComparison.Ordinal) || rel == "README.md";
            int lineNumber = 0;
            foreach (string line in File.ReadLines(file))
            {
                lineNumber++;
                if (PrivateNotes().IsMatch(line))
                {
                    offending.Add($"{rel}:{lineNumber}: cites the developers' private notes: {line.Trim()}");
                }
                else if (productCode && OwnIssueNumber().IsMatch(line))
                {
                    offending.Add($"{rel}:{lineNumber}: cites an issue of the project's tracker: {line.Trim()}");
                }
            }
        }

        Assert.True(offending.Count == 0, string.Join('\n', offending));
    }

    [Fact]
    public void SectionScanner_FindsTheReferencePagesHeadings()
    {
        // Guards the test above against passing vacuously when the heading format changes.
        HashSet<string> policy = SectionNumbers(Path.Combine(TestPaths.RepositoryRoot, "docs/reference/policy.md"));
        HashSet<string> protocol = SectionNumbers(Path.Combine(TestPaths.RepositoryRoot, "docs/reference/protocol.md"));
        Assert.Contains("4", policy);
        Assert.Contains("7.6", policy);
        Assert.Contains("13", protocol);
        Assert.Contains("15.4", protocol);
    }
}
