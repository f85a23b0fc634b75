using SmbSign.Protocol.Buffers;
using SmbSign.Protocol.Smb2.QueryInfo;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.46.1 SMB_COM_TRANSACTION2 Request, primary form (WordCount 14 + SetupCount): the subcommand in
/// Setup[0], and the Trans2 parameters and data located by (offset, count) pairs that count from the header start. Only
/// requests whose parameters and data arrive whole are read (a secondary request would be needed otherwise).</summary>
public sealed class Transaction2Request
{
    public const byte CommandCode = 0x32;

    /// <summary>TRANS2_QUERY_FILE_INFORMATION ([MS-CIFS] 2.2.6.8).</summary>
    public const ushort QueryFileInformation = 0x0007;

    /// <summary>TRANS2_QUERY_PATH_INFORMATION ([MS-CIFS] 2.2.6.6).</summary>
    public const ushort QueryPathInformation = 0x0005;

    public required IReadOnlyList<ushort> Setup { get; init; }

    public ushort MaxParameterCount { get; init; }

    public ushort MaxDataCount { get; init; }

    public ReadOnlyMemory<byte> Parameters { get; init; }

    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>Setup[0], the Trans2 subcommand.</summary>
    public ushort Subcommand => Setup.Count > 0 ? Setup[0] : (ushort)0xFFFF;

    public static Transaction2Request Parse(ReadOnlySpan<byte> message)
    {
        const string What = "TRANSACTION2 request";
        if (message.Length < Smb1Body.Start + 1)
        {
            ThrowHelper.ThrowTruncated(What, message.Length, Smb1Body.Start + 1 - message.Length, 0);
        }

        byte wordCount = message[Smb1Body.Start];
        if (wordCount < 14)
        {
            ThrowHelper.ThrowInvalid($"{What}: WordCount is {wordCount}, expected 14 + SetupCount", Smb1Body.Start);
        }

        Smb1Body body = Smb1Body.Read(message, What, wordCount);
        SmbReader words = body.WordReader(What);
        ushort totalParameterCount = words.ReadUInt16();
        ushort totalDataCount = words.ReadUInt16();
        ushort maxParameterCount = words.ReadUInt16();
        ushort maxDataCount = words.ReadUInt16();
        words.Skip(1 + 1 + 2 + 4 + 2); // MaxSetupCount, Reserved1, Flags, Timeout, Reserved2
        ushort parameterCount = words.ReadUInt16();
        ushort parameterOffset = words.ReadUInt16();
        ushort dataCount = words.ReadUInt16();
        ushort dataOffset = words.ReadUInt16();
        byte setupCount = words.ReadByte();
        words.Skip(1);
        if (setupCount != wordCount - 14)
        {
            ThrowHelper.ThrowInvalid($"{What}: SetupCount {setupCount} does not match WordCount {wordCount} (14 + SetupCount)", Smb1Body.Start + 1 + 26);
        }

        ushort[] setup = new ushort[setupCount];
        for (int i = 0; i < setup.Length; i++)
        {
            setup[i] = words.ReadUInt16();
        }

        if (parameterCount != totalParameterCount || dataCount != totalDataCount)
        {
            ThrowHelper.ThrowInvalid(
                $"{What}: {parameterCount} of {totalParameterCount} parameter byte(s) and {dataCount} of {totalDataCount} data byte(s) in the primary request; secondary requests are not served",
                Smb1Body.Start + 1);
        }

        return new Transaction2Request
        {
            Setup = setup,
            MaxParameterCount = maxParameterCount,
            MaxDataCount = maxDataCount,
            Parameters = Section(body, parameterOffset, parameterCount, "ParameterOffset/ParameterCount"),
            Data = Section(body, dataOffset, dataCount, "DataOffset/DataCount"),
        };
    }

