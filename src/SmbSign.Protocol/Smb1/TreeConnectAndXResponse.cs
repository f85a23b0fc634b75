using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.55.2 SMB_COM_TREE_CONNECT_ANDX Response (WordCount 3), or the [MS-SMB] 2.2.4.7.2 extended
/// form (WordCount 7) with the maximal access rights.</summary>
public sealed class TreeConnectAndXResponse
{
    public ushort OptionalSupport { get; init; }

    public uint MaximalShareAccessRights { get; init; }

    public uint GuestMaximalShareAccessRights { get; init; }

    /// <summary>"A:" (disk), "IPC", "LPT1:", "COMM".</summary>
    public string Service { get; init; } = string.Empty;

    public string NativeFileSystem { get; init; } = string.Empty;

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
            OptionalSupport = support,
            MaximalShareAccessRights = maximal,
            GuestMaximalShareAccessRights = guest,
            Service = service,
            NativeFileSystem = fileSystem,
        };
    }
}
