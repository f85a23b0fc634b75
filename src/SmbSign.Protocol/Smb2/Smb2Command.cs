namespace SmbSign.Protocol.Smb2;

/// <summary>[MS-SMB2] 2.2.1 Command codes.</summary>
public enum Smb2Command : ushort
{
    Negotiate = 0x00,
    SessionSetup = 0x01,
    Logoff = 0x02,
    TreeConnect = 0x03,
    TreeDisconnect = 0x04,
    Create = 0x05,
    Close = 0x06,
    Flush = 0x07,
    Read = 0x08,
    Write = 0x09,
    Lock = 0x0A,
    Ioctl = 0x0B,
    Cancel = 0x0C,
    Echo = 0x0D,
    QueryDirectory = 0x0E,
    ChangeNotify = 0x0F,
    QueryInfo = 0x10,
    SetInfo = 0x11,
    OplockBreak = 0x12,
}

/// <summary>[MS-SMB2] 2.2.1.2 Flags.</summary>
[Flags]
public enum Smb2Flags : uint
{
    None = 0,
    ServerToRedir = 0x0000_0001,
    AsyncCommand = 0x0000_0002,
    RelatedOperations = 0x0000_0004,
    Signed = 0x0000_0008,
    PriorityMask = 0x0000_0070,
    DfsOperations = 0x1000_0000,
    ReplayOperation = 0x2000_0000,
}

/// <summary>[MS-SMB2] 2.2.3 / 2.2.4 SecurityMode.</summary>
[Flags]
public enum Smb2SecurityMode : ushort
{
    None = 0,
    SigningEnabled = 0x0001,
    SigningRequired = 0x0002,
}

/// <summary>NTSTATUS values SmbSign acts on ([MS-ERREF] 2.3).</summary>
public static class NtStatus
{
    public const uint Success = 0x0000_0000;
    public const uint Pending = 0x0000_0103;
    public const uint MoreProcessingRequired = 0xC000_0016;
    public const uint InvalidParameter = 0xC000_000D;
    public const uint AccessDenied = 0xC000_0022;
    public const uint ObjectNameNotFound = 0xC000_0034;
    public const uint LogonFailure = 0xC000_006D;
    public const uint BadNetworkName = 0xC000_00CC;
    public const uint NotSupported = 0xC000_00BB;
    public const uint UserSessionDeleted = 0xC000_0203;
    public const uint NoMoreFiles = 0x8000_0006;
    public const uint InvalidSignature = 0xC000_A000;
}
