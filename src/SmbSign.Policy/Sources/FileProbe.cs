using System.Runtime.InteropServices;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Sources;

/// <summary>What kind of file system object a path names.</summary>
internal enum FileKind
{
    /// <summary>Nothing there (or a dangling symbolic link).</summary>
    Missing,

    /// <summary>A regular file: the only kind SmbSign reads.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A named pipe (FIFO): opening it for reading blocks until a writer appears, reading it may never end.</summary>
    Fifo,

    /// <summary>A character device (<c>/dev/zero</c>, a terminal): endless or interactive.</summary>
    CharacterDevice,

    /// <summary>A block device (a disk).</summary>
    BlockDevice,

    /// <summary>A Unix domain socket.</summary>
    Socket,

    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,

    /// <summary>The kind could not be determined (the path exists but is not accessible, or the platform gives no answer).</summary>
    Unknown,
}

/// <summary>Device and inode of a file: equal identities are the same file, whatever path (symbolic link, hard link,
/// <c>..</c>) led there.</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode);

/// <summary>The result of <see cref="FileProbe.Probe"/>.</summary>
/// <param name="Identity">Null where the platform gives none (then callers compare resolved paths).</param>
/// <param name="Reason">For <see cref="FileKind.Missing"/> and <see cref="FileKind.Unknown"/>: why, in a few words.</param>
internal readonly record struct FileProbeResult(FileKind Kind, FileIdentity? Identity, long Size, string? Reason)
{
    /// <summary>A short phrase for messages ("a named pipe (FIFO)").</summary>
    public string DescribeKind() => Kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Missing => "missing",
        _ => "of unknown kind",
    };
}

