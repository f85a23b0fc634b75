using System.Buffers;
using SmbSign.Policy.Formats.GpoBackup;
using SmbSign.Policy.Formats.Intune;
using SmbSign.Policy.Formats.PowerShellJson;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Formats.SecurityTemplate;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>
/// Reads one source path of a machine: a file of any supported format (detected from content) or a GPO folder.
/// Each file is read once into a pooled buffer (at most <see cref="SourceReader.DefaultMaxFileSize"/>), sniffed and parsed;
/// nothing is kept but the observations. Never throws for bad files: problems come back as diagnostics.
/// Stateless and thread-safe.
/// </summary>
public static class MachineSourceReader
{
    private static readonly RegFileReader s_reg = new();
    private static readonly SecurityTemplateReader s_template = new();
    private static readonly RegistryPolReader s_pol = new();
    private static readonly SmbConfigurationJsonReader s_powerShell = new();
    private static readonly IntunePolicyReader s_intune = new();

    /// <summary>Reads a file or GPO folder; one result per file read.</summary>
    public static IReadOnlyList<SourceReadResult> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            return GpoBackupReader.Read(path);
        }

        return [ReadFile(path)];
    }

    /// <summary>Reads one file, detecting its format from its content.</summary>
    public static SourceReadResult ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream? stream = SourceFiles.TryOpen(path, SourceFormat.Unknown, out SourceReadResult? failure);
        if (stream is null)
        {
            return failure!;
        }

        byte[]? buffer = null;
        try
        {
            using (stream)
            {
                int length = SourceFiles.ReadBounded(stream, SourceReader.DefaultMaxFileSize, ref buffer, out string? problem);
                if (problem is not null)
                {
                    int bar = problem.IndexOf('|', StringComparison.Ordinal);
                    return SourceReadResult.Failed(path, SourceFormat.Unknown, problem[..bar], problem[(bar + 1)..]);
                }

                return Parse(buffer.AsSpan(0, length), path);
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Parses content already in memory, detecting its format; <paramref name="sourceName"/> names it in provenance.</summary>
    public static SourceReadResult Parse(ReadOnlySpan<byte> content, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (content.IsEmpty)
        {
            return SourceReadResult.Failed(sourceName, SourceFormat.Unknown, "AUD002", "the file is empty; expected a .reg export, a security template, Registry.pol, Get-Smb*Configuration or Intune JSON, smb.conf or nsmb.conf");
        }

        SourceFormat format = SourceSniffer.Detect(content, sourceName);
        SourceReader? reader = ReaderFor(format);
        if (reader is null)
        {
            return SourceReadResult.Failed(
                sourceName,
                format,
                "AUD001",
                format == SourceFormat.Unknown
                    ? "unrecognised file: expected a .reg export (Windows Registry Editor Version 5.00 / REGEDIT4), a security template ([Unicode]/[Version]), Registry.pol (PReg), Get-SmbClientConfiguration/Get-SmbServerConfiguration or Intune JSON, smb.conf ([global]) or nsmb.conf ([default])"
                    : $"{format} files are not supported by this build");
        }

        return reader.Parse(content, sourceName);
    }

    /// <summary>The reader for a detected format, or null when this build has none.</summary>
    internal static SourceReader? ReaderFor(SourceFormat format) => format switch
    {
        SourceFormat.Reg => s_reg,
        SourceFormat.SecurityTemplate => s_template,
        SourceFormat.RegistryPol => s_pol,
        SourceFormat.PowerShellJson => s_powerShell,
        SourceFormat.IntuneJson => s_intune,
        _ => null,
    };
}
