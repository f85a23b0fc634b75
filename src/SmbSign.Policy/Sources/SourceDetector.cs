using System.Buffers;
using SmbSign.Policy.Formats.GpoBackup;
using SmbSign.Policy.Formats.Intune;
using SmbSign.Policy.Formats.NsmbConf;
using SmbSign.Policy.Formats.PowerShellJson;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Formats.SecurityTemplate;
using SmbSign.Policy.Formats.SmbConf;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Sources;

/// <summary>A file to read, found by <see cref="SourceDetector.Expand"/>.</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">Detected format (<see cref="SourceFormat.Unknown"/> when not recognised or unreadable).</param>
/// <param name="Hive">Hive for Registry.pol files (CurrentUser for a GPO's User\Registry.pol).</param>
/// <param name="GpoFolder">The GPO folder the file belongs to, if it was found by expanding one.</param>
public sealed record DetectedSource(string Path, SourceFormat Format, RegistryHive Hive = RegistryHive.LocalMachine, string? GpoFolder = null);

/// <summary>Picks the reader for a file by its content (magic, BOM, header, structure) — never by extension — and
/// expands folders: a GPO folder (SYSVOL or Backup-GPO layout) into its policy files, any other folder recursively
/// into its files. Entry points for the audit: <see cref="Expand"/> to list (cheap, reads only file heads),
/// <see cref="Read(DetectedSource)"/> / <see cref="ReadFile"/> to read one, <see cref="ReadPath"/> to stream results.</summary>
/// <remarks>Codes: SRC001 unreadable, SRC002 format not recognised, SRC003 too large.</remarks>
public static class SourceDetector
{
    /// <summary>Bytes looked at to detect a format.</summary>
    public const int HeadSize = 64 * 1024;

    private const int MaxFolderDepth = 16;

    private static readonly string[] _intuneMarkers = ["@odata.type", "omaSettings", "settingInstance", "settingDefinitionId", "deviceManagement"];
    private static readonly string[] _powerShellMarkers = ["SecuritySignature", "MSFT_Smb", "EnableSMB1Protocol", "EnableSMB2Protocol", "Smb2Dialect", "InsecureGuestLogons", "EncryptData", "AutoDisconnectTimeout"];
    private static readonly string[] _templateSections = ["[Unicode]", "[Registry Values]", "[System Access]", "[Privilege Rights]", "[Event Audit]", "[Kerberos Policy]"];
    private static readonly string[] _nsmbKeys = ["signing_required", "signing_req_vers", "protocol_vers_map", "signing_alg_map", "validate_neg_off", "minauth", "port445"];

