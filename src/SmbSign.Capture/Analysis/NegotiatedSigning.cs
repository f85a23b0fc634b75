using System.Buffers.Binary;
using SmbSign.Protocol;
using SmbSign.Protocol.Buffers;
using SmbSign.Protocol.Smb2;
using SmbSign.Capture.Smb;

namespace SmbSign.Capture.Analysis;

/// <summary>What the NEGOTIATE messages say about signing (dialect, each side's SecurityMode, who requires it), and
/// whether a message had to be signed under that: read into the connection's tally as the messages pass.</summary>
internal static class NegotiatedSigning
{
    private const ulong UnsolicitedMessageId = ulong.MaxValue;
    private const uint StatusNetworkSessionExpired = 0xC000_035C;

    /// <summary>[MS-SMB2] 3.2.4.1.1 / 3.3.4.1.1 with the exceptions of protocol.md §6: only for an established,
    /// non-guest, non-anonymous session on a connection where either side required signing; never NEGOTIATE, SessionId 0,
    /// SESSION_SETUP requests and interim SESSION_SETUP responses (no key yet), interim STATUS_PENDING responses,
    /// unsolicited breaks (MessageId all ones), or errors about the session itself.</summary>
    public static bool MustBeSigned(ConnectionTally connection, SessionTally session, in CapturedSmbMessage message)
    {
        Smb2Header header = message.Smb2Header;
        if (connection.SigningRequired != true || !session.Established || session.Guest != false || session.Anonymous != false)
        {
            return false;
        }

        if (header.Command == Smb2Command.SessionSetup && (!message.IsResponse || header.Status != NtStatus.Success))
        {
            return false;
        }

        if (message.IsResponse && header.Status is NtStatus.Pending or NtStatus.UserSessionDeleted or StatusNetworkSessionExpired)
        {
            return false;
        }

        return header.MessageId != UnsolicitedMessageId;
    }

    public static void ReadSmb2Negotiate(ConnectionTally connection, ReadOnlySpan<byte> bytes, bool isResponse)
    {
        if (isResponse)
        {
            // [MS-SMB2] 2.2.4: StructureSize(2) @64, SecurityMode(2) @66, DialectRevision(2) @68.
            var reader = new SmbReader(bytes, "NEGOTIATE response", Smb2Header.Size + 2);
            if (reader.Remaining < 4)
            {
                return;
            }

            ushort securityMode = reader.ReadUInt16();
            var dialect = (Dialect)reader.ReadUInt16();
            connection.ServerSecurityMode = securityMode;
            connection.ServerRequiresSigning = (securityMode & (ushort)Smb2SecurityMode.SigningRequired) != 0;
            if (dialect != Dialect.Smb2Wildcard || connection.Dialect is null)
            {
                connection.Dialect = dialect;
            }
        }
        else
        {
            // [MS-SMB2] 2.2.3: StructureSize(2) @64, DialectCount(2) @66, SecurityMode(2) @68.
            var reader = new SmbReader(bytes, "NEGOTIATE request", Smb2Header.Size + 4);
            if (reader.Remaining < 2)
            {
                return;
            }

            ushort securityMode = reader.ReadUInt16();
            connection.ClientSecurityMode = securityMode;
            connection.ClientRequiresSigning = (securityMode & (ushort)Smb2SecurityMode.SigningRequired) != 0;
        }
    }

    /// <summary>An SMB1 NEGOTIATE: the request says whether the client offered SMB1 and requires signing; an NT LM 0.12
    /// response gives the dialect and the server's SecurityMode.</summary>
    public static void ReadSmb1Negotiate(ConnectionTally connection, Smb1HeaderFields header, ReadOnlySpan<byte> bytes)
    {
        if (!header.IsReply)
        {
            connection.ClientOfferedSmb1 = true;
            if ((header.Flags2 & Smb1HeaderFields.Flags2SecuritySignatureRequired) != 0)
            {
                connection.ClientRequiresSigning = true;
            }

            return;
        }

        // [MS-CIFS] 2.2.4.52.2: WordCount(1) @32; NT LM 0.12 has 17 words: DialectIndex(2) @33, SecurityMode(1) @35.
        if (bytes.Length >= 36 && bytes[32] == 17 && BinaryPrimitives.ReadUInt16LittleEndian(bytes[33..]) != 0xFFFF)
        {
            byte securityMode = bytes[35];
            connection.Dialect = Dialect.Smb1;
            connection.SigningAlgorithm = SigningAlgorithm.Md5Smb1;
            connection.ServerSecurityMode = securityMode;
            connection.ServerRequiresSigning = (securityMode & 0x08) != 0;
        }
    }
}
