using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.QueryInfo;

/// <summary>[MS-SMB2] 2.2.37 QUERY_INFO InfoType.</summary>
public enum QueryInfoType : byte
{
    File = 0x01,
    FileSystem = 0x02,
    Security = 0x03,
    Quota = 0x04,
}

/// <summary>[MS-SMB2] 2.2.37 SMB2 QUERY_INFO Request. The input buffer (quota and EA queries) is range-checked and kept raw.</summary>
public sealed class QueryInfoRequest : ISmb2Request
{
    public const ushort StructureSize = 41;

    /// <summary>Length of the fixed part before the buffer (StructureSize 41 counts one buffer byte).</summary>
    public const int FixedLength = 40;

    public Smb2Command Command => Smb2Command.QueryInfo;

    public QueryInfoType InfoType { get; init; } = QueryInfoType.File;

    /// <summary>[MS-FSCC] 2.4 (files) or 2.5 (file systems) information class; 0 for security and quota.</summary>
    public byte FileInfoClass { get; init; }

    public uint OutputBufferLength { get; init; } = 65536;

    /// <summary>Security: which parts of the descriptor ([MS-SMB2] 2.2.37 AdditionalInformation).</summary>
    public uint AdditionalInformation { get; init; }

    public uint Flags { get; init; }

    public required Smb2FileId FileId { get; init; }

    public ReadOnlyMemory<byte> Input { get; init; }

    public int GetEncodedLength() => FixedLength + Math.Max(Input.Length, 1);

    /// <summary>Writes the body (everything after the 64-byte header); returns the bytes written.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteByte((byte)InfoType);
        writer.WriteByte(FileInfoClass);
        writer.WriteUInt32(OutputBufferLength);
        writer.WriteUInt16(Input.IsEmpty ? (ushort)0 : (ushort)(Smb2Header.Size + FixedLength));
        writer.WriteUInt16(0);
        writer.WriteUInt32((uint)Input.Length);
        writer.WriteUInt32(AdditionalInformation);
        writer.WriteUInt32(Flags);
        FileId.Write(ref writer);
        if (Input.IsEmpty)
        {
            writer.WriteByte(0);
        }
        else
        {
            writer.WriteBytes(Input.Span);
        }

        return writer.Position;
    }

    /// <summary>Reads a QUERY_INFO request (header included).</summary>
    public static QueryInfoRequest Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, "QUERY_INFO request");
        var infoType = (QueryInfoType)reader.ReadByte();
        byte infoClass = reader.ReadByte();
        uint outputLength = reader.ReadUInt32();
        ushort inputOffset = reader.ReadUInt16();
        reader.Skip(2);
        uint inputLength = reader.ReadUInt32();
        uint additional = reader.ReadUInt32();
        uint flags = reader.ReadUInt32();
        Smb2FileId fileId = Smb2FileId.Read(ref reader);
        ReadOnlySpan<byte> input = Smb2Body.GetBuffer(message, inputOffset, inputLength, Smb2Header.Size + FixedLength, "QUERY_INFO request InputBufferOffset/InputBufferLength");
        return new QueryInfoRequest
        {
            InfoType = infoType,
            FileInfoClass = infoClass,
            OutputBufferLength = outputLength,
            AdditionalInformation = additional,
            Flags = flags,
            FileId = fileId,
            Input = input.ToArray(),
        };
    }
}
