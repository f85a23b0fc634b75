using SmbSign.Protocol.Buffers;
using TextEncoding = System.Text.Encoding;

namespace SmbSign.Protocol.Smb2.QueryInfo;

/// <summary>The metadata of one file or directory that the [MS-FSCC] information classes report. Times are FILETIMEs.</summary>
public readonly record struct FileMetadata(
    string Name,
    long CreationTime,
    long LastAccessTime,
    long LastWriteTime,
    long ChangeTime,
    ulong EndOfFile,
    ulong AllocationSize,
    uint FileAttributes,
    ulong FileId)
{
    /// <summary>FILE_ATTRIBUTE_DIRECTORY ([MS-FSCC] 2.6).</summary>
    public const uint DirectoryAttribute = 0x10;

    /// <summary>FILE_ATTRIBUTE_READONLY.</summary>
    public const uint ReadOnlyAttribute = 0x01;

    public bool IsDirectory => (FileAttributes & DirectoryAttribute) != 0;
}

/// <summary>Encoders for the [MS-FSCC] 2.4 file and 2.5 file system information classes a read-only responder answers
/// (for responders and tests). <see cref="TryEncodeFile"/> and <see cref="TryEncodeFileSystem"/> return false for a class
/// they do not produce.</summary>
public static class FileInformation
{
    public const byte FileBasicInformation = 4;
    public const byte FileStandardInformation = 5;
    public const byte FileInternalInformation = 6;
    public const byte FileEaInformation = 7;
    public const byte FileAccessInformation = 8;
    public const byte FileNameInformation = 9;
    public const byte FilePositionInformation = 14;
    public const byte FileModeInformation = 16;
    public const byte FileAlignmentInformation = 17;
    public const byte FileAllInformation = 18;
    public const byte FileStreamInformation = 22;
    public const byte FileNetworkOpenInformation = 34;
    public const byte FileAttributeTagInformation = 35;

    public const byte FileFsVolumeInformation = 1;
    public const byte FileFsSizeInformation = 3;
    public const byte FileFsDeviceInformation = 4;
    public const byte FileFsAttributeInformation = 5;
    public const byte FileFsFullSizeInformation = 7;

    /// <summary>Encodes file information class <paramref name="infoClass"/> for <paramref name="file"/>, granted <paramref name="accessMask"/>.</summary>
    public static bool TryEncodeFile(byte infoClass, FileMetadata file, uint accessMask, out byte[] buffer)
    {
        string name = "\\" + file.Name;
        int nameBytes = TextEncoding.Unicode.GetByteCount(name);
        buffer = infoClass switch
        {
            FileBasicInformation => new byte[40],
            FileStandardInformation => new byte[24],
            FileInternalInformation => new byte[8],
            FileEaInformation or FileAccessInformation or FileModeInformation or FileAlignmentInformation => new byte[4],
            FilePositionInformation => new byte[8],
            FileNameInformation => new byte[4 + nameBytes],
            FileAllInformation => new byte[100 + nameBytes],
            FileStreamInformation => file.IsDirectory ? [] : new byte[24 + TextEncoding.Unicode.GetByteCount("::$DATA")],
            FileNetworkOpenInformation => new byte[56],
            FileAttributeTagInformation => new byte[8],
            _ => null!,
        };
        if (buffer is null)
        {
            buffer = [];
            return false;
        }

        var writer = new SmbWriter(buffer);
        switch (infoClass)
        {
            case FileBasicInformation:
                WriteBasic(ref writer, file);
                break;
            case FileStandardInformation:
                WriteStandard(ref writer, file);
                break;
            case FileInternalInformation:
                writer.WriteUInt64(file.FileId);
                break;
            case FileAccessInformation:
                writer.WriteUInt32(accessMask);
                break;
            case FileNameInformation:
                WriteName(ref writer, name);
                break;
            case FileAllInformation:
                // [MS-FSCC] 2.4.2: Basic, Standard, Internal, Ea, Access, Position, Mode, Alignment, Name.
                WriteBasic(ref writer, file);
                WriteStandard(ref writer, file);
                writer.WriteUInt64(file.FileId);
                writer.WriteUInt32(0);
                writer.WriteUInt32(accessMask);
                writer.WriteUInt64(0);
                writer.WriteUInt32(0);
                writer.WriteUInt32(0);
                WriteName(ref writer, name);
                break;
            case FileStreamInformation when !file.IsDirectory:
                writer.WriteUInt32(0);
                writer.WriteUInt32((uint)TextEncoding.Unicode.GetByteCount("::$DATA"));
                writer.WriteUInt64(file.EndOfFile);
                writer.WriteUInt64(file.AllocationSize);
                TextEncoding.Unicode.GetBytes("::$DATA", writer.Reserve(TextEncoding.Unicode.GetByteCount("::$DATA")));
                break;
            case FileNetworkOpenInformation:
                writer.WriteUInt64((ulong)file.CreationTime);
                writer.WriteUInt64((ulong)file.LastAccessTime);
                writer.WriteUInt64((ulong)file.LastWriteTime);
                writer.WriteUInt64((ulong)file.ChangeTime);
                writer.WriteUInt64(file.AllocationSize);
                writer.WriteUInt64(file.EndOfFile);
                writer.WriteUInt32(file.FileAttributes);
                writer.WriteUInt32(0);
                break;
            case FileAttributeTagInformation:
                writer.WriteUInt32(file.FileAttributes);
                writer.WriteUInt32(0);
                break;
            default:
                // Ea, Position, Mode, Alignment: all zero.
                break;
        }

        return true;
    }

