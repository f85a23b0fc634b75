namespace SmbSign.Protocol.Smb2;

/// <summary>Headers for the requests SmbSign's codecs write ([MS-SMB2] 2.2.1.2, sync form).</summary>
public static class Smb2Requests
{
    /// <summary>A synchronous request header: CreditCharge 0 (1 for SESSION_SETUP and later at 2.1+ is not required
    /// for single-credit messages), no flags, TreeId 0 unless given, zero signature.</summary>
    public static Smb2Header Header(Smb2Command command, ulong messageId, ulong sessionId = 0, ushort creditRequest = 1, uint treeId = 0) =>
        new(CreditCharge: 0, Status: 0, Command: command, Credits: creditRequest, Flags: Smb2Flags.None, NextCommand: 0,
            MessageId: messageId, AsyncId: 0, TreeId: treeId, SessionId: sessionId);

    /// <summary>A synchronous response header (SERVER_TO_REDIR set), for responders and tests.</summary>
    public static Smb2Header ResponseHeader(Smb2Command command, ulong messageId, uint status, ulong sessionId = 0, ushort credits = 1) =>
        new(CreditCharge: 0, Status: status, Command: command, Credits: credits, Flags: Smb2Flags.ServerToRedir, NextCommand: 0,
            MessageId: messageId, AsyncId: 0, TreeId: 0, SessionId: sessionId);

    /// <summary>Checks that <paramref name="message"/> is a response to <paramref name="command"/> and returns its header.</summary>
    public static Smb2Header ReadResponseHeader(ReadOnlySpan<byte> message, Smb2Command command)
    {
        Smb2Header header = Smb2Header.Read(message);
        if (header.Command != command)
        {
            ThrowHelper.ThrowInvalid($"expected an SMB2 {command} response, got command 0x{(ushort)header.Command:X4}", Smb2Header.CommandOffset);
        }

        if (!header.IsResponse)
        {
            ThrowHelper.ThrowInvalid($"SMB2 {command} message is not a response (SERVER_TO_REDIR clear)", Smb2Header.FlagsOffset);
        }

        return header;
    }
}
