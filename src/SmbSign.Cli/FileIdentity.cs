using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using SmbSign.Protocol.Errors;

namespace SmbSign.Cli;

/// <summary>What a path names once symbolic links are followed.</summary>
internal enum FileKind
{
    /// <summary>Nothing there (or a dangling link).</summary>
    Missing,
    Regular,
    Directory,

    /// <summary>A named pipe: opening it for reading blocks until a writer appears.</summary>
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,

    /// <summary>Something exists, but this platform's file type could not be read.</summary>
    Unknown,
}

/// <summary>The identity of a file, independent of the name it was reached by (symbolic link, hard link, bind mount):
/// device and inode number on Unix (POSIX <c>stat</c>: <c>st_dev</c>, <c>st_ino</c>), volume serial number and file
/// index on Windows (<c>GetFileInformationByHandle</c>). Two paths name the same file exactly when both parts match.</summary>
internal readonly record struct FileIdentity(ulong Device, ulong FileId)
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxIno = 0x100;
    private const uint StatxSize = 0x200;
    private const int StatxBufferSize = 256;
    private const int MacStatBufferSize = 144;
    private const int ErrorNoEntry = 2;
    private const int ErrorNotDirectory = 20;

    /// <summary>Reads what <paramref name="path"/> names, following symbolic links. <paramref name="identity"/> is set
    /// for every kind but <see cref="FileKind.Missing"/> and <see cref="FileKind.Unknown"/>; Unknown means something
    /// exists but the platform gave no identity (an unsupported OS, a C library without the call, a permission error),
    /// so callers that must not be fooled treat it as "cannot tell".</summary>
    public static FileKind Probe(string path, out FileIdentity? identity)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        identity = null;
        string full = Path.GetFullPath(path);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                return ProbeWindows(full, out identity);
            }

            if (OperatingSystem.IsLinux())
            {
                return ProbeLinux(full, out identity);
            }

            if (OperatingSystem.IsMacOS())
            {
                return ProbeMac(full, out identity);
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // A C library without statx (musl before 1.2.5): fall through to "cannot tell".
        }

        return File.Exists(full) || Directory.Exists(full) ? FileKind.Unknown : FileKind.Missing;
    }

    public override string ToString() => $"{Device:x}:{FileId}";

    /// <summary>Linux statx(2): its <c>struct statx</c> has one layout on every architecture (unlike <c>struct stat</c>),
    /// and glibc falls back to fstatat on kernels older than 4.11.</summary>
    private static FileKind ProbeLinux(string full, out FileIdentity? identity)
    {
        identity = null;
        byte[] buffer = new byte[StatxBufferSize];
        if (LinuxStatx(AtFdCwd, NulTerminated(full), 0, StatxType | StatxMode | StatxIno | StatxSize, buffer) != 0)
        {
            return Failed(full, Marshal.GetLastPInvokeError());
        }

        uint mask = BitConverter.ToUInt32(buffer, 0);
        if ((mask & (StatxType | StatxIno)) != (StatxType | StatxIno))
        {
            return FileKind.Unknown;
        }

        // struct statx: stx_mode u16 @28, stx_ino u64 @32, stx_size u64 @40, stx_dev_major u32 @136, stx_dev_minor u32 @140.
        ushort mode = BitConverter.ToUInt16(buffer, 28);
        ulong inode = BitConverter.ToUInt64(buffer, 32);
        ulong size = BitConverter.ToUInt64(buffer, 40);
        ulong device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
        return Classify(full, mode, device, inode, size, out identity);
    }

    /// <summary>macOS stat(2) with 64-bit inodes (<c>stat</c> on arm64, <c>stat$INODE64</c> on x64): st_dev i32 @0,
    /// st_mode u16 @4, st_ino u64 @8, st_size i64 @96.</summary>
    private static FileKind ProbeMac(string full, out FileIdentity? identity)
    {
        identity = null;
        byte[] buffer = new byte[MacStatBufferSize];
        byte[] name = NulTerminated(full);
        int result = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? MacStatX64(name, buffer) : MacStat(name, buffer);
        if (result != 0)
        {
            return Failed(full, Marshal.GetLastPInvokeError());
        }

        ushort mode = BitConverter.ToUInt16(buffer, 4);
        ulong device = BitConverter.ToUInt32(buffer, 0);
        ulong inode = BitConverter.ToUInt64(buffer, 8);
        ulong size = BitConverter.ToUInt64(buffer, 96);
        return Classify(full, mode, device, inode, size, out identity);
    }

    private static FileKind Classify(string full, ushort mode, ulong device, ulong inode, ulong size, out FileIdentity? identity)
    {
        identity = null;
        FileKind kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };

        // The layout is read from raw bytes, so check it against what .NET itself reports before trusting the identity:
        // a mismatch (a platform whose layout differs) gives "cannot tell", never a wrong answer.
        if (kind == FileKind.Regular && FollowLinks(new FileInfo(full)) is { Exists: true } info && (ulong)info.Length != size)
        {
            return FileKind.Unknown;
        }

        if (kind == FileKind.Directory && !Directory.Exists(full))
        {
            return FileKind.Unknown;
        }

        identity = new FileIdentity(device, inode);
        return kind;
    }

    /// <summary>FileInfo reports a symbolic link's own length; the check needs the target's.</summary>
    private static FileInfo? FollowLinks(FileInfo info) =>
        info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;

    private static FileKind Failed(string full, int errno) =>
        errno is ErrorNoEntry or ErrorNotDirectory ? FileKind.Missing
        : File.Exists(full) || Directory.Exists(full) ? FileKind.Unknown : FileKind.Missing;

    private static FileKind ProbeWindows(string full, out FileIdentity? identity)
    {
        identity = null;
        if (Directory.Exists(full))
        {
            return FileKind.Directory;
        }

        if (!File.Exists(full))
        {
            return FileKind.Missing;
        }

        try
        {
            using SafeFileHandle handle = File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (!WindowsGetFileInformationByHandle(handle, out WindowsFileInformation information))
            {
                return FileKind.Unknown;
            }

            identity = new FileIdentity(information.VolumeSerialNumber, ((ulong)information.FileIndexHigh << 32) | information.FileIndexLow);
            return FileKind.Regular;
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            return FileKind.Unknown;
        }
    }

    private static byte[] NulTerminated(string path)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int LinuxStatx(int directory, byte[] path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MacStat(byte[] path, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "stat$INODE64", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MacStatX64(byte[] path, [Out] byte[] buffer);

    [DllImport("kernel32.dll", EntryPoint = "GetFileInformationByHandle", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool WindowsGetFileInformationByHandle(SafeFileHandle file, out WindowsFileInformation information);

    /// <summary>BY_HANDLE_FILE_INFORMATION (the FILETIMEs as pairs of DWORDs).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct WindowsFileInformation
    {
        public uint FileAttributes;
        public uint CreationTimeLow;
        public uint CreationTimeHigh;
        public uint LastAccessTimeLow;
        public uint LastAccessTimeHigh;
        public uint LastWriteTimeLow;
        public uint LastWriteTimeHigh;
        public uint VolumeSerialNumber;
        public uint FileSizeHigh;
        public uint FileSizeLow;
        public uint NumberOfLinks;
        public uint FileIndexHigh;
        public uint FileIndexLow;
    }
}
