using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.QueryDirectory;

/// <summary>[MS-SMB2] 2.2.33 SMB2 QUERY_DIRECTORY Request.</summary>
public sealed class QueryDirectoryRequest : ISmb2Request
{
    public Smb2Command Command => Smb2Command.QueryDirectory;

    public const ushort StructureSize = 33;

    /// <summary>Length of the fixed part before the search pattern.</summary>
    public const int FixedLength = 32;

    public FileInformationClass FileInformationClass { get; init; } = FileInformationClass.FileDirectoryInformation;

    public QueryDirectoryFlags Flags { get; init; }

    public uint FileIndex { get; init; }

    public required Smb2FileId FileId { get; init; }

    /// <summary>Search pattern, e.g. "*".</summary>
    public string Pattern { get; init; } = "*";

    public uint OutputBufferLength { get; init; } = 65536;

    private int PatternLength => System.Text.Encoding.Unicode.GetByteCount(Pattern);

    public int GetEncodedLength() => FixedLength + Math.Max(PatternLength, 1);

    /// <summary>Writes the body (everything after the 64-byte header); returns the bytes written.</summary>
    public int WriteTo(Span<byte> body)
    {
        int patternLength = PatternLength;
        if (patternLength > ushort.MaxValue)
        {
            throw new ArgumentException("Pattern is longer than 65535 bytes in UTF-16.", nameof(body));
        }

        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteByte((byte)FileInformationClass);
        writer.WriteByte((byte)Flags);
        writer.WriteUInt32(FileIndex);
        FileId.Write(ref writer);
        writer.WriteUInt16(patternLength == 0 ? (ushort)0 : (ushort)(Smb2Header.Size + FixedLength));
        writer.WriteUInt16((ushort)patternLength);
        writer.WriteUInt32(OutputBufferLength);
        if (patternLength == 0)
        {
            writer.WriteByte(0);
        }
        else
        {
            System.Text.Encoding.Unicode.GetBytes(Pattern, writer.Reserve(patternLength));
        }

        return writer.Position;
    }

    public static QueryDirectoryRequest Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, "QUERY_DIRECTORY request");
        var infoClass = (FileInformationClass)reader.ReadByte();
        var flags = (QueryDirectoryFlags)reader.ReadByte();
        uint index = reader.ReadUInt32();
        Smb2FileId fileId = Smb2FileId.Read(ref reader);
        ushort nameOffset = reader.ReadUInt16();
        ushort nameLength = reader.ReadUInt16();
        uint outputLength = reader.ReadUInt32();
        ReadOnlySpan<byte> pattern = Smb2Body.GetBuffer(message, nameOffset, nameLength, Smb2Header.Size + FixedLength, "QUERY_DIRECTORY request FileNameOffset/FileNameLength");
        return new QueryDirectoryRequest
        {
            FileInformationClass = infoClass,
            Flags = flags,
            FileIndex = index,
            FileId = fileId,
            Pattern = Smb2Body.DecodeUtf16(pattern, "QUERY_DIRECTORY request FileName", nameOffset),
            OutputBufferLength = outputLength,
        };
    }
}

/// <summary>[MS-FSCC] 2.4 file information classes for directory queries.</summary>
public enum FileInformationClass : byte
{
    FileDirectoryInformation = 0x01,
    FileFullDirectoryInformation = 0x02,
    FileBothDirectoryInformation = 0x03,
    FileNamesInformation = 0x0C,
    FileIdBothDirectoryInformation = 0x25,
    FileIdFullDirectoryInformation = 0x26,
}

/// <summary>[MS-SMB2] 2.2.33 Flags.</summary>
[Flags]
public enum QueryDirectoryFlags : byte
{
    None = 0,
    RestartScans = 0x01,
    ReturnSingleEntry = 0x02,
    IndexSpecified = 0x04,
    Reopen = 0x10,
}
