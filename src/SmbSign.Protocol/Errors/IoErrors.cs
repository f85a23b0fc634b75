using System.Net.Sockets;
using System.Security;

namespace SmbSign.Protocol.Errors;

/// <summary>
/// The exception filters for "the file system or the network said no", in one place: the expected failures of opening,
/// reading or writing a file, or of a socket, as opposed to bugs. Use as <c>catch (Exception e) when
/// (IoErrors.IsFileProblem(e))</c>; everything else keeps propagating (and is reported as an internal error).
/// </summary>
public static class IoErrors
{
    /// <summary>Opening, reading or writing a file failed: missing, a folder, access denied, an I/O error, or (on .NET
    /// Framework-era APIs) a security refusal.</summary>
    public static bool IsFileProblem(Exception e) => e is IOException or UnauthorizedAccessException or SecurityException;

    /// <summary><see cref="IsFileProblem"/>, or the path itself cannot name a file (bad characters, unsupported form):
    /// for paths that come straight from the user or from a document.</summary>
    public static bool IsFileOrPathProblem(Exception e) => IsFileProblem(e) || e is ArgumentException or NotSupportedException;

    /// <summary>A stream over a socket failed: the peer reset or closed it, or the socket reported an error.</summary>
    public static bool IsNetworkProblem(Exception e) => e is IOException or SocketException;
}
