namespace SmbSign.Wire.Session;

/// <summary>Which way a message travelled.</summary>
public enum MessageDirection
{
    Request,
    Response,
}

/// <summary>One SMB message of a verification session, as the client saw it.</summary>
/// <param name="Command">Protocol name of the command, e.g. "TREE_CONNECT" or "SESSION_SETUP_ANDX".</param>
/// <param name="Direction">Request (client → server) or response.</param>
/// <param name="MessageId">SMB2 MessageId, or the SMB1 MID.</param>
/// <param name="Status">NTSTATUS of a response; 0 for requests.</param>
/// <param name="Signed">Request: the client signed it. Response: the server set the SIGNED flag (SMB1: a signature was present).</param>
/// <param name="Verified">Responses the client checked: true when the signature matched, false when it did not or was
/// missing although required; null when there was nothing to check (requests, and responses exempt from signing).</param>
/// <param name="MustBeSigned">True when the message falls under "every message after authentication is signed":
/// from the final SESSION_SETUP response on, except exempt messages (interim STATUS_PENDING, oplock breaks).</param>
/// <param name="Note">Why a message was exempt, how it failed, or other context; never contains secrets.</param>
public sealed record MessageRecord(
    string Command,
    MessageDirection Direction,
    ulong MessageId,
    uint Status,
    bool Signed,
    bool? Verified,
    bool MustBeSigned,
    string? Note = null);

/// <summary>A response whose signature did not verify, or that arrived unsigned although it had to be signed.</summary>
public sealed record VerificationFailure(string Command, MessageDirection Direction, ulong MessageId, string Reason);

/// <summary>Why a verification session could not complete (exit code 2 in the CLI).</summary>
public enum SessionErrorKind
{
    /// <summary>TCP connect refused, reset or host unreachable.</summary>
    Connection,

    /// <summary>An operation did not finish within the timeout.</summary>
    Timeout,

    /// <summary>The server answered NEGOTIATE with another dialect than the one asked for, or refused all offered.</summary>
    DialectRefused,

    /// <summary>STATUS_LOGON_FAILURE and related: wrong user name or password.</summary>
    LogonFailure,

    /// <summary>The server logged the user on as guest or anonymous although signing is required (no session key).</summary>
    GuestSession,

    /// <summary>STATUS_BAD_NETWORK_NAME: the share does not exist.</summary>
    BadNetworkName,

    /// <summary>STATUS_ACCESS_DENIED or another error status on a step the session needs.</summary>
    AccessDenied,

    /// <summary>The server's bytes did not follow the protocol.</summary>
    Protocol,

    /// <summary>The server requires something SmbSign does not implement (e.g. encryption).</summary>
    Unsupported,

    /// <summary>Kerberos could not produce or complete the logon: no ticket, unknown SPN, clock skew, KDC unreachable,
    /// GSSAPI library missing, mutual authentication not done.</summary>
    Kerberos,
}

/// <summary>A session error: a kind for programs, a message for people (never containing the password).</summary>
public sealed record SessionError(SessionErrorKind Kind, string Message, uint? Status = null);
