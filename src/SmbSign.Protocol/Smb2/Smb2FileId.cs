using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2;

/// <summary>[MS-SMB2] 2.2.14.1 SMB2_FILEID: a 16-byte handle, persistent and volatile halves.</summary>
public readonly record struct Smb2FileId(ulong Persistent, ulong Volatile)
{
    public const int Size = 16;

    /// <summary>FFFF… FFFF…: the "no file" id used by FSCTL_VALIDATE_NEGOTIATE_INFO and related-compound requests.</summary>
    public static Smb2FileId None { get; } = new(ulong.MaxValue, ulong.MaxValue);

    internal static Smb2FileId Read(ref SmbReader reader) => new(reader.ReadUInt64(), reader.ReadUInt64());

    internal void Write(ref SmbWriter writer)
    {
        writer.WriteUInt64(Persistent);
        writer.WriteUInt64(Volatile);
    }

    public override string ToString() => $"{Persistent:X16}:{Volatile:X16}";
}
