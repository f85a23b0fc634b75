using System.Collections.Immutable;

namespace SmbSign.Policy.Formats.SmbConf;

/// <summary>What the patcher did with one parameter.</summary>
public enum SmbConfEditKind
{
    /// <summary>An existing line in [global] was changed in place.</summary>
    Changed,

    /// <summary>The parameter was missing and was added at the end of [global].</summary>
    Added,

    /// <summary>The file already had an equivalent value.</summary>
    Unchanged,
}

/// <summary>One edit: the parameter, the old text (for <see cref="SmbConfEditKind.Changed"/>/<see cref="SmbConfEditKind.Unchanged"/>),
/// the new text and the 1-based line in the original file (0 for added lines).</summary>
public sealed record SmbConfEdit(SmbConfEditKind Kind, string Parameter, string? OldValue, string NewValue, int Line);

/// <summary>The patched text and what changed.</summary>
public sealed record SmbConfPatch(string Text, ImmutableArray<SmbConfEdit> Edits);

/// <summary>
/// Changes parameters of an existing smb.conf in place, keeping every other line byte for byte: comments, blank lines,
/// order, indentation, the name's spelling and the line-end style. Samba rules: sections <c>[name]</c>, parameters
/// <c>name = value</c>, comment lines starting with <c>#</c> or <c>;</c>, a trailing <c>\</c> continues a line,
/// names compare ignoring case and white space, lines before the first section belong to [global], and the last
/// occurrence of a parameter wins (so every occurrence in [global] is updated). Each changed or added line gets a
/// comment line above it naming the setting (Samba has no end-of-line comments). Missing parameters go at the end of
/// the first [global] section (a [global] section is created at the top when there is none).
/// </summary>
public static class SmbConfPatcher
{
    /// <summary>Patches <paramref name="original"/> (the file's text) to carry <paramref name="parameters"/>.</summary>
    public static SmbConfPatch Patch(string original, IReadOnlyList<SmbConfParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(parameters);
        string newline = original.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        List<string> lines = SplitLines(original, out bool endsWithNewline);
        List<SmbConfEdit> edits = [];
        var found = new HashSet<SmbConfParameter>();
        var output = new List<string>(lines.Count + (parameters.Count * 2) + 2);
        string section = "global";
        int insertAt = -1; // output index after the last parameter line of the first [global] section
        bool inTargetGlobal = false;
        bool targetDone = false;
        for (int i = 0; i < lines.Count; i++)
        {
            int first = i;
            string logical = lines[i];
            while (logical.TrimEnd().EndsWith('\\') && i + 1 < lines.Count)
            {
                logical = logical.TrimEnd()[..^1] + " " + lines[++i].TrimStart();
            }

            string trimmed = logical.Trim();
            if (trimmed.StartsWith('[') && trimmed.Contains(']', StringComparison.Ordinal))
            {
                section = trimmed[1..trimmed.IndexOf(']', StringComparison.Ordinal)].Trim();
                AppendRange(output, lines, first, i);
                if (inTargetGlobal)
                {
                    inTargetGlobal = false;
                    targetDone = true;
                }

                if (!targetDone && insertAt < 0 && string.Equals(section, "global", StringComparison.OrdinalIgnoreCase))
                {
                    inTargetGlobal = true;
                    insertAt = output.Count;
                }

                continue;
            }

            bool inGlobal = string.Equals(section, "global", StringComparison.OrdinalIgnoreCase);
            int equals = logical.IndexOf('=', StringComparison.Ordinal);
            bool isComment = trimmed.Length == 0 || trimmed[0] is '#' or ';';
            SmbConfParameter? match = inGlobal && !isComment && equals > 0
                ? parameters.FirstOrDefault(p => SmbConfText.SameName(p.Name, logical[..equals]))
                : null;
            if (match is null)
            {
                AppendRange(output, lines, first, i);
            }
            else
            {
                found.Add(match);
                string oldValue = logical[(equals + 1)..].Trim();
                if (match.IsSatisfiedBy(oldValue))
                {
                    AppendRange(output, lines, first, i);
                    edits.Add(new SmbConfEdit(SmbConfEditKind.Unchanged, match.Name, oldValue, oldValue, first + 1));
                }
                else
                {
                    string indent = logical[..(logical.Length - logical.TrimStart().Length)];
                    string nameAsWritten = logical[..equals].TrimEnd();
                    output.Add(indent + "# smbsign fix: was '" + SmbConfText.CommentSafe(oldValue) + "'; " + SmbConfText.CommentSafe(match.Comment));
                    output.Add(nameAsWritten + " = " + match.Value);
                    edits.Add(new SmbConfEdit(SmbConfEditKind.Changed, match.Name, oldValue, match.Value, first + 1));
                }
            }

            if (inTargetGlobal && !isComment)
            {
                insertAt = output.Count;
            }
        }

        List<SmbConfParameter> missing = [.. parameters.Where(p => !found.Contains(p))];
        if (missing.Count > 0)
        {
            List<string> added = [];
            string indent = DetectIndent(lines);
            foreach (SmbConfParameter parameter in missing)
            {
                added.Add(indent + "# smbsign fix: added; " + SmbConfText.CommentSafe(parameter.Comment));
                added.Add(indent + parameter.Name + " = " + parameter.Value);
                edits.Add(new SmbConfEdit(SmbConfEditKind.Added, parameter.Name, null, parameter.Value, 0));
            }

            if (insertAt >= 0)
            {
                output.InsertRange(insertAt, added);
            }
            else
            {
                output.InsertRange(0, ["[global]", .. added, string.Empty]);
            }
        }

        string text = string.Join(newline, output) + (endsWithNewline || output.Count > 0 && original.Length == 0 ? newline : string.Empty);
        return new SmbConfPatch(text, [.. edits]);
    }

