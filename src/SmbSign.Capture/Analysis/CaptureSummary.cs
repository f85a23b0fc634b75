using SmbSign.Protocol;
using SmbSign.Capture.Smb;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Analysis;

/// <summary>How much a finding matters.</summary>
public enum FindingSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>A plain-words observation about a capture.</summary>
/// <param name="Code">Stable identifier: signature-failed, wrong-password, unsigned-while-required, not-signed, smb1, guest,
/// anonymous, ntlm, not-checkable, verified, encrypted, gaps, truncated, no-smb, not-verified.</param>
/// <param name="Severity">How much it matters.</param>
/// <param name="Message">The observation in plain words.</param>
/// <param name="Connection">"client -> server" when it concerns one connection.</param>
/// <param name="SessionId">The session it concerns, when one.</param>
/// <param name="Frames">Example frame numbers (at most 10).</param>
public sealed record CaptureFinding(string Code, FindingSeverity Severity, string Message, string? Connection, ulong? SessionId, IReadOnlyList<long> Frames);

/// <summary>A signed message whose signature did not verify with the session's key.</summary>
/// <param name="Frame">Wireshark frame number (the frame holding the message's last byte).</param>
/// <param name="Command">Command name, e.g. READ or SMB1 0x2E READ_ANDX.</param>
/// <param name="MessageId">SMB2 MessageId, or the SMB1 MID.</param>
public sealed record SignatureFailure(long Frame, string Command, ulong MessageId);

/// <summary>Where a session's signing key came from, or why there is none.</summary>
public enum SessionKeyStatus
{
    /// <summary>Verification was not asked for (no password, no keys file).</summary>
    NotRequested,

    /// <summary>Derived from the password via the captured NTLMv2 AUTHENTICATE (NTProofStr matched).</summary>
    Password,

    /// <summary>From the keys file.</summary>
    KeysFile,

    /// <summary>The password does not match the captured AUTHENTICATE (NTProofStr check failed).</summary>
    WrongPassword,

    /// <summary>Neither a matching password (another user, or no password) nor a keys file entry.</summary>
    NoKey,

    /// <summary>Guest or anonymous: such sessions have no key and are not signed.</summary>
    NotNeeded,

    /// <summary>The capture lacks the NEGOTIATE or SESSION_SETUP messages the key derivation needs.</summary>
    SetupNotCaptured,

    /// <summary>The authentication cannot give a key here (NTLMv1, SMB1 without extended security, session binding,
    /// Kerberos tickets of types other than AES-SHA1 and RC4). Kerberos without a keytab key is <see cref="NoKey"/>.</summary>
    Unsupported,

    /// <summary>Recovered from a Kerberos AP-REQ (and AP-REP) with the service's key from a keytab.</summary>
    Keytab,

    /// <summary>The keytab has keys of the ticket's type and version, but the ticket, authenticator or AP-REP fails its
    /// integrity check under them: a different key, or altered SESSION_SETUP tokens.</summary>
    WrongKey,
}

/// <summary>What the Kerberos SESSION_SETUP of a session showed once decrypted with a keytab (no key bytes).</summary>
/// <param name="ServicePrincipal">The ticket's server, "cifs/host@REALM".</param>
/// <param name="ClientPrincipal">The client from the decrypted ticket; null when the ticket was not decrypted.</param>
/// <param name="TicketEncryptionType">The ticket's encryption type ("aes256-cts-hmac-sha1-96", …).</param>
/// <param name="Kvno">The ticket's key version number, when the ticket names one.</param>
/// <param name="TicketSessionKeyEncryptionType">The type of the ticket's session key (it encrypts the authenticator and
/// the AP-REP); null when the ticket was not decrypted.</param>
/// <param name="SessionKeySource">"acceptor-subkey", "initiator-subkey" or "ticket"; null when not recovered.</param>
/// <param name="SessionKeyEncryptionType">The encryption type of that key; null when not recovered.</param>
public sealed record KerberosSessionInfo(
    string ServicePrincipal,
    string? ClientPrincipal,
    string TicketEncryptionType,
    uint? Kvno,
    string? TicketSessionKeyEncryptionType,
    string? SessionKeySource,
    string? SessionKeyEncryptionType);

