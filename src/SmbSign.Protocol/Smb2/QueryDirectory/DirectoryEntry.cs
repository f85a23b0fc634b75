using SmbSign.Protocol.Encoding;

namespace SmbSign.Protocol.Smb2.QueryDirectory;

/// <summary>One entry of a directory listing: [MS-FSCC] 2.4.10 FileDirectoryInformation or 2.4.17
/// FileIdBothDirectoryInformation (the common fields; FileId and ShortName for the latter).</summary>
public sealed record DirectoryEntry(
    string FileName,
    uint FileIndex,
    long CreationTime,
    long LastAccessTime,
    long LastWriteTime,
    long ChangeTime,
    ulong EndOfFile,
    ulong AllocationSize,
    uint FileAttributes,
    ulong FileId,
    string ShortName)
{
    /// <summary>Fixed size of FileDirectoryInformation before FileName.</summary>
    public const int DirectoryInformationFixedLength = 64;

    /// <summary>Fixed size of FileIdBothDirectoryInformation before FileName.</summary>
    public const int IdBothDirectoryInformationFixedLength = 104;

    /// <summary>An upper bound that keeps a hostile listing from allocating without end.</summary>
    public const int MaxEntries = 65536;

    public bool IsDirectory => (FileAttributes & 0x10) != 0;

    /// <summary>Walks the NextEntryOffset chain. Every entry must lie inside <paramref name="buffer"/>, offsets must move
    /// forward and be 8-byte aligned ([MS-FSCC] 2.4: entries are 8-byte aligned).</summary>
    public static IReadOnlyList<DirectoryEntry> ParseList(ReadOnlySpan<byte> buffer, FileInformationClass informationClass)
    {
        int fixedLength = informationClass switch
        {
            FileInformationClass.FileDirectoryInformation => DirectoryInformationFixedLength,
            FileInformationClass.FileIdBothDirectoryInformation => IdBothDirectoryInformationFixedLength,
            _ => throw new ArgumentOutOfRangeException(nameof(informationClass), informationClass, "Only FileDirectoryInformation and FileIdBothDirectoryInformation are decoded."),
        };
        var entries = new List<DirectoryEntry>();
        int position = 0;
        if (buffer.IsEmpty)
        {
            return entries;
        }

        while (true)
        {
            if (entries.Count >= MaxEntries)
            {
                ThrowHelper.ThrowInvalid($"directory listing: more than {MaxEntries} entries", position);
            }

            if (buffer.Length - position < fixedLength)
            {
                ThrowHelper.ThrowTruncated($"directory entry {entries.Count}", position, fixedLength, buffer.Length - position);
            }

            var reader = new SmbReader(buffer, $"directory entry {entries.Count}", position);
            uint next = reader.ReadUInt32();
            uint fileIndex = reader.ReadUInt32();
            long creation = (long)reader.ReadUInt64();
            long access = (long)reader.ReadUInt64();
            long write = (long)reader.ReadUInt64();
            long change = (long)reader.ReadUInt64();
            ulong endOfFile = reader.ReadUInt64();
            ulong allocation = reader.ReadUInt64();
            uint attributes = reader.ReadUInt32();
            uint nameLength = reader.ReadUInt32();
            ulong fileId = 0;
            string shortName = string.Empty;
            if (informationClass == FileInformationClass.FileIdBothDirectoryInformation)
            {
                reader.Skip(4); // EaSize
                byte shortNameLength = reader.ReadByte();
                reader.Skip(1);
                ReadOnlySpan<byte> shortNameBytes = reader.ReadBytes(24);
                if (shortNameLength > 24)
                {
                    ThrowHelper.ThrowInvalid($"directory entry {entries.Count}: ShortNameLength {shortNameLength} exceeds 24", position + 70);
                }

                shortName = Smb2Body.DecodeUtf16(shortNameBytes[..shortNameLength], "directory entry ShortName", position + 72);
                reader.Skip(2);
                fileId = reader.ReadUInt64();
            }

            int nameStart = position + fixedLength;
            uint limit = next == 0 ? (uint)(buffer.Length - position) : next;
            if ((ulong)fixedLength + nameLength > limit || (ulong)nameStart + nameLength > (ulong)buffer.Length)
            {
                ThrowHelper.ThrowBufferOutOfRange($"directory entry {entries.Count} FileNameLength", (ulong)nameStart, nameLength, buffer.Length);
            }

            string name = Smb2Body.DecodeUtf16(buffer.Slice(nameStart, (int)nameLength), "directory entry FileName", nameStart);
            entries.Add(new DirectoryEntry(name, fileIndex, creation, access, write, change, endOfFile, allocation, attributes, fileId, shortName));
            if (next == 0)
            {
                return entries;
            }

            if ((next & 7) != 0 || next > (uint)(buffer.Length - position))
            {
                ThrowHelper.ThrowInvalid($"directory entry {entries.Count - 1}: NextEntryOffset {next} is misaligned or runs past the {buffer.Length}-byte buffer", position);
            }

            position += (int)next;
        }
    }
}
