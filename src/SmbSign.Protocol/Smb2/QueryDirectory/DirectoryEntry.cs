using SmbSign.Protocol.Buffers;

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

    /// <summary>Length of one encoded entry (unpadded) of <paramref name="informationClass"/>.</summary>
    public int GetEncodedLength(FileInformationClass informationClass) =>
        FixedLengthOf(informationClass) + System.Text.Encoding.Unicode.GetByteCount(FileName);

    /// <summary>Encodes <paramref name="entries"/> as a NextEntryOffset chain, each entry 8-byte aligned ([MS-FSCC] 2.4),
    /// for responders and tests. Only FileDirectoryInformation and FileIdBothDirectoryInformation.</summary>
    public static byte[] EncodeList(IReadOnlyList<DirectoryEntry> entries, FileInformationClass informationClass)
    {
        ArgumentNullException.ThrowIfNull(entries);
        int fixedLength = FixedLengthOf(informationClass);
        int total = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            int length = entries[i].GetEncodedLength(informationClass);
            total += i == entries.Count - 1 ? length : (length + 7) & ~7;
        }

        byte[] buffer = new byte[total];
        int position = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            DirectoryEntry entry = entries[i];
            int length = entry.GetEncodedLength(informationClass);
            int next = i == entries.Count - 1 ? 0 : (length + 7) & ~7;
            var writer = new SmbWriter(buffer.AsSpan(position, length));
            writer.WriteUInt32((uint)next);
            writer.WriteUInt32(entry.FileIndex);
            writer.WriteUInt64((ulong)entry.CreationTime);
            writer.WriteUInt64((ulong)entry.LastAccessTime);
            writer.WriteUInt64((ulong)entry.LastWriteTime);
            writer.WriteUInt64((ulong)entry.ChangeTime);
            writer.WriteUInt64(entry.EndOfFile);
            writer.WriteUInt64(entry.AllocationSize);
            writer.WriteUInt32(entry.FileAttributes);
            writer.WriteUInt32((uint)System.Text.Encoding.Unicode.GetByteCount(entry.FileName));
            if (informationClass == FileInformationClass.FileIdBothDirectoryInformation)
            {
                writer.WriteUInt32(0); // EaSize
                int shortLength = Math.Min(System.Text.Encoding.Unicode.GetByteCount(entry.ShortName), 24);
                writer.WriteByte((byte)shortLength);
                writer.WriteByte(0);
                Span<byte> shortName = writer.Reserve(24);
                System.Text.Encoding.Unicode.GetBytes(entry.ShortName.AsSpan(0, shortLength / 2), shortName);
                writer.WriteUInt16(0);
                writer.WriteUInt64(entry.FileId);
            }

            System.Text.Encoding.Unicode.GetBytes(entry.FileName, writer.Reserve(length - fixedLength));
            position += next;
        }

        return buffer;
    }

    private static int FixedLengthOf(FileInformationClass informationClass) => informationClass switch
    {
        FileInformationClass.FileDirectoryInformation => DirectoryInformationFixedLength,
        FileInformationClass.FileIdBothDirectoryInformation => IdBothDirectoryInformationFixedLength,
        _ => throw new ArgumentOutOfRangeException(nameof(informationClass), informationClass, "Only FileDirectoryInformation and FileIdBothDirectoryInformation are encoded."),
    };
}