/// <summary>Counts for one session (SMB2 SessionId or SMB1 UID) on one connection: a result, built once by
/// <see cref="CaptureSummaryBuilder.Build"/> from the analysis' own state and never changed afterwards.</summary>
public sealed record SessionSummary
{
    public const int MaxFailures = 100;

    internal SessionSummary()
    {
    }

    public ulong SessionId { get; internal init; }

    public long FirstFrame { get; internal init; }

    public long Messages { get; internal init; }

    public long Signed { get; internal init; }

    public long Unsigned { get; internal init; }

    public long Encrypted { get; internal init; }

    /// <summary>Messages that had to be signed by [MS-SMB2] 3.2.4.1.1 / 3.3.4.1.1 but were not; null when that
    /// cannot be told (SMB1, or the NEGOTIATE or final SESSION_SETUP is not in the capture).</summary>
    public long? UnsignedWhileRequired { get; internal init; }

    /// <summary>From the final SESSION_SETUP response's SessionFlags (IS_GUEST) or the SMB1 Action field; null when not captured.</summary>
    public bool? Guest { get; internal init; }

    /// <summary>From the final SESSION_SETUP response's SessionFlags (IS_NULL); null when not captured or SMB1.</summary>
    public bool? Anonymous { get; internal init; }

    /// <summary>True once the capture showed a successful SESSION_SETUP response for this session.</summary>
    public bool Established { get; internal init; }

    /// <summary>Frames of the first unsigned-while-required messages (at most 10).</summary>
    public IReadOnlyList<long> UnsignedWhileRequiredFrames { get; internal init; } = [];

    /// <summary>User name from the captured NTLM AUTHENTICATE; null when not captured (or not NTLM).</summary>
    public string? User { get; internal init; }

    /// <summary>Domain from the captured NTLM AUTHENTICATE.</summary>
    public string? Domain { get; internal init; }

    /// <summary>"NTLM", "Kerberos", or another SPNEGO mechanism name, from the SESSION_SETUP tokens; null when not captured.</summary>
    public string? Authentication { get; internal init; }

    /// <summary>The decrypted Kerberos exchange (with --keytab); null otherwise.</summary>
    public KerberosSessionInfo? Kerberos { get; internal init; }

    /// <summary>Where the signing key came from, or why there is none.</summary>
    public SessionKeyStatus KeyStatus { get; internal init; }

    /// <summary>Why the key is missing, in plain words (no secrets); null when there is a key or none was asked for.</summary>
    public string? KeyNote { get; internal init; }

    /// <summary>Signed messages whose signature verified; null when verification was not asked for.</summary>
    public long? Verified { get; internal init; }

    /// <summary>Signed messages whose signature did not verify; null when verification was not asked for.</summary>
    public long? Failed { get; internal init; }

    /// <summary>Signed messages that could not be checked (no key, wrong password, lost sequence); null when verification was not asked for.</summary>
    public long? NotCheckable { get; internal init; }

    /// <summary>The first failed messages (at most <see cref="MaxFailures"/>; <see cref="Failed"/> has the full count).</summary>
    public IReadOnlyList<SignatureFailure> Failures { get; internal init; } = [];
}

/// <summary>What one TCP connection's SMB traffic showed: a result, built once by <see cref="CaptureSummaryBuilder.Build"/>
/// from the analysis' own state and never changed afterwards.</summary>
public sealed record ConnectionSummary
{
    internal ConnectionSummary(TcpConnectionInfo connection)
    {
        Connection = connection;
    }

    public TcpConnectionInfo Connection { get; }

    /// <summary>The capture file it came from (null for a single unnamed stream).</summary>
    public string? Source { get; internal init; }

    /// <summary>The dialect from the last NEGOTIATE response (SMB2 DialectRevision, or <see cref="Protocol.Dialect.Smb1"/>
    /// for an NT LM 0.12 SMB1 response); null when no response was captured.</summary>
    public Dialect? Dialect { get; internal init; }

    /// <summary>The client's SecurityMode from its NEGOTIATE request (SMB2 u16 at header offset 68).</summary>
    public ushort? ClientSecurityMode { get; internal init; }

    /// <summary>The server's SecurityMode from its NEGOTIATE response (SMB2 u16 at 66; SMB1 byte after DialectIndex).</summary>
    public ushort? ServerSecurityMode { get; internal init; }

