namespace SmbSign.Cli;

/// <summary>A problem the user can fix (bad argument, unreadable file). Printed as one line on stderr, never with a stack trace.</summary>
public sealed class CliException : Exception
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

    public CliException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; } = ExitCodes.UsageOrInput;
}

/// <summary>Stable exit codes shared by every command (documented in the README).</summary>
public static class ExitCodes
{
    /// <summary>Success: nothing to report.</summary>
    public const int Success = 0;

    /// <summary>The command ran and found something: audit failures, signature failures, a session that is not enforced.</summary>
    public const int Findings = 1;

    /// <summary>Usage error or unreadable input; the message is on stderr.</summary>
    public const int UsageOrInput = 2;

    /// <summary>An internal error (a bug): reported in one line; set SMBSIGN_DEBUG=1 for details.</summary>
    public const int InternalError = 3;

    /// <summary>Interrupted by Ctrl-C or SIGTERM before the command finished (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
