using SmbSign.Protocol.Errors;
using SmbSign.Reporting.Html;
using SmbSign.Reporting.Store;

namespace SmbSign.Cli;

/// <summary>A problem the user can fix that the CLI itself finds (bad argument, unreadable file). Printed as one line on
/// stderr, never with a stack trace; exit 2 like every <see cref="UsageException"/>.</summary>
public sealed class CliException : UsageException
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Stable exit codes shared by every command (documented in the README and docs/reference/errors.md).</summary>
public static class ExitCodes
{
    /// <summary>Success: nothing to report.</summary>
    public const int Success = 0;

    /// <summary>The command ran and found something: audit failures, signature failures, a session that is not enforced.</summary>
    public const int Findings = 1;

    /// <summary>Usage error, unusable input, or a peer that could not be talked to; the message is on stderr.</summary>
    public const int UsageOrInput = 2;

    /// <summary>An internal error (a bug): reported in one line; set SMBSIGN_DEBUG=1 for details.</summary>
    public const int InternalError = 3;

    /// <summary>Interrupted by Ctrl-C or SIGTERM before the command finished (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// The one mapping from an exception that reached the top of a command to its exit code. Usage, input and peer
    /// problems (<see cref="SmbSignException"/>) are 2: the documented pages say a session that could not complete exits 2,
    /// like a bad argument. The posture store and the report reader live in SmbSign.Reporting, which references no other
    /// SmbSign project, so their two exception types are named here instead of deriving from the hierarchy. Anything
    /// else is a bug: 3.
    /// </summary>
    public static int For(Exception exception) => exception switch
    {
        SmbSignException { ErrorKind: ErrorKind.Usage or ErrorKind.Input or ErrorKind.Peer } => UsageOrInput,
        StoreException or ReportInputException => UsageOrInput,
        _ => InternalError,
    };

    /// <summary>True for the exceptions <see cref="For"/> maps to a user-facing code: printed as one line, no type name.</summary>
    public static bool IsUserError(Exception exception) => For(exception) != InternalError;
}