/// <summary>
/// Asks the file system what a path is <em>before</em> it is opened: opening a FIFO blocks until some other process
/// writes to it, and a character device such as <c>/dev/zero</c> never ends, so a reader must refuse both by kind, not by
/// what reading them does. On Linux this is <c>statx(2)</c> (its result layout is the same on every architecture); on
/// Windows (no FIFOs or devices reachable as files by a path a user would give) the .NET attributes are enough; on other
/// systems the kind comes from .NET and there is no identity.
/// </summary>
internal static class FileProbe
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxIno = 0x100;
    private const uint StatxSize = 0x200;
    private const int StatxBufferSize = 256;

    private static bool s_statxMissing;

    /// <summary>Probes <paramref name="path"/>; <paramref name="followLinks"/> false reports a link itself as
    /// <see cref="FileKind.SymbolicLink"/>.</summary>
    public static FileProbeResult Probe(string path, bool followLinks = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsLinux() && !s_statxMissing)
        {
            try
            {
                return ProbeLinux(path, followLinks);
            }
            catch (EntryPointNotFoundException)
            {
                s_statxMissing = true; // a libc without statx (glibc < 2.28): fall back to .NET
            }
            catch (DllNotFoundException)
            {
                s_statxMissing = true;
            }
        }

        return ProbeManaged(path, followLinks);
    }

    /// <summary>A key that is equal for two paths to the same folder: its device and inode where the platform gives them,
    /// else its path with every symbolic link resolved. Null when the folder cannot be examined.</summary>
    public static object? FolderKey(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileProbeResult probe = Probe(path);
        if (probe.Identity is { } identity)
        {
            return identity;
        }

        try
        {
            return RealPath(Path.GetFullPath(path));
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            return null;
        }
    }

    /// <summary>The path with each component's symbolic link (or junction) resolved, from the root down.</summary>
    private static string RealPath(string full)
    {
        string? parent = Path.GetDirectoryName(full);
        string resolvedParent = parent is null ? full : RealPath(parent);
        string current = parent is null ? full : Path.Combine(resolvedParent, Path.GetFileName(full));
        if (parent is not null && new DirectoryInfo(current).ResolveLinkTarget(returnFinalTarget: true) is { } target)
        {
            current = RealPath(Path.GetFullPath(target.FullName));
        }

        return OperatingSystem.IsWindows() ? current.ToUpperInvariant() : current;
    }

    /// <summary>
    /// The path as the file system spells it when its name is not valid UTF-8: .NET decodes such names (on the command line
    /// and in folder listings) with U+FFFD for each bad sequence, so the file cannot be opened by the decoded name, and
    /// "does not exist" would be a lie. On Linux the folder is listed byte by byte and the name shown with its bad bytes
    /// escaped (<c>ws-\xFF.reg</c>); elsewhere, or when no entry matches, the path is returned as it is.
    /// </summary>
    public static string Escaped(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.Contains('\uFFFD', StringComparison.Ordinal) || !OperatingSystem.IsLinux())
        {
            return path;
        }

        string name = Path.GetFileName(path);
        string? folder = Path.GetDirectoryName(path);
        string listed = string.IsNullOrEmpty(folder) ? "." : folder;
        if (name.Length == 0 || listed.Contains('\uFFFD', StringComparison.Ordinal))
        {
            return path;
        }

        try
        {
            IntPtr dir = OpenDir(listed);
            if (dir == IntPtr.Zero)
            {
                return path;
            }

            try
            {
                byte[] buffer = new byte[256];
                IntPtr entry;
                while ((entry = ReadDir(dir)) != IntPtr.Zero)
                {
                    // struct dirent64: d_ino u64, d_off i64, d_reclen u16, d_type u8, then d_name (NUL-terminated, at most 256).
                    ReadOnlySpan<byte> raw = NameOf(entry, buffer);
                    if (!System.Text.Unicode.Utf8.IsValid(raw) && string.Equals(System.Text.Encoding.UTF8.GetString(raw), name, StringComparison.Ordinal))
                    {
                        return Path.Join(folder, EscapeBytes(raw));
                    }
                }
            }
            finally
            {
                _ = CloseDir(dir);
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // no byte-level listing here
        }

        return path;
    }

    private static ReadOnlySpan<byte> NameOf(IntPtr entry, byte[] buffer)
    {
        int length = 0;
        byte b;
        while (length < buffer.Length && (b = Marshal.ReadByte(entry, 19 + length)) != 0)
        {
            buffer[length++] = b;
        }

        return buffer.AsSpan(0, length);
    }

    /// <summary>UTF-8 text as is, each byte of an invalid sequence as <c>\xNN</c>.</summary>
    private static string EscapeBytes(ReadOnlySpan<byte> raw)
    {
        System.Text.StringBuilder text = new();
        while (!raw.IsEmpty)
        {
            System.Buffers.OperationStatus status = System.Text.Rune.DecodeFromUtf8(raw, out System.Text.Rune rune, out int consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                text.Append(rune.ToString());
            }
            else
            {
                for (int i = 0; i < consumed; i++)
                {
                    text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{raw[i]:X2}");
                }
            }

            raw = raw[consumed..];
        }

        return text.ToString();
    }

    private static FileProbeResult ProbeLinux(string path, bool followLinks)
    {
        // On the stack: a fleet folder is probed once per file, and a heap buffer per call was 35 MB of garbage at
        // 125,000 files. The struct is passed by reference to its first byte (blittable, so pinned by the marshaller).
        Span<byte> buffer = stackalloc byte[StatxBufferSize];
        int rc = Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxIno | StatxSize, ref MemoryMarshal.GetReference(buffer));
        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                2 => new(FileKind.Missing, null, 0, "it does not exist"), // ENOENT
                20 => new(FileKind.Missing, null, 0, "a part of the path is not a folder"), // ENOTDIR
                13 => new(FileKind.Unknown, null, 0, "access is denied"), // EACCES
                40 => new(FileKind.Unknown, null, 0, "too many levels of symbolic links"), // ELOOP
                36 => new(FileKind.Unknown, null, 0, "the path is too long"), // ENAMETOOLONG
                _ => new(FileKind.Unknown, null, 0, "an I/O error occurred"),
            };
        }

        // struct statx: stx_mode u16 at 28, stx_ino u64 at 32, stx_size u64 at 40, stx_dev_major/minor u32 at 136/140.
        ReadOnlySpan<byte> stat = buffer;
        int mode = MemoryMarshal.Read<ushort>(stat[28..]);
        ulong inode = MemoryMarshal.Read<ulong>(stat[32..]);
        long size = (long)Math.Min(MemoryMarshal.Read<ulong>(stat[40..]), long.MaxValue);
        ulong device = ((ulong)MemoryMarshal.Read<uint>(stat[136..]) << 32) | MemoryMarshal.Read<uint>(stat[140..]);
        FileKind kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Unknown,
        };
        return new(kind, new FileIdentity(device, inode), size, kind == FileKind.Unknown ? "the file system reports an unknown file type" : null);
    }

    private static FileProbeResult ProbeManaged(string path, bool followLinks)
    {
        try
        {
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            if (!info.Exists)
            {
                return new(FileKind.Missing, null, 0, "it does not exist");
            }

            if (!followLinks && info.LinkTarget is not null)
            {
                return new(FileKind.SymbolicLink, null, 0, null);
            }

            if (followLinks && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { Exists: false })
            {
                return new(FileKind.Missing, null, 0, "it is a symbolic link to a file that does not exist");
            }

            if (info is DirectoryInfo)
            {
                return new(FileKind.Directory, null, 0, null);
            }

            return (info.Attributes & FileAttributes.Device) != 0
                ? new(FileKind.CharacterDevice, null, 0, null)
                : new(FileKind.Regular, null, ((FileInfo)info).Length, null);
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            return new(FileKind.Unknown, null, 0, SourceFiles.Describe(e));
        }
    }

    [DllImport("libc", EntryPoint = "opendir", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr OpenDir([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport("libc", EntryPoint = "readdir64", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr ReadDir(IntPtr dir);

    [DllImport("libc", EntryPoint = "closedir", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CloseDir(IntPtr dir);

    /// <summary><c>int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)</c> (glibc 2.28+).</summary>
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte buffer);
}