    /// <summary>Encodes file system information class <paramref name="infoClass"/> of a small read-only NTFS-like volume.</summary>
    public static bool TryEncodeFileSystem(byte infoClass, string volumeLabel, long volumeCreationTime, out byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(volumeLabel);
        switch (infoClass)
        {
            case FileFsVolumeInformation:
            {
                int labelBytes = TextEncoding.Unicode.GetByteCount(volumeLabel);
                buffer = new byte[18 + labelBytes];
                var writer = new SmbWriter(buffer);
                writer.WriteUInt64((ulong)volumeCreationTime);
                writer.WriteUInt32(0x5349_474E);
                writer.WriteUInt32((uint)labelBytes);
                writer.WriteByte(0);
                writer.WriteByte(0);
                TextEncoding.Unicode.GetBytes(volumeLabel, writer.Reserve(labelBytes));
                return true;
            }

            case FileFsSizeInformation:
            {
                buffer = new byte[24];
                var writer = new SmbWriter(buffer);
                writer.WriteUInt64(1024);
                writer.WriteUInt64(0);
                writer.WriteUInt32(8);
                writer.WriteUInt32(512);
                return true;
            }

            case FileFsDeviceInformation:
            {
                buffer = new byte[8];
                var writer = new SmbWriter(buffer);
                writer.WriteUInt32(0x07); // FILE_DEVICE_DISK
                writer.WriteUInt32(0);
                return true;
            }

            case FileFsAttributeInformation:
            {
                int nameBytes = TextEncoding.Unicode.GetByteCount("NTFS");
                buffer = new byte[12 + nameBytes];
                var writer = new SmbWriter(buffer);
                writer.WriteUInt32(0x0008_0003); // CASE_SENSITIVE_SEARCH | CASE_PRESERVED_NAMES | READ_ONLY_VOLUME
                writer.WriteUInt32(255);
                writer.WriteUInt32((uint)nameBytes);
                TextEncoding.Unicode.GetBytes("NTFS", writer.Reserve(nameBytes));
                return true;
            }

            case FileFsFullSizeInformation:
            {
                buffer = new byte[32];
                var writer = new SmbWriter(buffer);
                writer.WriteUInt64(1024);
                writer.WriteUInt64(0);
                writer.WriteUInt64(0);
                writer.WriteUInt32(8);
                writer.WriteUInt32(512);
                return true;
            }

            default:
                buffer = [];
                return false;
        }
    }

    private static void WriteBasic(ref SmbWriter writer, FileMetadata file)
    {
        writer.WriteUInt64((ulong)file.CreationTime);
        writer.WriteUInt64((ulong)file.LastAccessTime);
        writer.WriteUInt64((ulong)file.LastWriteTime);
        writer.WriteUInt64((ulong)file.ChangeTime);
        writer.WriteUInt32(file.FileAttributes);
        writer.WriteUInt32(0);
    }

    private static void WriteStandard(ref SmbWriter writer, FileMetadata file)
    {
        writer.WriteUInt64(file.AllocationSize);
        writer.WriteUInt64(file.EndOfFile);
        writer.WriteUInt32(1);
        writer.WriteByte(0);
        writer.WriteByte(file.IsDirectory ? (byte)1 : (byte)0);
        writer.WriteUInt16(0);
    }

    private static void WriteName(ref SmbWriter writer, string name)
    {
        int length = TextEncoding.Unicode.GetByteCount(name);
        writer.WriteUInt32((uint)length);
        TextEncoding.Unicode.GetBytes(name, writer.Reserve(length));
    }
}
