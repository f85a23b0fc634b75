namespace SmbSign.Capture.Analysis;

/// <summary>The analysis' running counts for one session (SMB2 SessionId or SMB1 UID): what the builder counts from the
/// headers, what the session tracker read from the SESSION_SETUP tokens and the signature verdicts. Only the analysis
/// writes it; <see cref="ToSummary"/> turns it into the write-once <see cref="SessionSummary"/>.</summary>
internal sealed class SessionTally
{
    private const int MaxUnsignedFrames = 10;

    /// <summary>Made on the first such frame: most sessions have none, and a capture may hold many sessions.</summary>
    private List<long>? _unsignedFrames;

    public SessionTally(ulong sessionId, long firstFrame)
    {
        SessionId = sessionId;
        FirstFrame = firstFrame;
    }

    public ulong SessionId { get; }

    public long FirstFrame { get; }

    public long Messages { get; set; }

    public long Signed { get; set; }

    public long Unsigned { get; set; }

    public long Encrypted { get; set; }

    /// <summary>Null until the final SESSION_SETUP response shows whether signing applies (see <see cref="SessionSummary.UnsignedWhileRequired"/>).</summary>
    public long? UnsignedWhileRequired { get; set; }

    public bool? Guest { get; set; }

    public bool? Anonymous { get; set; }

    /// <summary>The builder saw the successful SESSION_SETUP response (from the header and SessionFlags).</summary>
    public bool Established { get; set; }

    public string? User { get; set; }

    public string? Domain { get; set; }

    public string? Authentication { get; set; }

    public KerberosSessionInfo? Kerberos { get; set; }

    public SessionKeyStatus KeyStatus { get; private set; }

    public string? KeyNote { get; private set; }

    public SignatureTally Signatures { get; } = new();

    /// <summary>The session's keys and SESSION_SETUP replay; dropped (and wiped) when the connection closes.</summary>
    public SessionVerification? Verification { get; set; }

    public void SetKeyStatus(SessionKeyStatus status, string? note)
    {
        KeyStatus = status;
        KeyNote = note;
    }

    public void CountUnsignedWhileRequired(long frame)
    {
        UnsignedWhileRequired = (UnsignedWhileRequired ?? 0) + 1;
        _unsignedFrames ??= [];
        if (_unsignedFrames.Count < MaxUnsignedFrames)
        {
            _unsignedFrames.Add(frame);
        }
    }

    /// <summary>The result. When verifying, every session gets numbers (0, not null) and a key status: one never asked
    /// about is either keyless by nature (guest, anonymous) or lacks a key or its SESSION_SETUP.</summary>
    public SessionSummary ToSummary(bool verifying)
    {
        SessionKeyStatus keyStatus = KeyStatus;
        string? keyNote = KeyNote;
        if (verifying && keyStatus == SessionKeyStatus.NotRequested)
        {
            if (Guest == true || Anonymous == true)
            {
                keyStatus = SessionKeyStatus.NotNeeded;
            }
            else
            {
                keyStatus = Established ? SessionKeyStatus.NoKey : SessionKeyStatus.SetupNotCaptured;
                keyNote ??= Established ? "no password or keys file entry applies to it" : "its SESSION_SETUP is not in the capture";
            }
        }

        return new SessionSummary
        {
            SessionId = SessionId,
            FirstFrame = FirstFrame,
            Messages = Messages,
            Signed = Signed,
            Unsigned = Unsigned,
            Encrypted = Encrypted,
            UnsignedWhileRequired = UnsignedWhileRequired,
            Guest = Guest,
            Anonymous = Anonymous,
            Established = Established,
            UnsignedWhileRequiredFrames = _unsignedFrames is null ? [] : [.. _unsignedFrames],
            User = User,
            Domain = Domain,
            Authentication = Authentication,
            Kerberos = Kerberos,
            KeyStatus = keyStatus,
            KeyNote = keyNote,
            Verified = verifying ? Signatures.Verified : null,
            Failed = verifying ? Signatures.Failed : null,
            NotCheckable = verifying ? Signatures.NotCheckable : null,
            Failures = Signatures.Failures,
        };
    }
}

/// <summary>Signature verdicts of one session: verified, failed (with the first <see cref="SessionSummary.MaxFailures"/>
/// failures) and not checkable. Only counted when verification was asked for.</summary>
internal sealed class SignatureTally
{
    /// <summary>Made on the first failure: most sessions have none.</summary>
    private List<SignatureFailure>? _failures;

    public long Verified { get; private set; }

    public long Failed { get; private set; }

    public long NotCheckable { get; private set; }

    public IReadOnlyList<SignatureFailure> Failures => _failures is null ? [] : [.. _failures];

    public void CountVerified() => Verified++;

    public void CountNotCheckable() => NotCheckable++;

    /// <summary>Called for failures only, so callers format the command name only then (most signatures verify).</summary>
    public void CountFailed(long frame, string command, ulong messageId)
    {
        Failed++;
        _failures ??= [];
        if (_failures.Count < SessionSummary.MaxFailures)
        {
            _failures.Add(new SignatureFailure(frame, command, messageId));
        }
    }
}