    /// <summary>SMB2: SIGNING_REQUIRED (0x2) in the client's NEGOTIATE request; SMB1: SECURITY_SIGNATURE_REQUIRED in
    /// the client's Flags2. Null when not captured.</summary>
    public bool? ClientRequiresSigning { get; internal init; }

    /// <summary>SMB2: SIGNING_REQUIRED in the NEGOTIATE response; SMB1: NEGOTIATE_SECURITY_SIGNATURES_REQUIRED (0x08).</summary>
    public bool? ServerRequiresSigning { get; internal init; }

    /// <summary>The signing algorithm of the connection: by dialect, at 3.1.1 from the NEGOTIATE response's
    /// SIGNING_CAPABILITIES context (AES-CMAC without it), MD5 for SMB1; null when the NEGOTIATE response was not captured.</summary>
    public SigningAlgorithm? SigningAlgorithm { get; internal init; }

    /// <summary>True when the client opened with an SMB1 NEGOTIATE (a multi-protocol negotiate), whatever was chosen.</summary>
    public bool ClientOfferedSmb1 { get; internal init; }

    public long Messages { get; internal init; }

    public long Signed { get; internal init; }

    public long Unsigned { get; internal init; }

    public long Encrypted { get; internal init; }

    public long Compressed { get; internal init; }

    public long Smb1Messages { get; internal init; }

    public long Gaps { get; internal init; }

    public long GapBytes { get; internal init; }

    /// <summary>Frames lost to gaps, incomplete at the end, or malformed.</summary>
    public long UnreadableFrames { get; internal init; }

    /// <summary>Sessions in order of first appearance; SessionId 0 (NEGOTIATE, first SESSION_SETUP) is not a session and is not listed.</summary>
    public IReadOnlyList<SessionSummary> Sessions { get; internal init; } = [];

    /// <summary>True when either side required signing (SMB2: [MS-SMB2] 3.2.5.3.1, 3.3.5.5.3; SMB1: a Required side
    /// signs with any peer that allows it); false when both sides' modes were captured and neither required it; null
    /// when the NEGOTIATE was not captured.</summary>
    public bool? SigningRequired => SigningRequiredBy(Dialect, ClientRequiresSigning, ServerRequiresSigning);

    /// <summary>The rule of <see cref="SigningRequired"/>, shared with the analysis, which needs it before the result exists.</summary>
    internal static bool? SigningRequiredBy(Dialect? dialect, bool? client, bool? server)
    {
        if (dialect is null)
        {
            return null;
        }

        if (client == true || server == true)
        {
            return true;
        }

        return client is null || server is null ? null : false;
    }
}

/// <summary>One capture file read to its end.</summary>
/// <param name="Source">File name, or "-" for stdin.</param>
/// <param name="Run">Format, counters and truncation.</param>
public sealed record CaptureSource(string Source, CaptureRunResult Run);

/// <summary>The whole report: connections, findings and gap count; with credentials, signature verification results.</summary>
public sealed record CaptureSummary(
    IReadOnlyList<CaptureSource> Sources,
    IReadOnlyList<ConnectionSummary> Connections,
    IReadOnlyList<CaptureFinding> Findings,
    long Gaps,
    long GapBytes)
{
    /// <summary>True when signatures were verified (a password or keys file was given).</summary>
    public bool Verifying { get; init; }

    /// <summary>Signatures that did not verify, over all sessions.</summary>
    public long SignatureFailures => Connections.Sum(c => c.Sessions.Sum(s => s.Failed ?? 0));

    /// <summary>Sessions whose captured AUTHENTICATE does not match the given password.</summary>
    public long WrongPasswordSessions => Connections.Sum(c => c.Sessions.Count(s => s.KeyStatus == SessionKeyStatus.WrongPassword));

    /// <summary>Kerberos sessions whose tokens fail their integrity check under the keytab's keys.</summary>
    public long WrongKeySessions => Connections.Sum(c => c.Sessions.Count(s => s.KeyStatus == SessionKeyStatus.WrongKey));

    /// <summary>Messages that were not signed although signing was required ([MS-SMB2] 3.2.4.1.1, 3.3.4.1.1), over all
    /// sessions; sessions where this cannot be told count 0.</summary>
    public long UnsignedWhileRequired => Connections.Sum(c => c.Sessions.Sum(s => s.UnsignedWhileRequired ?? 0));
}
