using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.64.2 SMB_COM_NT_CREATE_ANDX Response (WordCount 34). The [MS-SMB] 2.2.4.9.2 extended
/// response (WordCount 42; Samba announces 42 but may send fewer trailing words) is accepted and its extra words ignored.</summary>
public sealed class NtCreateAndXResponse
{
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
