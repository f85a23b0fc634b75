using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-SMB] 2.2.4.6.2 SMB_COM_SESSION_SETUP_ANDX Response, extended security form (WordCount 4). Also
/// the shape of the STATUS_MORE_PROCESSING_REQUIRED interim responses that carry the NTLMSSP CHALLENGE.</summary>
public sealed class SessionSetupAndXResponse
{
    public const byte WordCount = 4;

    /// <summary>SMB_SETUP_GUEST: the server logged the user on as guest.</summary>
    public const ushort ActionGuest = 0x0001;

    public ushort Action { get; init; }

    public ReadOnlyMemory<byte> SecurityBlob { get; init; }

    public string NativeOs { get; init; } = string.Empty;

    public string NativeLanMan { get; init; } = string.Empty;

    public bool IsGuest => (Action & ActionGuest) != 0;

    public static SessionSetupAndXResponse Parse(ReadOnlySpan<byte> message)
    {
        const string What = "SESSION_SETUP_ANDX response";
        Smb1Body body = Smb1Body.Read(message, What, WordCount);
        SmbReader words = body.WordReader(What);
        words.Skip(4);
        ushort action = words.ReadUInt16();
        ushort blobLength = words.ReadUInt16();
        if (blobLength > body.Bytes.Length)
        {
            ThrowHelper.ThrowBufferOutOfRange("SESSION_SETUP_ANDX response SecurityBlobLength", (ulong)body.BytesOffset, blobLength, message.Length);
        }

        (string os, int next) = body.ReadString(blobLength, body.IsUnicode);
        (string lanMan, _) = body.ReadString(next, body.IsUnicode);
        return new SessionSetupAndXResponse { Action = action, SecurityBlob = body.Bytes[..blobLength].ToArray(), NativeOs = os, NativeLanMan = lanMan };
    }
}
