using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>
/// Content detection is <see cref="SourceDetector.Detect"/>'s job; when it cannot tell (a truncated or damaged file), the
/// file extension decides which reader gets the file, so that the reader can say precisely what is wrong with it
/// (a .json that is not valid JSON gets "invalid JSON at line N", not "format not recognised").
/// </summary>
internal static class SourceSniffer
{
    /// <summary>The format of a file: from its content, else from its extension, else <see cref="SourceFormat.Unknown"/>.</summary>
    public static SourceFormat Detect(ReadOnlySpan<byte> content, string path)
    {
        SourceFormat byContent = SourceDetector.Detect(content[..Math.Min(content.Length, SourceDetector.HeadSize)]);
        return byContent != SourceFormat.Unknown ? byContent : ByExtension(path);
    }

    /// <summary>The format a file extension suggests (.reg, .inf, .pol, .json, .conf).</summary>
    public static SourceFormat ByExtension(string path)
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
