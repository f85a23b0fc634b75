using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using SmbSign.Policy.Defaults;

namespace SmbSign.Policy.Rules;

/// <summary>
/// The built-in rule packs: <c>rules/*.json</c> at the repository root, embedded in this assembly. Loaded and validated
/// once; a broken built-in pack is a build defect and throws <see cref="InvalidDataException"/> naming every problem.
/// </summary>
public static class RulePacks
{
    private const string ResourcePrefix = "SmbSign.Policy.Rules.";
    private static readonly Lazy<(ImmutableArray<RulePack> All, FrozenDictionary<string, RulePack> ById)> s_packs = new(LoadEmbedded);

    /// <summary>Every built-in pack, in listing order (the order of the file names).</summary>
    public static ImmutableArray<RulePack> BuiltIn => s_packs.Value.All;

    /// <summary>The ids of <see cref="BuiltIn"/>.</summary>
    public static IEnumerable<string> Ids => BuiltIn.Select(p => p.Id);

    public static bool TryGet(string id, [NotNullWhen(true)] out RulePack? pack)
    {
        ArgumentNullException.ThrowIfNull(id);
        return s_packs.Value.ById.TryGetValue(id.Trim(), out pack);
    }

    /// <summary>
    /// The pack used for a machine that names no benchmark: the first built-in pack whose <see cref="RulePack.DefaultFor"/>
    /// matches the OS (docs/cli/audit.md lists the mapping). Null when none matches.
    /// </summary>
    public static RulePack? DefaultFor(OsProfile os)
    {
        ArgumentNullException.ThrowIfNull(os);
        return BuiltIn.FirstOrDefault(p => p.DefaultFor.Any(d => d.Matches(os)));
    }

    private static (ImmutableArray<RulePack>, FrozenDictionary<string, RulePack>) LoadEmbedded()
    {
        var assembly = typeof(RulePacks).Assembly;
        List<RulePack> packs = [];
        List<string> problems = [];
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using Stream stream = assembly.GetManifestResourceStream(name)!;
            string origin = "rules/" + name[ResourcePrefix.Length..];
            RulePackLoadResult result = RulePackLoader.Load(stream, origin);
            problems.AddRange(result.Problems.Select(p => p.ToString()));
            if (result.Pack is not null)
            {
                packs.Add(result.Pack);
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException("Built-in rule packs are invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }

        if (packs.Count == 0)
        {
            throw new InvalidOperationException("No rule pack is embedded in SmbSign.Policy; rules/*.json are missing from the build.");
        }

        return ([.. packs], packs.ToFrozenDictionary(p => p.Id, StringComparer.OrdinalIgnoreCase));
    }
}
