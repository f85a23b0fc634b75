using System.Xml.Linq;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Architecture;

/// <summary>The project graph points one way (README, "How it is built"): Protocol references nothing of ours; Wire,
/// Capture, Policy and Reporting reference Protocol at most and never each other; only the CLI joins them.</summary>
public sealed class ProjectReferenceTests
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["SmbSign.Protocol"] = [],
        ["SmbSign.Wire"] = ["SmbSign.Protocol"],
        ["SmbSign.Capture"] = ["SmbSign.Protocol"],
        ["SmbSign.Policy"] = ["SmbSign.Protocol"],
        ["SmbSign.Reporting"] = [],
        ["SmbSign.Cli"] = ["SmbSign.Protocol", "SmbSign.Wire", "SmbSign.Capture", "SmbSign.Policy", "SmbSign.Reporting"],
    };

    [Fact]
    public void EveryProductProject_ReferencesOnlyWhatTheLayeringAllows()
    {
        string[] projects = Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories);
        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), projects.Select(p => Path.GetFileNameWithoutExtension(p)).Order(StringComparer.Ordinal));
        foreach (string project in projects)
        {
            string name = Path.GetFileNameWithoutExtension(project);
            string[] references = [.. XDocument.Load(project).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!))];
            string[] forbidden = [.. references.Except(Allowed[name], StringComparer.Ordinal)];
            Assert.True(forbidden.Length == 0, $"{name} must not reference {string.Join(", ", forbidden)}");
        }
    }
}
