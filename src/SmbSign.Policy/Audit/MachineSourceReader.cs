using System.Buffers;
using SmbSign.Policy.Formats.LiveRegistry;
using SmbSign.Policy.Sources;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Audit;

/// <summary>
/// Reads one source path of a machine: a file of any supported format or a folder (a GPO folder is expanded into its
/// policy files, see <see cref="SourceDetector.Expand"/>). Each file is read once into a pooled buffer (at most
/// <see cref="SourceReader.DefaultMaxFileSize"/>), detected from its content (extension as the fallback, see
/// <see cref="SourceSniffer"/>) and parsed; nothing is kept but the observations. Never throws for bad files: problems
/// come back as diagnostics. Stateless and thread-safe.
/// </summary>
public static class MachineSourceReader
{
    /// <summary>The source path that stands for this machine's live registry (<see cref="LiveRegistryReader"/>; Windows only,
    /// error LIV001 elsewhere). Not a file name: a file cannot be called this on any platform SmbSign runs on.</summary>
    public const string LiveRegistryPath = "<live registry HKLM>";

    /// <summary>Reads a file or folder (or <see cref="LiveRegistryPath"/>); one result per file read.</summary>
    public static IEnumerable<SourceReadResult> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (string.Equals(path, LiveRegistryPath, StringComparison.Ordinal))
        {
            return [LiveRegistryReader.Read()];
        }

        if (Directory.Exists(path))
        {
            return SourceDetector.Expand(path).Select(source => source.GpoFolder is not null ? SourceDetector.Read(source) : ReadFile(source.Path));
        }

        return [ReadFile(path)];
    }

    /// <summary>Reads one file, detecting its format.</summary>
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
                if (RefuseBySize(stream, path) is { } tooLarge)
                {
                    return tooLarge;
                }

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

    /// <summary>Caps reads by format before the body is read: the head tells the format, the file system the size. A 30 MB
    /// "smb.conf" is refused after reading its first 64 KiB, not after holding 30 MB (and its decoded text) in memory.</summary>
    private static SourceReadResult? RefuseBySize(FileStream stream, string path)
    {
        long size;
        try
        {
            if (!stream.CanSeek || (size = stream.Length) <= SourceReader.SmallTextMaxFileSize)
            {
                return null; // small enough for any format (a stream without a length is capped by ReadBounded)
            }

            byte[] head = new byte[SourceDetector.HeadSize];
            int total = 0;
            int read;
            while (total < head.Length && (read = stream.Read(head, total, head.Length - total)) > 0)
            {
                total += read;
            }

            stream.Position = 0;
            SourceFormat format = SourceSniffer.Detect(head.AsSpan(0, total), path);
            int max = SourceReader.MaxFileSizeFor(format);
            return size > max ? SourceReadResult.Failed(path, format, DiagnosticCodes.Src003, SourceReader.TooLarge(size, max, format)) : null;
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            return SourceReadResult.Failed(path, SourceFormat.Unknown, DiagnosticCodes.Src001, "cannot read the file: " + SourceFiles.Describe(e));
        }
    }

    /// <summary>Parses content already in memory, detecting its format; <paramref name="sourceName"/> names it in provenance
    /// (and is the base for smb.conf <c>include =</c>).</summary>
    public static SourceReadResult Parse(ReadOnlySpan<byte> content, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (content.IsEmpty)
        {
            return SourceReadResult.Failed(sourceName, SourceFormat.Unknown, DiagnosticCodes.Aud002, "the file is empty; expected a .reg export, a security template, Registry.pol, Get-Smb*Configuration or Intune JSON, smb.conf or nsmb.conf");
        }

        SourceFormat format = SourceSniffer.Detect(content, sourceName);
        RegistryHive hive = string.Equals(Path.GetFileName(Path.GetDirectoryName(sourceName)), "User", StringComparison.OrdinalIgnoreCase)
            ? RegistryHive.CurrentUser
            : RegistryHive.LocalMachine;
        SourceReader? reader = SourceDetector.CreateReader(format, hive);
        if (reader is null)
        {
            return SourceReadResult.Failed(
                sourceName,
                format,
                DiagnosticCodes.Aud001,
                "unrecognised file: expected a .reg export (Windows Registry Editor Version 5.00 / REGEDIT4), a security template ([Unicode]/[Version]), Registry.pol (PReg), Get-SmbClientConfiguration/Get-SmbServerConfiguration or Intune JSON, smb.conf ([global]) or nsmb.conf ([default])");
        }

        return reader.Parse(content, sourceName);
    }
}