    /// <summary>The effective [global] parameters of a file as Samba reads them (last occurrence wins), keyed by
    /// canonical name; values trimmed. For checks and tests.</summary>
    public static IReadOnlyDictionary<string, string> ReadGlobal(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string section = "global";
        List<string> lines = SplitLines(text, out _);
        for (int i = 0; i < lines.Count; i++)
        {
            string logical = lines[i];
            while (logical.TrimEnd().EndsWith('\\') && i + 1 < lines.Count)
            {
                logical = logical.TrimEnd()[..^1] + " " + lines[++i].TrimStart();
            }

            string trimmed = logical.Trim();
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';')
            {
                continue;
            }

            if (trimmed.StartsWith('[') && trimmed.Contains(']', StringComparison.Ordinal))
            {
                section = trimmed[1..trimmed.IndexOf(']', StringComparison.Ordinal)].Trim();
                continue;
            }

            int equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && string.Equals(section, "global", StringComparison.OrdinalIgnoreCase))
            {
                result[SmbConfText.Canonical(trimmed[..equals])] = trimmed[(equals + 1)..].Trim();
            }
        }

        return result;
    }

    /// <summary>The canonical form of a parameter name (for lookups in <see cref="ReadGlobal"/>).</summary>
    public static string CanonicalName(string name) => SmbConfText.Canonical(name);

    private static void AppendRange(List<string> output, List<string> lines, int first, int last)
    {
        for (int j = first; j <= last; j++)
        {
            output.Add(lines[j]);
        }
    }

    private static string DetectIndent(List<string> lines)
    {
        foreach (string line in lines)
        {
            string trimmed = line.TrimStart();
            if (trimmed.Length > 0 && trimmed[0] is not ('[' or '#' or ';') && trimmed.Contains('=', StringComparison.Ordinal))
            {
                return line[..(line.Length - trimmed.Length)];
            }
        }

        return "\t";
    }

    private static List<string> SplitLines(string text, out bool endsWithNewline)
    {
        endsWithNewline = text.EndsWith('\n');
        List<string> lines = [.. text.Split('\n').Select(l => l.TrimEnd('\r'))];
        if (endsWithNewline)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