    /// <summary>Detects the format of a file from its first bytes (up to <see cref="HeadSize"/>).</summary>
    public static SourceFormat Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 8 && head[..4].SequenceEqual(RegistryPolReader.Signature))
        {
            return SourceFormat.RegistryPol;
        }

        DecodedText decoded = TextDecoding.DecodeHead(head, HeadSize);
        ReadOnlySpan<char> text = decoded.Text.AsSpan().TrimStart();
        if (text.IsEmpty)
        {
            return SourceFormat.Unknown;
        }

        if (text.StartsWith(RegFileReader.Version5Header, StringComparison.OrdinalIgnoreCase) || text.StartsWith(RegFileReader.Regedit4Header, StringComparison.OrdinalIgnoreCase))
        {
            return SourceFormat.Reg;
        }

        if (text[0] == '{' || (text[0] == '[' && LooksLikeJsonArray(text)))
        {
            if (ContainsAny(text, _intuneMarkers))
            {
                return SourceFormat.IntuneJson;
            }

            return ContainsAny(text, _powerShellMarkers) ? SourceFormat.PowerShellJson : SourceFormat.Unknown;
        }

        if (ContainsAny(text, _templateSections) || AsciiSearch.ContainsIgnoreCase(text, "$CHICAGO$"))
        {
            return SourceFormat.SecurityTemplate;
        }

        if (HasSection(text, "global"))
        {
            return SourceFormat.SmbConf;
        }

        if (HasSection(text, "default") && ContainsAny(text, _nsmbKeys))
        {
            return SourceFormat.NsmbConf;
        }

        return HasSambaParameterLine(text) ? SourceFormat.SmbConf : SourceFormat.Unknown;
    }

    /// <summary>A fresh reader for a format; null for <see cref="SourceFormat.Unknown"/>, GPO folders and the live registry.</summary>
    public static SourceReader? CreateReader(SourceFormat format, RegistryHive hive = RegistryHive.LocalMachine) => format switch
    {
        SourceFormat.Reg => new RegFileReader(),
        SourceFormat.SecurityTemplate => new SecurityTemplateReader(),
        SourceFormat.RegistryPol => new RegistryPolReader(hive),
        SourceFormat.PowerShellJson => new SmbConfigurationJsonReader(),
        SourceFormat.IntuneJson => new IntunePolicyReader(),
        SourceFormat.SmbConf => new SmbConfReader(),
        SourceFormat.NsmbConf => new NsmbConfReader(),
        _ => null,
    };

    /// <summary>Lists the sources under a path without reading them in full: a file is one source; a GPO folder its
    /// policy files; another folder every file below it (recursively, sorted by path, skipping names starting with
    /// '.'; GPO folders inside are expanded as GPOs). A path that does not exist yields one Unknown source, so the
    /// caller reports it.</summary>
    public static IEnumerable<DetectedSource> Expand(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ExpandCore(path, 0, []);
    }

    /// <summary>Detects and reads one file; unrecognised → SRC002, unreadable → SRC001. A file named Registry.pol
    /// inside a folder named User is read as HKCU.</summary>
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
            int length;
            string? problem;
            using (stream)
            {
                length = SourceFiles.ReadBounded(stream, SourceReader.DefaultMaxFileSize, ref buffer, out problem);
            }

            if (problem is not null)
            {
                int bar = problem.IndexOf('|', StringComparison.Ordinal);
                return SourceReadResult.Failed(path, SourceFormat.Unknown, problem[..bar], problem[(bar + 1)..]);
            }

            ReadOnlySpan<byte> content = buffer.AsSpan(0, length);
            SourceFormat format = Detect(content[..Math.Min(content.Length, HeadSize)]);
            SourceReader? reader = CreateReader(format, HiveFor(path));
            return reader is null
                ? Unrecognised(path)
                : reader.Parse(content, path);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Reads a source found by <see cref="Expand"/> (the format is detected again from the content).</summary>
    public static SourceReadResult Read(DetectedSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.GpoFolder is not null && source.Format is SourceFormat.RegistryPol or SourceFormat.SecurityTemplate)
        {
            return GpoBackupReader.ReadFile(new GpoFile(source.Path, source.Format, source.Hive));
        }

        return ReadFile(source.Path);
    }

    /// <summary>Reads every source under a path, one result at a time (nothing is kept between files).</summary>
    public static IEnumerable<SourceReadResult> ReadPath(string path) => Expand(path).Select(Read);

    /// <summary>Detects a file's format from its head; Unknown when it cannot be read.</summary>
    public static SourceFormat DetectFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream? stream = SourceFiles.TryOpen(path, SourceFormat.Unknown, out _);
        if (stream is null)
        {
            return SourceFormat.Unknown;
        }

        byte[] head = ArrayPool<byte>.Shared.Rent(HeadSize);
        try
        {
            using (stream)
            {
                int total = 0;
                int read;
                while (total < HeadSize && (read = stream.Read(head, total, HeadSize - total)) > 0)
                {
                    total += read;
                }

                return Detect(head.AsSpan(0, total));
            }
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            return SourceFormat.Unknown;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    private static IEnumerable<DetectedSource> ExpandCore(string path, int depth, HashSet<object> visited)
    {
        if (File.Exists(path))
        {
            yield return new DetectedSource(path, DetectFile(path), HiveFor(path));
            yield break;
        }

        if (!Directory.Exists(path))
        {
            yield return new DetectedSource(path, SourceFormat.Unknown);
            yield break;
        }

        IReadOnlyList<GpoFile> gpo = GpoBackupReader.FindFiles(path);
        if (gpo.Count > 0)
        {
            foreach (GpoFile file in gpo)
            {
                yield return new DetectedSource(file.Path, file.Format, file.Hive, path);
            }

            yield break;
        }

        if (depth >= MaxFolderDepth)
        {
            yield break;
        }

        // Each folder once, by identity: a symbolic link to "." or ".." would otherwise multiply the paths at every level.
        if (FileProbe.FolderKey(path) is { } key && !visited.Add(key))
        {
            yield break;
        }

        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(path);
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            entries = [];
        }

        Array.Sort(entries, StringComparer.Ordinal);
        foreach (string entry in entries)
        {
            if (System.IO.Path.GetFileName(entry).StartsWith('.'))
            {
                continue;
            }

            foreach (DetectedSource source in ExpandCore(entry, depth + 1, visited))
            {
                yield return source;
            }
        }
    }

    private static RegistryHive HiveFor(string path)
    {
        string? parent = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(path));
        return string.Equals(parent, "User", StringComparison.OrdinalIgnoreCase) ? RegistryHive.CurrentUser : RegistryHive.LocalMachine;
    }

    private static SourceReadResult Unrecognised(string path) => SourceReadResult.Failed(
        path,
        SourceFormat.Unknown,
        DiagnosticCodes.Src002,
        "format not recognised; expected a .reg export, a security template (GptTmpl.inf / secedit /export), Registry.pol, Get-SmbClientConfiguration / Get-SmbServerConfiguration JSON, an Intune policy JSON, smb.conf or nsmb.conf");

    private static bool LooksLikeJsonArray(ReadOnlySpan<char> text)
    {
        ReadOnlySpan<char> rest = text[1..].TrimStart();
        return rest.IsEmpty || rest[0] is '{' or '[' or ']' or '"' or '-' or 't' or 'f' or 'n' || char.IsAsciiDigit(rest[0]);
    }

    private static bool ContainsAny(ReadOnlySpan<char> text, string[] markers)
    {
        foreach (string marker in markers)
        {
            if (AsciiSearch.ContainsIgnoreCase(text, marker))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasSection(ReadOnlySpan<char> text, string name)
    {
        LineReader lines = new(text);
        while (lines.TryReadLine(out ReadOnlySpan<char> line))
        {
            ReadOnlySpan<char> t = line.Trim();
            if (t.Length > 2 && t[0] == '[' && t.IndexOf(']') is > 0 and int close && t[1..close].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasSambaParameterLine(ReadOnlySpan<char> text)
    {
        LineReader lines = new(text);
        int checkedLines = 0;
        while (lines.TryReadLine(out ReadOnlySpan<char> line) && checkedLines++ < 200)
        {
            ReadOnlySpan<char> t = line.Trim();
            if (t.IsEmpty || t[0] is '#' or ';' or '[')
            {
                continue;
            }

            int eq = t.IndexOf('=');
            if (eq > 0 && t[..eq].Trim().Contains(' ') && SambaParameters.Find(t[..eq]) is not null)
            {
                return true;
            }
        }

        return false;
    }
}
