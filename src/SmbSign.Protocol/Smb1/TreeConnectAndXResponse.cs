using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.55.2 SMB_COM_TREE_CONNECT_ANDX Response (WordCount 3), or the [MS-SMB] 2.2.4.7.2 extended
/// form (WordCount 7) with the maximal access rights.</summary>
public sealed class TreeConnectAndXResponse : ISmb1Response
{
    /// <summary>SMB_SUPPORT_SEARCH_BITS ([MS-CIFS] 2.2.4.55.2): the server honours search attribute masks.</summary>
    public const ushort SupportSearchBits = 0x0001;

    /// <summary>Writes the [MS-SMB] 2.2.4.7.2 extended form (WordCount 7, with the access rights) instead of WordCount 3.</summary>
    public bool Extended { get; init; }

    public ushort OptionalSupport { get; init; }

    public uint MaximalShareAccessRights { get; init; }

    public uint GuestMaximalShareAccessRights { get; init; }

    /// <summary>"A:" (disk), "IPC", "LPT1:", "COMM".</summary>
    public string Service { get; init; } = string.Empty;

    public string NativeFileSystem { get; init; } = string.Empty;

    private byte WordCountToWrite => Extended ? (byte)7 : (byte)3;

    /// <summary>Header offset of the Unicode NativeFileSystem, after the ASCII service and its NUL.</summary>
    private int FileSystemPad => (Smb1Body.Start + 1 + (WordCountToWrite * 2) + 2 + Service.Length + 1) & 1;

    public int GetEncodedLength() =>
        1 + (WordCountToWrite * 2) + 2 + Service.Length + 1 + FileSystemPad + Smb1Body.UnicodeLength(NativeFileSystem);

    /// <summary>Writes the response body: Service in ASCII (as [MS-CIFS] 2.2.4.55.2 requires), NativeFileSystem in Unicode.</summary>
    public int WriteTo(Span<byte> body)
    {
        if (!System.Text.Ascii.IsValid(Service))
        {
            throw new ArgumentException("Service must be ASCII.", nameof(body));
        }

        ushort byteCount = Smb1Body.CheckByteCount(GetEncodedLength() - (1 + (WordCountToWrite * 2) + 2), "TREE_CONNECT_ANDX response");
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCountToWrite);
        Smb1Body.WriteNoAndX(ref writer);
        writer.WriteUInt16(OptionalSupport);
        if (Extended)
        {
            writer.WriteUInt32(MaximalShareAccessRights);
            writer.WriteUInt32(GuestMaximalShareAccessRights);
        }

        writer.WriteUInt16(byteCount);
        System.Text.Encoding.ASCII.GetBytes(Service, writer.Reserve(Service.Length));
        writer.WriteByte(0);
        writer.WriteZeros(FileSystemPad);
        Smb1Body.WriteUnicode(ref writer, NativeFileSystem);
        return writer.Position;
    }

    public static TreeConnectAndXResponse Parse(ReadOnlySpan<byte> message)
    {
        const string What = "TREE_CONNECT_ANDX response";
        Smb1Body body = Smb1Body.Read(message, What, 3, 7);
        SmbReader words = body.WordReader(What);
        words.Skip(4);
        ushort support = words.ReadUInt16();
        uint maximal = 0;
        uint guest = 0;
        if (body.WordCount == 7)
        {
            maximal = words.ReadUInt32();
            guest = words.ReadUInt32();
        }

        (string service, int next) = body.ReadString(0, unicode: false);
        (string fileSystem, _) = body.ReadString(next, body.IsUnicode);
        return new TreeConnectAndXResponse
        {
            Extended = body.WordCount == 7,
            OptionalSupport = support,
            MaximalShareAccessRights = maximal,
            GuestMaximalShareAccessRights = guest,
            Service = service,
            NativeFileSystem = fileSystem,
        };
    }
}
