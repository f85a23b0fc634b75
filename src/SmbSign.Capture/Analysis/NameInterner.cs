namespace SmbSign.Capture.Analysis;

/// <summary>User and domain names seen, so a capture of many sessions of few users keeps one string per name. Bounded:
/// past <see cref="MaxNames"/> distinct names a new one is returned as is.</summary>
internal sealed class NameInterner
{
    public const int MaxNames = 4096;

    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public string Intern(string name)
    {
        if (_names.TryGetValue(name, out string? known))
        {
            return known;
        }

        if (_names.Count < MaxNames)
        {
            _names.Add(name, name);
        }

        return name;
    }
}
