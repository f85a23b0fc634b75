using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.31.1 SMB_COM_QUERY_INFORMATION2 Request (WordCount 1: the FID). Samba's client falls back
/// to it when TRANS2 QUERY_FILE_INFORMATION is not served.</summary>
public sealed class QueryInformation2Request : ISmb1Request
{
    public const byte CommandCode = 0x23;
    public const byte WordCount = 1;

    public byte Command => CommandCode;

    public required ushort Fid { get; init; }

    public int GetEncodedLength() => 1 + (WordCount * 2) + 2;

    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        writer.WriteUInt16(Fid);
        writer.WriteUInt16(0);
        return writer.Position;
    }

    public static QueryInformation2Request Parse(ReadOnlySpan<byte> message)
    {
        const string What = "QUERY_INFORMATION2 request";
        Smb1Body body = Smb1Body.Read(message, What, WordCount);
        SmbReader words = body.WordReader(What);
        return new QueryInformation2Request { Fid = words.ReadUInt16() };
    }
}

/// <summary>[MS-CIFS] 2.2.4.31.2 SMB_COM_QUERY_INFORMATION2 Response (WordCount 11): three SMB_DATE/SMB_TIME pairs
/// (local time in the protocol; SmbSign writes UTC), 32-bit sizes and the 16-bit SMB_FILE_ATTRIBUTES.</summary>
public sealed class QueryInformation2Response : ISmb1Response
{
    public const byte WordCount = 11;

    public DateTime CreationTime { get; init; }

    public DateTime LastAccessTime { get; init; }

    public DateTime LastWriteTime { get; init; }

    public uint FileDataSize { get; init; }

    public uint FileAllocationSize { get; init; }

    public ushort FileAttributes { get; init; }

    public int GetEncodedLength() => 1 + (WordCount * 2) + 2;

    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        foreach (DateTime time in new[] { CreationTime, LastAccessTime, LastWriteTime })
        {
            (ushort date, ushort clock) = ToSmbDateTime(time);
            writer.WriteUInt16(date);
            writer.WriteUInt16(clock);
        }

        writer.WriteUInt32(FileDataSize);
        writer.WriteUInt32(FileAllocationSize);
        writer.WriteUInt16(FileAttributes);
        writer.WriteUInt16(0); // ByteCount
        return writer.Position;
    }

    public static QueryInformation2Response Parse(ReadOnlySpan<byte> message)
    {
        const string What = "QUERY_INFORMATION2 response";
        Smb1Body body = Smb1Body.Read(message, What, WordCount);
        SmbReader words = body.WordReader(What);
        DateTime creation = FromSmbDateTime(words.ReadUInt16(), words.ReadUInt16());
        DateTime access = FromSmbDateTime(words.ReadUInt16(), words.ReadUInt16());
        DateTime write = FromSmbDateTime(words.ReadUInt16(), words.ReadUInt16());
        return new QueryInformation2Response
        {
            CreationTime = creation,
            LastAccessTime = access,
            LastWriteTime = write,
            FileDataSize = words.ReadUInt32(),
            FileAllocationSize = words.ReadUInt32(),
            FileAttributes = words.ReadUInt16(),
        };
    }

    /// <summary>[MS-CIFS] 2.2.1.4.1/2.2.1.4.2 SMB_DATE (year-1980:7, month:4, day:5) and SMB_TIME (hour:5, minute:6,
    /// seconds/2:5). Years outside 1980..2107 are clamped to the range the fields can hold.</summary>
    public static (ushort Date, ushort Time) ToSmbDateTime(DateTime time)
    {
        int year = Math.Clamp(time.Year, 1980, 2107);
        ushort date = (ushort)(((year - 1980) << 9) | (time.Month << 5) | time.Day);
        ushort clock = (ushort)((time.Hour << 11) | (time.Minute << 5) | (time.Second / 2));
        return (date, clock);
    }

    /// <summary>The inverse of <see cref="ToSmbDateTime"/>; an impossible date (month 0, day 31 in April, ...) or the zero
    /// value reads as <see cref="DateTime.MinValue"/>.</summary>
    public static DateTime FromSmbDateTime(ushort date, ushort time)
    {
        int year = 1980 + (date >> 9);
        int month = (date >> 5) & 0xF;
        int day = date & 0x1F;
        int hour = time >> 11;
        int minute = (time >> 5) & 0x3F;
        int second = (time & 0x1F) * 2;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return DateTime.MinValue;
        }

        return new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
    }
}
