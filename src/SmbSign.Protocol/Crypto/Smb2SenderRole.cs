namespace SmbSign.Protocol.Crypto;

/// <summary>Who sent a message, for bit 0 of the AES-GMAC nonce ([MS-SMB2] 3.1.4.1).</summary>
public enum Smb2SenderRole
{
    /// <summary>Take it from the message: SMB2_FLAGS_SERVER_TO_REDIR set means the server sent it (as Samba does).</summary>
    FromFlags = 0,

    /// <summary>The client sent it (nonce bit 0 clear) whatever the flags say.</summary>
    Client = 1,

    /// <summary>The server sent it (nonce bit 0 set) whatever the flags say.</summary>
    Server = 2,
}