    /// <summary>A (offset, count) section, which must lie inside the data block (not in the header or the words).</summary>
    private static byte[] Section(Smb1Body body, ushort offset, ushort count, string field)
    {
        if (count == 0)
        {
            return [];
        }

        if (offset < body.BytesOffset || offset + count > body.BytesOffset + body.Bytes.Length)
        {
            ThrowHelper.ThrowBufferOutOfRange($"TRANSACTION2 request {field}", offset, count, body.BytesOffset + body.Bytes.Length);
        }

        return body.Bytes.Slice(offset - body.BytesOffset, count).ToArray();
    }
}

/// <summary>[MS-CIFS] 2.2.4.46.2 SMB_COM_TRANSACTION2 final Response (WordCount 10, no setup words): Trans2 parameters at
/// header offset 56 and data 4-byte aligned after them, all in one message.</summary>
public sealed class Transaction2Response : ISmb1Response
{
    public const byte WordCount = 10;

    /// <summary>Header offset of the parameters: the data block starts at 32 + 1 + 20 + 2 = 55; one pad byte aligns them to 56.</summary>
    private const int ParameterOffset = Smb1Body.Start + 1 + (WordCount * 2) + 2 + 1;

    public ReadOnlyMemory<byte> Parameters { get; init; }

    public ReadOnlyMemory<byte> Data { get; init; }

    private int DataOffset => (ParameterOffset + Parameters.Length + 3) & ~3;

    public int GetEncodedLength() => DataOffset - Smb1Body.Start + Data.Length;

    public int WriteTo(Span<byte> body)
    {
        if (Parameters.Length > ushort.MaxValue || Data.Length > ushort.MaxValue)
        {
            throw new ArgumentException("Parameters and Data must each fit a 16-bit count.", nameof(body));
        }

        int dataOffset = DataOffset;
        ushort byteCount = Smb1Body.CheckByteCount(GetEncodedLength() - (1 + (WordCount * 2) + 2), "TRANSACTION2 response");
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        writer.WriteUInt16((ushort)Parameters.Length); // TotalParameterCount
        writer.WriteUInt16((ushort)Data.Length); // TotalDataCount
        writer.WriteUInt16(0); // Reserved1
        writer.WriteUInt16((ushort)Parameters.Length);
        writer.WriteUInt16(ParameterOffset);
        writer.WriteUInt16(0); // ParameterDisplacement
        writer.WriteUInt16((ushort)Data.Length);
        writer.WriteUInt16(checked((ushort)dataOffset));
        writer.WriteUInt16(0); // DataDisplacement
        writer.WriteByte(0); // SetupCount
        writer.WriteByte(0); // Reserved2
        writer.WriteUInt16(byteCount);
        writer.WriteZeros(1); // Pad1
        writer.WriteBytes(Parameters.Span);
        writer.WriteZeros(dataOffset - ParameterOffset - Parameters.Length); // Pad2
        writer.WriteBytes(Data.Span);
        return writer.Position;
    }

    /// <summary>Reads a final response whose parameters and data are whole (for tests and clients).</summary>
    public static Transaction2Response Parse(ReadOnlySpan<byte> message)
    {
        const string What = "TRANSACTION2 response";
        Smb1Body body = Smb1Body.Read(message, What, WordCount);
        SmbReader words = body.WordReader(What);
        words.Skip(6);
        ushort parameterCount = words.ReadUInt16();
        ushort parameterOffset = words.ReadUInt16();
        words.Skip(2);
        ushort dataCount = words.ReadUInt16();
        ushort dataOffset = words.ReadUInt16();
        int end = body.BytesOffset + body.Bytes.Length;
        if (parameterCount > 0 && (parameterOffset < body.BytesOffset || parameterOffset + parameterCount > end))
        {
            ThrowHelper.ThrowBufferOutOfRange("TRANSACTION2 response ParameterOffset/ParameterCount", parameterOffset, parameterCount, end);
        }

        if (dataCount > 0 && (dataOffset < body.BytesOffset || dataOffset + dataCount > end))
        {
            ThrowHelper.ThrowBufferOutOfRange("TRANSACTION2 response DataOffset/DataCount", dataOffset, dataCount, end);
        }

        return new Transaction2Response
        {
            Parameters = parameterCount == 0 ? ReadOnlyMemory<byte>.Empty : message.Slice(parameterOffset, parameterCount).ToArray(),
            Data = dataCount == 0 ? ReadOnlyMemory<byte>.Empty : message.Slice(dataOffset, dataCount).ToArray(),
        };
    }
}

