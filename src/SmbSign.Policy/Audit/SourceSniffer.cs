using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>
/// Decides which reader a file needs, from its content (BOM, header, first section or JSON shape); the file extension
/// is only a fallback, so that a damaged file still reaches the reader that can say precisely what is wrong with it.
/// </summary>
internal static class SourceSniffer
{
    private const int HeadBytes = 4096;

    /// <summary>The format of <paramref name="content"/> (a file named <paramref name="path"/>), or <see cref="SourceFormat.Unknown"/>.</summary>
    public static SourceFormat Detect(ReadOnlySpan<byte> content, string path)
    {
        if (content.StartsWith(RegistryPolReader.Signature))
        {
            return SourceFormat.RegistryPol;
        }

        SourceFormat byContent = content.IsEmpty ? SourceFormat.Unknown : DetectText(TextDecoding.DecodeHead(content, HeadBytes).Text);
        return byContent != SourceFormat.Unknown ? byContent : ByExtension(path);
    }

    private static SourceFormat DetectText(string text)
    {
        ReadOnlySpan<char> t = text.AsSpan().TrimStart("\uFEFF \t\r\n\0");
        if (t.StartsWith("Windows Registry Editor", StringComparison.OrdinalIgnoreCase) || t.StartsWith("REGEDIT4", StringComparison.OrdinalIgnoreCase))
        {
            return SourceFormat.Reg;
        }

        if (t.StartsWith("{") || (t.StartsWith("[") && LooksLikeJsonArray(t)))
        {
            return LooksLikeIntune(text) ? SourceFormat.IntuneJson : SourceFormat.PowerShellJson;
        }

        // INI family: the first section (after comments) decides.
        foreach (Range range in t.Split('\n'))
        {
            ReadOnlySpan<char> line = t[range].Trim();
            if (line.IsEmpty || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] != '[')
            {
                // smb.conf may start with parameters outside any section only in broken files; treat "name = value" as smb.conf.
                return line.Contains('=') ? SourceFormat.SmbConf : SourceFormat.Unknown;
            }

            int close = line.IndexOf(']');
            ReadOnlySpan<char> section = close > 0 ? line[1..close].Trim() : line[1..];
            if (section.Equals("Unicode", StringComparison.OrdinalIgnoreCase)
                || section.Equals("Version", StringComparison.OrdinalIgnoreCase)
                || section.Equals("System Access", StringComparison.OrdinalIgnoreCase)
                || section.Equals("Registry Values", StringComparison.OrdinalIgnoreCase))
            {
                return SourceFormat.SecurityTemplate;
            }

            if (section.Equals("default", StringComparison.OrdinalIgnoreCase))
            {
                return SourceFormat.NsmbConf;
            }

            return SourceFormat.SmbConf;
        }

        return SourceFormat.Unknown;
    }

    private static bool LooksLikeJsonArray(ReadOnlySpan<char> t)
    {
        ReadOnlySpan<char> rest = t[1..].TrimStart(" \t\r\n");
        return rest.IsEmpty || rest[0] is '{' or '[' or '"' or ']' or '-' || char.IsAsciiDigit(rest[0]);
    }

    private static bool LooksLikeIntune(string text) =>
        text.Contains("settingInstance", StringComparison.OrdinalIgnoreCase)
        || text.Contains("omaSettings", StringComparison.OrdinalIgnoreCase)
        || text.Contains("settingDefinitionId", StringComparison.OrdinalIgnoreCase)
        || text.Contains("#microsoft.graph.", StringComparison.OrdinalIgnoreCase)
        || text.Contains("deviceManagement", StringComparison.OrdinalIgnoreCase);

    private static SourceFormat ByExtension(string path)
    {
        string name = Path.GetFileName(path);
        string extension = Path.GetExtension(path);
        if (extension.Equals(".reg", StringComparison.OrdinalIgnoreCase))
        {
            return SourceFormat.Reg;
        }

        if (extension.Equals(".inf", StringComparison.OrdinalIgnoreCase))
        {
            return SourceFormat.SecurityTemplate;
        }

        if (extension.Equals(".pol", StringComparison.OrdinalIgnoreCase))
        {
            return SourceFormat.RegistryPol;
        }

        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return name.Contains("intune", StringComparison.OrdinalIgnoreCase) ? SourceFormat.IntuneJson : SourceFormat.PowerShellJson;
        }

        if (extension.Equals(".conf", StringComparison.OrdinalIgnoreCase))
        {
            return name.Contains("nsmb", StringComparison.OrdinalIgnoreCase) ? SourceFormat.NsmbConf : SourceFormat.SmbConf;
        }

        return SourceFormat.Unknown;
    }
}
