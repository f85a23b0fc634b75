namespace SmbSign.Policy.Outcome;

/// <summary>How the client authenticated.</summary>
public enum SessionKind
{
    /// <summary>An authenticated user (NTLM or Kerberos): there is a session key, so the session can be signed.</summary>
    User,

    /// <summary>A guest logon (SessionFlags IS_GUEST): no session key, never signed.</summary>
    Guest,

    /// <summary>An anonymous (null) session (SessionFlags IS_NULL): no session key, never signed.</summary>
    Anonymous,
}

/// <summary>What happens to the session.</summary>
public enum SigningResult
{
    /// <summary>Messages after authentication are signed.</summary>
    Signed,

    /// <summary>The session works but messages are not signed (3.1.1 still signs the final SESSION_SETUP response and TREE_CONNECT).</summary>
    NotSigned,

    /// <summary>The session is refused (one side requires what the other cannot do).</summary>
    Fails,
}

/// <summary>SMB1 signing policy state of one side ([MS-SMB] 3.2.1.1; docs/reference/protocol.md §12).</summary>
public enum Smb1SigningState
{
    /// <summary>Never signs, not even when the peer requires it (obsolete; Samba <c>signing = disabled</c>).</summary>
    Disabled,

    /// <summary>Signs only if the peer requires it (Windows Require=0, Enable=0).</summary>
    Declined,

    /// <summary>Signs when the peer enables or requires it (Windows Enable=1).</summary>
    Enabled,

    /// <summary>Refuses a peer that will not sign (Windows Require=1).</summary>
    Required,
}

/// <summary>Where an input value of an evaluation came from.</summary>
public enum ValueOrigin
{
    /// <summary>Set explicitly in the client or server policy.</summary>
    Configured,

    /// <summary>Not configured: the OS default for the profile's family, build, edition and role.</summary>
    OsDefault,
}

/// <summary>Display spellings used in reports and JSON.</summary>
public static class OutcomeText
{
    /// <summary>"signed", "not-signed", "fails".</summary>
    public static string ToDisplayString(this SigningResult result) => result switch
    {
        SigningResult.Signed => "signed",
        SigningResult.NotSigned => "not-signed",
        _ => "fails",
    };

    /// <summary>"user", "guest", "anonymous".</summary>
    public static string ToDisplayString(this SessionKind session) => session switch
    {
        SessionKind.Guest => "guest",
        SessionKind.Anonymous => "anonymous",
        _ => "user",
    };

    /// <summary>Parses "user", "guest", "anonymous" (also "anon", "null").</summary>
    public static bool TryParseSession(string? text, out SessionKind session)
    {
        SessionKind? parsed = text?.Trim().ToUpperInvariant() switch
        {
            "USER" or "AUTHENTICATED" => SessionKind.User,
            "GUEST" => SessionKind.Guest,
            "ANONYMOUS" or "ANON" or "NULL" => SessionKind.Anonymous,
            _ => null,
        };
        session = parsed ?? default;
        return parsed is not null;
    }
}