/// <summary>The TRANS2_QUERY_FILE_INFORMATION request parameters ([MS-CIFS] 2.2.6.8.1): FID and InformationLevel.</summary>
public readonly record struct QueryFileInformationParameters(ushort Fid, ushort InformationLevel)
{
    /// <summary>SMB_QUERY_FILE_BASIC_INFO ([MS-CIFS] 2.2.8.3.6).</summary>
    public const ushort QueryFileBasicInfo = 0x0101;

    /// <summary>SMB_QUERY_FILE_STANDARD_INFO ([MS-CIFS] 2.2.8.3.7).</summary>
    public const ushort QueryFileStandardInfo = 0x0102;

    /// <summary>SMB_QUERY_FILE_ALL_INFO ([MS-CIFS] 2.2.8.3.8): what Samba's client asks for before a read.</summary>
    public const ushort QueryFileAllInfo = 0x0107;

    public static QueryFileInformationParameters Parse(ReadOnlySpan<byte> parameters)
    {
        var reader = new SmbReader(parameters, "TRANS2_QUERY_FILE_INFORMATION parameters");
        return new QueryFileInformationParameters(reader.ReadUInt16(), reader.ReadUInt16());
    }

    /// <summary>The information for <see cref="InformationLevel"/>, or null for a level this encoder does not produce.
    /// Layouts: BASIC = four FILETIMEs, ExtFileAttributes, Reserved (40); STANDARD = AllocationSize, EndOfFile,
    /// NumberOfLinks, DeletePending, Directory, Reserved (24); ALL = BASIC, STANDARD, EaSize, FileNameLength, FileName (UTF-16).</summary>
    public static byte[]? Encode(ushort informationLevel, FileMetadata file)
    {
        int nameLength = System.Text.Encoding.Unicode.GetByteCount(file.Name);
        int length = informationLevel switch
        {
            QueryFileBasicInfo => 40,
            QueryFileStandardInfo => 24,
            QueryFileAllInfo => 40 + 24 + 4 + 4 + nameLength,
            _ => -1,
        };
        if (length < 0)
        {
            return null;
        }

        byte[] buffer = new byte[length];
        var writer = new SmbWriter(buffer);
        if (informationLevel != QueryFileStandardInfo)
        {
            writer.WriteUInt64((ulong)file.CreationTime);
            writer.WriteUInt64((ulong)file.LastAccessTime);
            writer.WriteUInt64((ulong)file.LastWriteTime);
            writer.WriteUInt64((ulong)file.ChangeTime);
            writer.WriteUInt32(file.FileAttributes);
            writer.WriteUInt32(0);
        }

        if (informationLevel != QueryFileBasicInfo)
        {
            writer.WriteUInt64(file.AllocationSize);
            writer.WriteUInt64(file.EndOfFile);
            writer.WriteUInt32(1); // NumberOfLinks
            writer.WriteByte(0); // DeletePending
            writer.WriteByte(file.IsDirectory ? (byte)1 : (byte)0);
            writer.WriteUInt16(0);
        }

        if (informationLevel == QueryFileAllInfo)
        {
            writer.WriteUInt32(0); // EaSize
            writer.WriteUInt32((uint)nameLength);
            System.Text.Encoding.Unicode.GetBytes(file.Name, writer.Reserve(nameLength));
        }

        return buffer;
    }
}
