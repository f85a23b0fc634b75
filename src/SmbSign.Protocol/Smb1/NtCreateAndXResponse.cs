using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.64.2 SMB_COM_NT_CREATE_ANDX Response (WordCount 34). The [MS-SMB] 2.2.4.9.2 extended
/// response (WordCount 42; Samba announces 42 but may send fewer trailing words) is accepted and its extra words ignored.</summary>
public sealed class NtCreateAndXResponse : ISmb1Response
{
    /// <summary>The [MS-CIFS] form this class writes.</summary>
    public const byte WordCount = 34;

    public byte OplockLevel { get; init; }

    public ushort Fid { get; init; }

    public uint CreateDisposition { get; init; }

    public long CreationTime { get; init; }

    public long LastAccessTime { get; init; }

    public long LastWriteTime { get; init; }

    public long LastChangeTime { get; init; }

    public uint ExtFileAttributes { get; init; }

    public ulong AllocationSize { get; init; }

    public ulong EndOfFile { get; init; }

    public ushort ResourceType { get; init; }

    public bool Directory { get; init; }

    public int GetEncodedLength() => 1 + (WordCount * 2) + 2;

    /// <summary>Writes the WordCount 34 form ([MS-CIFS] 2.2.4.64.2), which every client accepts even when it asked for the
    /// extended response; NMPipeStatus 0 (a disk file or directory), ByteCount 0.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        Smb1Body.WriteNoAndX(ref writer);
        writer.WriteByte(OplockLevel);
        writer.WriteUInt16(Fid);
        writer.WriteUInt32(CreateDisposition);
        writer.WriteUInt64((ulong)CreationTime);
        writer.WriteUInt64((ulong)LastAccessTime);
        writer.WriteUInt64((ulong)LastWriteTime);
        writer.WriteUInt64((ulong)LastChangeTime);
        writer.WriteUInt32(ExtFileAttributes);
        writer.WriteUInt64(AllocationSize);
        writer.WriteUInt64(EndOfFile);
        writer.WriteUInt16(ResourceType);
        writer.WriteUInt16(0); // NMPipeStatus
        writer.WriteByte(Directory ? (byte)1 : (byte)0);
        writer.WriteUInt16(0); // ByteCount
        return writer.Position;
    }

    public static NtCreateAndXResponse Parse(ReadOnlySpan<byte> message)
    {
        const string What = "NT_CREATE_ANDX response";
        Smb1Body body = Smb1Body.Read(message, What, 34, 42);
        SmbReader words = body.WordReader(What);
        words.Skip(4);
        return new NtCreateAndXResponse
        {
            OplockLevel = words.ReadByte(),
            Fid = words.ReadUInt16(),
            CreateDisposition = words.ReadUInt32(),
            CreationTime = (long)words.ReadUInt64(),
            LastAccessTime = (long)words.ReadUInt64(),
            LastWriteTime = (long)words.ReadUInt64(),
            LastChangeTime = (long)words.ReadUInt64(),
            ExtFileAttributes = words.ReadUInt32(),
            AllocationSize = words.ReadUInt64(),
            EndOfFile = words.ReadUInt64(),
            ResourceType = words.ReadUInt16(),
            Directory = ReadNmPipeThenDirectory(ref words),
        };
    }

    private static bool ReadNmPipeThenDirectory(ref SmbReader words)
    {
        words.Skip(2);
        return words.ReadByte() != 0;
    }
}
