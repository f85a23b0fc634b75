using System.Buffers.Binary;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.2.1 SMB1 command codes SmbSign speaks or names.</summary>
public enum Smb1Command : byte
{
    Close = 0x04,
    QueryInformation2 = 0x23,
    LockingAndX = 0x24,
    Transaction = 0x25,
    Echo = 0x2B,
    ReadAndX = 0x2E,
    WriteAndX = 0x2F,
    Transaction2 = 0x32,
    FindClose2 = 0x34,
    TreeDisconnect = 0x71,
    Negotiate = 0x72,
    SessionSetupAndX = 0x73,
    LogoffAndX = 0x74,
    TreeConnectAndX = 0x75,
    NtTransact = 0xA0,
    NtCreateAndX = 0xA2,
    NtCancel = 0xA4,
}

/// <summary>Display names of SMB1 commands ([MS-CIFS] 2.2.2.1), e.g. "NT_CREATE_ANDX"; unknown codes as "0xNN".</summary>
public static class Smb1CommandNames
{
    public static string Get(Smb1Command command) => command switch
    {
        Smb1Command.Close => "CLOSE",
        Smb1Command.QueryInformation2 => "QUERY_INFORMATION2",
        Smb1Command.LockingAndX => "LOCKING_ANDX",
        Smb1Command.Transaction => "TRANSACTION",
        Smb1Command.Echo => "ECHO",
        Smb1Command.ReadAndX => "READ_ANDX",
        Smb1Command.WriteAndX => "WRITE_ANDX",
        Smb1Command.Transaction2 => "TRANSACTION2",
        Smb1Command.FindClose2 => "FIND_CLOSE2",
        Smb1Command.TreeDisconnect => "TREE_DISCONNECT",
        Smb1Command.Negotiate => "NEGOTIATE",
        Smb1Command.SessionSetupAndX => "SESSION_SETUP_ANDX",
        Smb1Command.LogoffAndX => "LOGOFF_ANDX",
        Smb1Command.TreeConnectAndX => "TREE_CONNECT_ANDX",
        Smb1Command.NtTransact => "NT_TRANSACT",
        Smb1Command.NtCreateAndX => "NT_CREATE_ANDX",
        Smb1Command.NtCancel => "NT_CANCEL",
        _ => $"0x{(byte)command:X2}",
    };
}

/// <summary>[MS-CIFS] 2.2.3.1 Flags.</summary>
[Flags]
public enum Smb1Flags : byte
{
    None = 0,
    CaseInsensitive = 0x08,
    CanonicalizedPaths = 0x10,
    Reply = 0x80,
}

/// <summary>[MS-CIFS] 2.2.3.1 / [MS-SMB] 2.2.3.1 Flags2.</summary>
[Flags]
public enum Smb1Flags2 : ushort
{
    None = 0,
    LongNames = 0x0001,
    Eas = 0x0002,
    SmbSecuritySignature = 0x0004,
    SecuritySignatureRequired = 0x0010,
    IsLongName = 0x0040,
    ExtendedSecurity = 0x0800,
    Dfs = 0x1000,
    PagingIo = 0x2000,
    NtStatus = 0x4000,
    Unicode = 0x8000,
}

/// <summary>[MS-CIFS] 2.2.3.1 SMB1 header (32 bytes, little-endian), ProtocolId FF 'S' 'M' 'B'.</summary>
public readonly record struct Smb1Header(
    Smb1Command Command,
    uint Status,
    Smb1Flags Flags,
    Smb1Flags2 Flags2,
    ushort PidHigh,
    ulong SecuritySignature,
    ushort Tid,
    ushort PidLow,
    ushort Uid,
    ushort Mid)
{
    public const int Size = 32;
    public const int CommandOffset = 4;
    public const int StatusOffset = 5;
    public const int FlagsOffset = 9;
    public const int Flags2Offset = 10;
    public const int SecuritySignatureOffset = 14;

    /// <summary>0xFF 'S' 'M' 'B'.</summary>
    public static ReadOnlySpan<byte> ProtocolId => [0xFF, 0x53, 0x4D, 0x42];

    public bool IsReply => (Flags & Smb1Flags.Reply) != 0;

    public static bool HasSmb1ProtocolId(ReadOnlySpan<byte> message) => message.Length >= 4 && message[..4].SequenceEqual(ProtocolId);

    /// <summary>Parses the fixed header; throws <see cref="SmbProtocolException"/> when the message is too short or not SMB1.</summary>
    public static Smb1Header Read(ReadOnlySpan<byte> message)
    {
        if (message.Length < Size)
        {
            ThrowHelper.ThrowTruncated("SMB1 header", 0, Size, message.Length);
        }

        if (!HasSmb1ProtocolId(message))
        {
            ThrowHelper.ThrowInvalid("not an SMB1 header (expected FF 53 4D 42)", 0);
        }

        return new Smb1Header(
            (Smb1Command)message[CommandOffset],
            BinaryPrimitives.ReadUInt32LittleEndian(message[StatusOffset..]),
            (Smb1Flags)message[FlagsOffset],
            (Smb1Flags2)BinaryPrimitives.ReadUInt16LittleEndian(message[Flags2Offset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(message[12..]),
            BinaryPrimitives.ReadUInt64LittleEndian(message[SecuritySignatureOffset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(message[24..]),
            BinaryPrimitives.ReadUInt16LittleEndian(message[26..]),
            BinaryPrimitives.ReadUInt16LittleEndian(message[28..]),
            BinaryPrimitives.ReadUInt16LittleEndian(message[30..]));
    }

    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"Destination needs {Size} bytes.", nameof(destination));
        }

        ProtocolId.CopyTo(destination);
        destination[CommandOffset] = (byte)Command;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[StatusOffset..], Status);
        destination[FlagsOffset] = (byte)Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[Flags2Offset..], (ushort)Flags2);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[12..], PidHigh);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[SecuritySignatureOffset..], SecuritySignature);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[22..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[24..], Tid);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[26..], PidLow);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[28..], Uid);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[30..], Mid);
    }
}
