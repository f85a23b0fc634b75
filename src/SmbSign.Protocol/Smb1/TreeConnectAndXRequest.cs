using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.55.1 / [MS-SMB] 2.2.4.7.1 SMB_COM_TREE_CONNECT_ANDX Request with user-level security
/// (a one-byte empty password) and a Unicode path.</summary>
public sealed class TreeConnectAndXRequest : ISmb1Request
{
    public const byte CommandCode = 0x75;
    public const byte WordCount = 4;

    /// <summary>TREE_CONNECT_ANDX_EXTENDED_RESPONSE ([MS-SMB] 2.2.4.7.1): ask for the WordCount 7 response.</summary>
    public const ushort FlagExtendedResponse = 0x0008;

    private const int BytesOffset = Smb1Body.Start + 1 + (WordCount * 2) + 2;

    public byte Command => CommandCode;

    /// <summary>UNC path, e.g. <c>\\127.0.0.1\IPC$</c>.</summary>
    public required string Path { get; init; }

    /// <summary>"?????" matches any share type; "IPC" for named pipes, "A:" for disks.</summary>
    public string Service { get; init; } = "?????";

    public ushort Flags { get; init; } = FlagExtendedResponse;

    private static int PasswordLength => 1;

    private static int PadLength => (BytesOffset + PasswordLength) & 1;

    public int GetEncodedLength() => 1 + (WordCount * 2) + 2 + PasswordLength + PadLength + Smb1Body.UnicodeLength(Path) + Service.Length + 1;

    public int WriteTo(Span<byte> body)
    {
        int byteCount = GetEncodedLength() - (1 + (WordCount * 2) + 2);
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        Smb1Body.WriteNoAndX(ref writer);
        writer.WriteUInt16(Flags);
        writer.WriteUInt16((ushort)PasswordLength);
        writer.WriteUInt16((ushort)byteCount);
        writer.WriteByte(0); // password: empty, NUL
        writer.WriteZeros(PadLength);
        Smb1Body.WriteUnicode(ref writer, Path);
        System.Text.Encoding.ASCII.GetBytes(Service, writer.Reserve(Service.Length));
        writer.WriteByte(0);
        return writer.Position;
    }

    public static TreeConnectAndXRequest Parse(ReadOnlySpan<byte> message)
    {
        const string What = "TREE_CONNECT_ANDX request";
        Smb1Body body = Smb1Body.Read(message, What, WordCount);
        SmbReader words = body.WordReader(What);
        words.Skip(4);
        ushort flags = words.ReadUInt16();
        ushort passwordLength = words.ReadUInt16();
        if (passwordLength > body.Bytes.Length)
        {
            ThrowHelper.ThrowBufferOutOfRange("TREE_CONNECT_ANDX request PasswordLength", (ulong)body.BytesOffset, passwordLength, message.Length);
        }

        (string path, int next) = body.ReadString(passwordLength, body.IsUnicode);
        (string service, _) = body.ReadString(next, unicode: false);
        return new TreeConnectAndXRequest { Flags = flags, Path = path, Service = service };
    }
}
