using System.Collections.Frozen;
using System.Reflection;

namespace SmbSign.Policy.Formats.SmbConf;

/// <summary>A Samba parameter as smb.conf names it.</summary>
/// <param name="Name">Canonical name (e.g. <c>server min protocol</c> for <c>min protocol</c>).</param>
/// <param name="IsBoolean">Takes yes/no.</param>
/// <param name="Inverted">A boolean synonym with the opposite sense (<c>writeable</c> = not <c>read only</c>).</param>
public sealed record SambaParameter(string Name, bool IsBoolean, bool Inverted);

/// <summary>The smb.conf parameters and synonyms of Samba 4.17 (embedded list generated from <c>testparm -sv</c>).
/// Lookups follow smb.conf rules: case-insensitive, whitespace inside names ignored.</summary>
public static class SambaParameters
{
    private static readonly FrozenDictionary<string, SambaParameter> _byKey = Load();

    /// <summary>Finds a parameter or synonym; null when Samba 4.17 does not know the name.</summary>
    public static SambaParameter? Find(ReadOnlySpan<char> name) =>
        _byKey.GetValueOrDefault(Key(name));

    /// <summary>Number of names known (canonical names and synonyms).</summary>
    public static int Count => _byKey.Count;

    /// <summary>Lower case without any whitespace: smb.conf's notion of "the same name".</summary>
    public static string Key(ReadOnlySpan<char> name)
    {
        Span<char> buffer = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        int n = 0;
        foreach (char c in name)
        {
            if (!char.IsWhiteSpace(c))
            {
                buffer[n++] = char.ToLowerInvariant(c);
            }
        }

        return new string(buffer[..n]);
    }

    private static FrozenDictionary<string, SambaParameter> Load()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("SmbSign.Policy.SambaParameters")
            ?? throw new InvalidOperationException("The embedded Samba parameter list is missing from the assembly.");
        using StreamReader reader = new(stream, System.Text.Encoding.UTF8);
        Dictionary<string, SambaParameter> canonical = new(StringComparer.Ordinal);
        List<(string Alias, string Target, bool Inverted)> synonyms = [];
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                bool inverted = line[eq + 1] == '!';
                synonyms.Add((line[..eq], line[(eq + (inverted ? 2 : 1))..], inverted));
                continue;
            }

            int bar = line.IndexOf('|', StringComparison.Ordinal);
            string name = bar < 0 ? line : line[..bar];
            canonical[Key(name)] = new SambaParameter(name, bar >= 0 && line[(bar + 1)..] == "bool", false);
        }

        Dictionary<string, SambaParameter> all = new(canonical, StringComparer.Ordinal);
        foreach ((string alias, string target, bool inverted) in synonyms)
        {
            SambaParameter real = canonical[Key(target)];
            all[Key(alias)] = real with { Inverted = inverted };
        }

        return all.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
