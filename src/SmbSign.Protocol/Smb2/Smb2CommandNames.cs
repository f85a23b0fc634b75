using System.Globalization;

namespace SmbSign.Protocol.Smb2;

/// <summary>[MS-SMB2] 2.2.1 command names as the specification spells them; every report, table and log uses these.</summary>
public static class Smb2CommandNames
{
    /// <summary>The name of <paramref name="command"/>; an unknown code as <c>0xNNNN</c>.</summary>
    public static string Get(Smb2Command command) => command switch
    {
        Smb2Command.Negotiate => "NEGOTIATE",
        Smb2Command.SessionSetup => "SESSION_SETUP",
        Smb2Command.Logoff => "LOGOFF",
        Smb2Command.TreeConnect => "TREE_CONNECT",
        Smb2Command.TreeDisconnect => "TREE_DISCONNECT",
        Smb2Command.Create => "CREATE",
        Smb2Command.Close => "CLOSE",
        Smb2Command.Flush => "FLUSH",
        Smb2Command.Read => "READ",
        Smb2Command.Write => "WRITE",
        Smb2Command.Lock => "LOCK",
        Smb2Command.Ioctl => "IOCTL",
        Smb2Command.Cancel => "CANCEL",
        Smb2Command.Echo => "ECHO",
        Smb2Command.QueryDirectory => "QUERY_DIRECTORY",
        Smb2Command.ChangeNotify => "CHANGE_NOTIFY",
        Smb2Command.QueryInfo => "QUERY_INFO",
        Smb2Command.SetInfo => "SET_INFO",
        Smb2Command.OplockBreak => "OPLOCK_BREAK",
        _ => string.Create(CultureInfo.InvariantCulture, $"0x{(ushort)command:X4}"),
    };
}
