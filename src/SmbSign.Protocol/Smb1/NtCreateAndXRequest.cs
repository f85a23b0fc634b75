using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.64.1 SMB_COM_NT_CREATE_ANDX Request (WordCount 24) with a Unicode file name relative to the tree.</summary>
public sealed class NtCreateAndXRequest : ISmb1Request
{
    public const byte CommandCode = 0xA2;
    public const byte WordCount = 24;

    private const int BytesOffset = Smb1Body.Start + 1 + (WordCount * 2) + 2;

    public byte Command => CommandCode;

    /// <summary>File name relative to the share, e.g. <c>\hello.txt</c>.</summary>
    public required string FileName { get; init; }

    public uint Flags { get; init; }

    /// <summary>[MS-CIFS] 2.2.4.64.1 DesiredAccess; default GENERIC_READ.</summary>
    public uint DesiredAccess { get; init; } = 0x8000_0000;

    public uint ExtFileAttributes { get; init; }

    /// <summary>FILE_SHARE_READ | FILE_SHARE_WRITE.</summary>
    public uint ShareAccess { get; init; } = 0x3;

    /// <summary>FILE_OPEN (1).</summary>
    public uint CreateDisposition { get; init; } = 1;

    public uint CreateOptions { get; init; }

    /// <summary>SECURITY_IMPERSONATION (2).</summary>
    public uint ImpersonationLevel { get; init; } = 2;

    private static int PadLength => BytesOffset & 1;

    private int NameLength => System.Text.Encoding.Unicode.GetByteCount(FileName);

    public int GetEncodedLength() => 1 + (WordCount * 2) + 2 + PadLength + NameLength + 2;

    public int WriteTo(Span<byte> body)
    {
        int nameLength = NameLength;
        if (nameLength > ushort.MaxValue - 2)
        {
            throw new ArgumentException("FileName is too long.", nameof(body));
        }

        int byteCount = GetEncodedLength() - (1 + (WordCount * 2) + 2);
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        Smb1Body.WriteNoAndX(ref writer);
        writer.WriteByte(0); // Reserved
        writer.WriteUInt16((ushort)nameLength);
        writer.WriteUInt32(Flags);
        writer.WriteUInt32(0); // RootDirectoryFID
        writer.WriteUInt32(DesiredAccess);
        writer.WriteUInt64(0); // AllocationSize
        writer.WriteUInt32(ExtFileAttributes);
        writer.WriteUInt32(ShareAccess);
        writer.WriteUInt32(CreateDisposition);
        writer.WriteUInt32(CreateOptions);
        writer.WriteUInt32(ImpersonationLevel);
        writer.WriteByte(0); // SecurityFlags
        writer.WriteUInt16((ushort)byteCount);
        writer.WriteZeros(PadLength);
        Smb1Body.WriteUnicode(ref writer, FileName);
        return writer.Position;
    }

    public static NtCreateAndXRequest Parse(ReadOnlySpan<byte> message)
    {
        const string What = "NT_CREATE_ANDX request";
        Smb1Body body = Smb1Body.Read(message, What, WordCount);
        SmbReader words = body.WordReader(What);
        words.Skip(5);
        words.Skip(2); // NameLength: the name is read NUL-terminated, as servers do
        uint flags = words.ReadUInt32();
        words.Skip(4);
        uint access = words.ReadUInt32();
        words.Skip(8);
        uint attributes = words.ReadUInt32();
        uint share = words.ReadUInt32();
        uint disposition = words.ReadUInt32();
        uint options = words.ReadUInt32();
        uint impersonation = words.ReadUInt32();
        (string name, _) = body.ReadString(0, body.IsUnicode);
        return new NtCreateAndXRequest
        {
            FileName = name,
            Flags = flags,
            DesiredAccess = access,
            ExtFileAttributes = attributes,
            ShareAccess = share,
            CreateDisposition = disposition,
            CreateOptions = options,
            ImpersonationLevel = impersonation,
        };
    }
}
