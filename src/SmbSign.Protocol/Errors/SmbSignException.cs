namespace SmbSign.Protocol.Errors;

/// <summary>What kind of problem a <see cref="SmbSignException"/> reports. The CLI maps each kind to an exit code in one
/// place (<c>ExitCodes.For</c> in SmbSign.Cli); every kind is something the user can act on, never a bug.</summary>
public enum ErrorKind
{
    /// <summary>The command line asks for something impossible: a bad option value, a contradiction, a missing argument.</summary>
    Usage,

    /// <summary>A file, document or byte sequence the user gave cannot be used: unreadable, malformed, the wrong kind.</summary>
    Input,

    /// <summary>The network or the peer failed or refused: no connection, a timeout, a fault, access denied, a logon that
    /// did not complete.</summary>
    Peer,
}

/// <summary>
/// The base of every exception SmbSign throws for a problem the user can fix. <see cref="Exception.Message"/> is one line
/// (it names the file, line or byte offset, or the peer, and what was expected) and never contains a secret; the CLI
/// prints it after <c>smbsign: </c> without a stack trace. Anything that is not a <see cref="SmbSignException"/> and
/// reaches the CLI is a bug (exit 3).
/// </summary>
public abstract class SmbSignException : Exception
{
    protected SmbSignException()
    {
    }

    protected SmbSignException(string message)
        : base(message)
    {
    }

    protected SmbSignException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Usage, input or peer: decides the exit code.</summary>
    public abstract ErrorKind ErrorKind { get; }
}

/// <summary>A command line that asks for something impossible (exit 2).</summary>
public class UsageException : SmbSignException
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public override ErrorKind ErrorKind => ErrorKind.Usage;
}

/// <summary>Input the user gave (a file, a document, bytes) that cannot be used: unreadable or malformed (exit 2).</summary>
public class InputException : SmbSignException
{
    public InputException()
    {
    }

    public InputException(string message)
        : base(message)
    {
    }

    public InputException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public override ErrorKind ErrorKind => ErrorKind.Input;
}

/// <summary>The network or the peer failed or refused (exit 2, as documented for <c>verify</c>: the session could not
/// complete).</summary>
public class PeerException : SmbSignException
{
    public PeerException()
    {
    }

    public PeerException(string message)
        : base(message)
    {
    }

    public PeerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public override ErrorKind ErrorKind => ErrorKind.Peer;
}
