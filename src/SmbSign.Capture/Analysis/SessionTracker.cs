using System.Globalization;
using System.Security.Cryptography;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Kerberos;
using SmbSign.Protocol.Security.Ntlm;
using SmbSign.Protocol.Security.Ntlmssp;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Protocol.Smb2.SessionSetup;
using SmbSign.Capture.Smb;

namespace SmbSign.Capture.Analysis;

/// <summary>Verification state of one connection: the NEGOTIATE messages (3.1.1 preauth hash), first SESSION_SETUP
/// legs not yet bound to a SessionId (by MessageId), and the SMB1 MAC key and sequence counter.</summary>
internal sealed class TrackedConnection : IDisposable
{
    public const int MaxPending = 64;

    public byte[]? NegotiateRequest { get; set; }

    public byte[]? NegotiateResponse { get; set; }

    public Dialect? Dialect { get; set; }

    public SigningAlgorithm Algorithm { get; set; }

    public Dictionary<ulong, TrackedSession> Pending { get; } = [];

    public Smb1MessageSigner? Smb1Signer { get; set; }

    public Smb1SigningSequence? Smb1Sequence { get; set; }

    /// <summary>SMB1 signing is active on the connection (the final SESSION_SETUP_ANDX response was signed).</summary>
    public bool Smb1SigningActive { get; set; }

    /// <summary>Sequence numbers of SMB1 requests awaiting their response, by MID | PID &lt;&lt; 16.</summary>
    public Dictionary<uint, uint> Smb1PendingSequence { get; } = [];

    /// <summary>A frame was lost after SMB1 signing started: the sequence numbers can no longer be followed.</summary>
    public bool Smb1SequenceLost { get; set; }

    public void Dispose()
    {
        foreach (TrackedSession pending in Pending.Values)
        {
            pending.Dispose();
        }

        Pending.Clear();
        Smb1Signer?.Dispose();
        Smb1Signer = null;
        Smb1PendingSequence.Clear();
    }
}

/// <summary>Verification state of one session: its key schedule (preauth hash at 3.1.1), the server challenge, the
/// recovered session key until the final SESSION_SETUP response, then the signer.</summary>
internal sealed class TrackedSession : IDisposable
{
    public Smb2KeySchedule? Schedule { get; set; }

    public byte[]? ServerChallenge { get; set; }

    public string? Mechanism { get; set; }

    public byte[]? SessionKey { get; set; }

    /// <summary>The client's GSS-API Kerberos token (AP-REQ) from the SESSION_SETUP request.</summary>
    public byte[]? KerberosApReq { get; set; }

    /// <summary>The server's GSS-API Kerberos token (AP-REP) from the SESSION_SETUP response.</summary>
    public byte[]? KerberosApRep { get; set; }

    public Smb2MessageSigner? Signer { get; set; }

    public bool Established { get; set; }

    public void Dispose()
    {
        Schedule?.Dispose();
        Schedule = null;
        Signer = null; // owned by the schedule
        if (SessionKey is not null)
        {
            CryptographicOperations.ZeroMemory(SessionKey);
            SessionKey = null;
        }
    }
}

/// <summary>
/// Signature verification over the capture's message stream, driven by
/// <see cref="CaptureSummaryBuilder"/> with the summaries it keeps: per connection it copies the NEGOTIATE request and
/// response, replays every SESSION_SETUP leg through the session client's own <see cref="Smb2KeySchedule"/> (3.1.1
/// preauth hash in wire order), reads the NTLM CHALLENGE and AUTHENTICATE from the SPNEGO tokens, recovers the session
/// key from the password (<see cref="NtlmCrypto.RecoverSessionKey"/>: NTProofStr check, SessionBaseKey, RC4 under
/// KEY_EXCH) or takes it from the keys file, derives the signing key when the final SESSION_SETUP response arrives and
/// verifies every signed message with <see cref="Smb2MessageSigner"/> (SMB1: <see cref="Smb1MessageSigner"/> with
/// <see cref="Smb1SigningSequence"/>). Without credentials it only reads user, domain, mechanism and algorithm.
/// </summary>
internal sealed class SessionTracker
{
    private const byte Smb1CommandSessionSetupAndX = 0x73;
    private const byte Smb1CommandNtCancel = 0xA4;
    private const ushort Smb2SessionSetupFlagBinding = 0x01;

    private const int MaxInternedNames = 4096;

    private readonly CaptureCredentials? _credentials;

    /// <summary>User and domain names seen, so a capture of many sessions of few users keeps one string per name.</summary>
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public SessionTracker(CaptureCredentials? credentials)
    {
        _credentials = credentials;
    }

    public bool Verifying => _credentials is not null;

    /// <summary>Called for every SMB2 message; <paramref name="session"/> is null for SessionId 0.</summary>
    public void OnSmb2(ConnectionSummary connection, SessionSummary? session, in CapturedSmbMessage message)
    {
        Smb2Header header = message.Smb2Header;
        ReadOnlySpan<byte> bytes = message.Bytes.Span;
        switch (header.Command)
        {
            case Smb2Command.Negotiate:
                OnNegotiate(connection, bytes, message.IsResponse);
                return;
            case Smb2Command.SessionSetup:
                OnSessionSetup(connection, session, message);
                break;
        }

        if (session is not null && Verifying && header.IsSigned)
        {
            Verify(session, message);
        }
    }

    /// <summary>Called for every SMB1 message; <paramref name="session"/> is null for UID 0.</summary>
    public void OnSmb1(ConnectionSummary connection, SessionSummary? session, in CapturedSmbMessage message)
    {
        Smb1HeaderFields header = message.Smb1Header;
        TrackedConnection state = connection.Tracking ??= new TrackedConnection();
        if (header.Command == Smb1CommandSessionSetupAndX)
        {
            OnSmb1SessionSetup(connection, state, session, message);
            return;
        }

        if (state.Smb1Sequence is null)
        {
            if (session is not null && Verifying && message.IsSigned)
            {
                NotCheckable(session);
            }

            return;
        }

        uint? sequence = NextSmb1Sequence(state, message);
        if (session is null || !Verifying || !message.IsSigned)
        {
            return;
        }

        if (sequence is null || state.Smb1Signer is null || state.Smb1SequenceLost)
        {
            NotCheckable(session);
            return;
        }

        Record(session, state.Smb1Signer.Verify(message.Bytes.Span, sequence.Value), message, Smb1Name(header.Command), header.MultiplexId);
    }

    /// <summary>A lost or skipped frame: SMB2 messages stay independent, but SMB1 sequence numbers cannot be followed past it.</summary>
    public static void OnFrameLost(ConnectionSummary connection)
    {
        if (connection.Tracking is { Smb1Sequence: not null } state)
        {
            state.Smb1SequenceLost = true;
        }
    }

    /// <summary>Frees the connection's keys and copies (the counts stay in the summaries).</summary>
    public static void OnConnectionClosed(ConnectionSummary connection)
    {
        connection.Tracking?.Dispose();
        connection.Tracking = null;
        foreach (SessionSummary session in connection.Sessions)
        {
            session.Tracking?.Dispose();
            session.Tracking = null;
        }
    }

    private static void OnNegotiate(ConnectionSummary connection, ReadOnlySpan<byte> bytes, bool isResponse)
    {
        TrackedConnection state = connection.Tracking ??= new TrackedConnection();
        if (!isResponse)
        {
            state.NegotiateRequest = bytes.ToArray();
            return;
        }

        Smb2NegotiateResponse response;
        try
        {
            response = Smb2NegotiateResponse.Parse(bytes);
        }
        catch (SmbProtocolException)
        {
            return; // an error response or a malformed one: no dialect
        }

        if (response.DialectRevision == Dialect.Smb2Wildcard)
        {
            return; // the multi-protocol step; the real NEGOTIATE follows
        }

        if (!response.DialectRevision.IsSmb2Family())
        {
            // [MS-SMB2] 2.2.4: DialectRevision is one the client offered (0x0202-0x0311). Any other value has no
            // signing algorithm to verify with, so the connection stays without one (reported, never verified).
            return;
        }

        state.Dialect = response.DialectRevision;
        state.Algorithm = response.ConnectionSigningAlgorithm ?? response.DialectRevision.DefaultSigningAlgorithm();
        state.NegotiateResponse = bytes.ToArray();
        connection.SigningAlgorithm = state.Algorithm;
    }

    private Smb2KeySchedule? NewSchedule(TrackedConnection state)
    {
        if (!Verifying || state.Dialect is not { } dialect || dialect < Dialect.Smb202 || dialect > Dialect.Smb311)
        {
            return null;
        }

        if (dialect == Dialect.Smb311 && (state.NegotiateRequest is null || state.NegotiateResponse is null))
        {
            return null;
        }

        return Smb2KeySchedule.AfterNegotiate(dialect, state.Algorithm, state.NegotiateRequest ?? [], state.NegotiateResponse ?? []);
    }

    private void OnSessionSetup(ConnectionSummary connection, SessionSummary? session, in CapturedSmbMessage message)
    {
        TrackedConnection state = connection.Tracking ??= new TrackedConnection();
        Smb2Header header = message.Smb2Header;
        ReadOnlySpan<byte> bytes = message.Bytes.Span;
        if (!message.IsResponse)
        {
            Smb2SessionSetupRequest request;
            try
            {
                request = Smb2SessionSetupRequest.Parse(bytes);
            }
            catch (SmbProtocolException)
            {
                return;
            }

            if (session is null)
            {
                // First leg: no SessionId yet; the response with the same MessageId names the session.
                if (state.Pending.Count >= TrackedConnection.MaxPending)
                {
                    foreach (TrackedSession stale in state.Pending.Values)
                    {
                        stale.Dispose();
                    }

                    state.Pending.Clear();
                }

                var pending = new TrackedSession { Schedule = NewSchedule(state) };
                pending.Schedule?.OnSessionSetupRequest(bytes);
                ReadToken(pending, null, request.SecurityBuffer.Span);
                if (state.Pending.Remove(header.MessageId, out TrackedSession? replaced))
                {
                    replaced.Dispose();
                }

                state.Pending[header.MessageId] = pending;
                return;
            }

            TrackedSession tracked = session.Tracking ??= new TrackedSession { Schedule = session.Established ? null : NewSchedule(state) };
            if (tracked.Established)
            {
                return; // re-authentication keeps the session's keys
            }

            if (((byte)request.Flags & Smb2SessionSetupFlagBinding) != 0)
            {
                SetKeyStatus(session, SessionKeyStatus.Unsupported, "session binding (multichannel): the channel key needs the master session's SESSION_SETUP on another connection");
                tracked.Schedule?.Dispose();
                tracked.Schedule = null;
                return;
            }

            tracked.Schedule?.OnSessionSetupRequest(bytes);
            ReadToken(tracked, session, request.SecurityBuffer.Span);
            return;
        }

        if (session is null)
        {
            return;
        }

        if (session.Tracking is null && state.Pending.Remove(header.MessageId, out TrackedSession? first))
        {
            session.Tracking = first;
        }

        TrackedSession current = session.Tracking ??= new TrackedSession();
        session.Authentication ??= current.Mechanism;
        if (current.Established)
        {
            return;
        }

        Smb2SessionSetupResponse response;
        try
        {
            response = Smb2SessionSetupResponse.Parse(bytes);
        }
        catch (SmbProtocolException)
        {
            return;
        }

        if (header.Status == NtStatus.MoreProcessingRequired)
        {
            current.Schedule?.OnSessionSetupResponse(bytes);
            ReadToken(current, session, response.SecurityBuffer.Span);
            return;
        }

        if (header.Status != NtStatus.Success)
        {
            return;
        }

        current.Established = true;
        if (response.IsGuest || response.IsNull)
        {
            SetKeyStatus(session, SessionKeyStatus.NotNeeded, null);
            return;
        }

        // The final response carries the acceptor's last token: with Kerberos, the AP-REP whose sub-key may be the
        // session key (RFC 4121 §2). Reading it changes nothing for NTLM, whose last token holds no NTLMSSP message.
        ReadToken(current, session, response.SecurityBuffer.Span);
        CompleteKeys(state, session, current, header.SessionId);
    }

    /// <summary>At the final SESSION_SETUP response: the recovered or keys-file session key plus the preauth hash so far
    /// give the signing key; the response itself is verified with it next.</summary>
    private void CompleteKeys(TrackedConnection state, SessionSummary session, TrackedSession tracked, ulong sessionId)
    {
        if (!Verifying)
        {
            return;
        }

        byte[]? key = tracked.SessionKey;
        SessionKeyStatus source = SessionKeyStatus.Password;
        if (key is null && tracked.KerberosApReq is not null && _credentials!.KeytabFileCount > 0)
        {
            key = RecoverKerberosKey(session, tracked);
            source = SessionKeyStatus.Keytab;
        }

        if (key is null && _credentials!.FindSessionKey(sessionId) is { } fromFile)
        {
            key = fromFile.SessionKey;
            source = SessionKeyStatus.KeysFile;
        }

        if (key is null)
        {
            if (session.KeyStatus == SessionKeyStatus.NotRequested)
            {
                SetKeyStatus(session, SessionKeyStatus.NoKey, NoKeyReason(session));
            }

            return;
        }

        if (tracked.Schedule is null)
        {
            tracked.Schedule = state.Dialect is null or Dialect.Smb311 ? null : NewSchedule(state);
            if (tracked.Schedule is null)
            {
                SetKeyStatus(session, SessionKeyStatus.SetupNotCaptured, state.Dialect is null
                    ? "the NEGOTIATE is not in the capture, so the dialect and signing algorithm are unknown"
                    : "the 3.1.1 key derivation needs the NEGOTIATE and every SESSION_SETUP leg, and the capture does not show them all");
                return;
            }
        }

        tracked.Signer = tracked.Schedule.Complete(key);
        SetKeyStatus(session, source, null);
    }

    /// <summary>Decrypts the captured AP-REQ (and AP-REP) with the keytab: the GSS session key on success, else null
    /// with the session's status and note saying why (no key for the principal/kvno/type, a key that fails the
    /// integrity check, an unsupported type).</summary>
    private byte[]? RecoverKerberosKey(SessionSummary session, TrackedSession tracked)
    {
        KerberosApReq apReq;
        KerberosEncryptedData? apRep = null;
        try
        {
            apReq = KerberosMessages.DecodeApReq(tracked.KerberosApReq);
            if (tracked.KerberosApRep is not null)
            {
                apRep = KerberosMessages.DecodeApRep(tracked.KerberosApRep);
            }
        }
        catch (SmbProtocolException e)
        {
            SetKeyStatus(session, SessionKeyStatus.Unsupported, $"the Kerberos AP-REQ/AP-REP cannot be decoded ({e.Message})");
            return null;
        }

        KerberosRecovery recovery = KerberosSessionKeyRecovery.Recover(apReq, apRep, _credentials!.KeytabEntries);
        session.Kerberos = new KerberosSessionInfo(
            recovery.ServicePrincipal,
            recovery.ClientPrincipal,
            KerberosEncryptionTypes.GetName(recovery.TicketEncryptionType),
            recovery.Kvno,
            recovery.TicketSessionKeyEncryptionType is { } ticketKeyType ? KerberosEncryptionTypes.GetName(ticketKeyType) : null,
            recovery.SessionKeySource,
            recovery.SessionKeyEncryptionType is { } keyType ? KerberosEncryptionTypes.GetName(keyType) : null);
        switch (recovery.Status)
        {
            case KerberosRecoveryStatus.Recovered:
                if (session.User is null && recovery.ClientPrincipal is { } client)
                {
                    int at = client.LastIndexOf('@');
                    session.User = Intern(at < 0 ? client : client[..at]);
                    session.Domain = at < 0 ? null : Intern(client[(at + 1)..]);
                }

                return recovery.SessionKey;
            case KerberosRecoveryStatus.NoKey:
                SetKeyStatus(session, SessionKeyStatus.NoKey, recovery.Note);
                return null;
            case KerberosRecoveryStatus.UnsupportedEncryption:
                SetKeyStatus(session, SessionKeyStatus.Unsupported, recovery.Note);
                return null;
            default:
                SetKeyStatus(session, SessionKeyStatus.WrongKey, recovery.Note);
                return null;
        }
    }

    private string NoKeyReason(SessionSummary session)
    {
        if (session.Authentication is { } mechanism && mechanism != "NTLM")
        {
            return mechanism == "Kerberos"
                ? (_credentials!.KeytabFileCount == 0
                    ? "it authenticated with Kerberos; its session key needs the server's keytab (--keytab) or a keys file entry"
                    : "it authenticated with Kerberos, but its AP-REQ is not in the capture (and the keys file has no entry for it)")
                : $"it authenticated with {mechanism}; a {mechanism} session key can only come from a keytab (Kerberos) or the keys file";
        }

        string keys = _credentials!.SessionKeyCount > 0 ? " and the keys file has no entry for it" : " and no keys file (--keys) was given";
        if (_credentials.HasPassword && session.User is not null)
        {
            return $"the password given is for {Qualified(_credentials.Domain, _credentials.User!)}, not {Qualified(session.Domain, session.User)},{keys}";
        }

        return session.User is null
            ? "the AUTHENTICATE message is not in the capture" + keys
            : "no password was given for this user" + keys;
    }

    private static string Qualified(string? domain, string user) => string.IsNullOrEmpty(domain) ? user : domain + "\\" + user;

    /// <summary>Reads a SESSION_SETUP security buffer: SPNEGO NegTokenInit / NegTokenResp or a raw NTLMSSP token. The
    /// CHALLENGE gives the server challenge; the AUTHENTICATE the user, domain and (with a password) the session key.</summary>
    private void ReadToken(TrackedSession tracked, SessionSummary? session, ReadOnlySpan<byte> buffer)
    {
        ReadOnlySpan<byte> ntlm = default;
        try
        {
            if (NtlmMessage.IsNtlmssp(buffer))
            {
                ntlm = buffer;
                tracked.Mechanism ??= "NTLM";
            }
            else if (KerberosMessages.IsKerberosToken(buffer))
            {
                // A bare GSS-API Kerberos token, without SPNEGO around it.
                KeepKerberosToken(tracked, buffer);
            }
            else if (!buffer.IsEmpty && buffer[0] == 0x60)
            {
                NegTokenInit init = NegTokenInit.Decode(buffer);
                if (init.MechToken is { } token && NtlmMessage.IsNtlmssp(token.Span))
                {
                    tracked.Mechanism ??= "NTLM";
                    ntlm = token.Span;
                }
                else if (init.MechToken is { } kerberos && KerberosMessages.IsKerberosToken(kerberos.Span))
                {
                    KeepKerberosToken(tracked, kerberos.Span);
                }
                else if (init.MechTypes.Count > 0)
                {
                    tracked.Mechanism ??= MechanismName(init.MechTypes[0]);
                }
            }
            else if (!buffer.IsEmpty && buffer[0] == 0xA1)
            {
                NegTokenResp resp = NegTokenResp.Decode(buffer);
                if (resp.ResponseToken is { } token && NtlmMessage.IsNtlmssp(token.Span))
                {
                    ntlm = token.Span;
                    tracked.Mechanism ??= "NTLM";
                }
                else if (resp.ResponseToken is { } kerberos && KerberosMessages.IsKerberosToken(kerberos.Span))
                {
                    KeepKerberosToken(tracked, kerberos.Span);
                }
                else if (resp.SupportedMech is { } mech)
                {
                    tracked.Mechanism ??= MechanismName(mech);
                }
            }

            if (session is not null)
            {
                session.Authentication ??= tracked.Mechanism;
            }

            if (ntlm.IsEmpty)
            {
                return;
            }

            switch (NtlmMessage.GetMessageType(ntlm))
            {
                case NtlmMessageType.Challenge:
                    tracked.ServerChallenge = NtlmChallengeMessage.Parse(ntlm).ServerChallenge.ToArray();
                    break;
                case NtlmMessageType.Authenticate when session is not null:
                    OnAuthenticate(tracked, session, NtlmAuthenticateMessage.Parse(ntlm));
                    break;
            }
        }
        catch (SmbProtocolException)
        {
            // A token the codecs reject: the session keeps no key (reported as such), the capture goes on.
        }
    }

    /// <summary>Keeps a Kerberos AP-REQ or AP-REP token for the key recovery at the final response (bounded: one of
    /// each per session; a KRB-ERROR is only noted as the mechanism).</summary>
    private static void KeepKerberosToken(TrackedSession tracked, ReadOnlySpan<byte> token)
    {
        tracked.Mechanism ??= "Kerberos";
        switch (KerberosMessages.Unwrap(token, out _))
        {
            case KerberosTokenKind.ApReq:
                tracked.KerberosApReq = token.ToArray();
                tracked.KerberosApRep = null; // a new AP-REQ (e.g. after a KRB-ERROR) starts over
                break;
            case KerberosTokenKind.ApRep:
                tracked.KerberosApRep = token.ToArray();
                break;
        }
    }

    private void OnAuthenticate(TrackedSession tracked, SessionSummary session, NtlmAuthenticateMessage authenticate)
    {
        session.User = Intern(authenticate.UserName ?? string.Empty);
        session.Domain = Intern(authenticate.DomainName ?? string.Empty);
        session.Authentication = "NTLM";
        if (!Verifying || !_credentials!.MatchesUser(session.User, session.Domain))
        {
            return;
        }

        if (tracked.ServerChallenge is null)
        {
            SetKeyStatus(session, SessionKeyStatus.SetupNotCaptured, "the server's CHALLENGE is not in the capture");
            return;
        }

        NtlmKeyRecovery recovery = NtlmCrypto.RecoverSessionKey(_credentials.NtOwfV2(session.User, session.Domain), tracked.ServerChallenge, authenticate);
        switch (recovery.Status)
        {
            case NtlmKeyRecoveryStatus.Recovered:
                tracked.SessionKey = recovery.ExportedSessionKey;
                break;
            case NtlmKeyRecoveryStatus.PasswordMismatch:
                SetKeyStatus(session, SessionKeyStatus.WrongPassword, "the password does not match the captured AUTHENTICATE (NTProofStr check failed)");
                break;
            case NtlmKeyRecoveryStatus.Anonymous:
                SetKeyStatus(session, SessionKeyStatus.NotNeeded, null);
                break;
            default:
                SetKeyStatus(session, SessionKeyStatus.Unsupported, "it authenticated with NTLMv1/LM, whose session key this tool does not derive");
                break;
        }
    }

    private string Intern(string name)
    {
        if (_names.TryGetValue(name, out string? known))
        {
            return known;
        }

        if (_names.Count < MaxInternedNames)
        {
            _names.Add(name, name);
        }

        return name;
    }

    private static string MechanismName(string oid) => oid switch
    {
        SpnegoMechanisms.Ntlmssp => "NTLM",
        SpnegoMechanisms.Kerberos or SpnegoMechanisms.MsKerberos or SpnegoMechanisms.KerberosUserToUser => "Kerberos",
        _ => SpnegoMechanisms.GetName(oid),
    };

    private static void SetKeyStatus(SessionSummary session, SessionKeyStatus status, string? note)
    {
        session.KeyStatus = status;
        session.KeyNote = note;
    }

    private static void Verify(SessionSummary session, in CapturedSmbMessage message)
    {
        if (session.Tracking?.Signer is not { } signer)
        {
            NotCheckable(session);
            return;
        }

        Smb2Header header = message.Smb2Header;
        Record(session, signer.Verify(message.Bytes.Span), message, Smb2CommandNames.Get(header.Command), header.MessageId);
    }

    private static void NotCheckable(SessionSummary session) => session.NotCheckable = (session.NotCheckable ?? 0) + 1;

    private static void Record(SessionSummary session, bool valid, in CapturedSmbMessage message, string command, ulong messageId)
    {
        if (valid)
        {
            session.Verified = (session.Verified ?? 0) + 1;
            return;
        }

        session.Failed = (session.Failed ?? 0) + 1;
        if (session.FailureList.Count < SessionSummary.MaxFailures)
        {
            session.FailureList.Add(new SignatureFailure(message.FrameNumber, command, messageId));
        }
    }

    private void OnSmb1SessionSetup(ConnectionSummary connection, TrackedConnection state, SessionSummary? session, in CapturedSmbMessage message)
    {
        Smb1HeaderFields header = message.Smb1Header;
        ReadOnlySpan<byte> bytes = message.Bytes.Span;
        uint? sequence = state.Smb1Sequence is null ? null : NextSmb1Sequence(state, message);
        if (!message.IsResponse)
        {
            // [MS-SMB] 2.2.4.6.1: the extended-security request has WordCount 12; 13 is the NTLM/LM challenge-response form.
            if (bytes.Length > Smb1HeaderFields.Size && bytes[Smb1HeaderFields.Size] == 13 && session is not null)
            {
                SetKeyStatus(session, SessionKeyStatus.Unsupported, "SMB1 without extended security (LM/NTLM challenge-response in the SESSION_SETUP_ANDX fields)");
            }

            ReadOnlyMemory<byte> blob = ReadOnlyMemory<byte>.Empty;
            try
            {
                if (bytes.Length > Smb1HeaderFields.Size && bytes[Smb1HeaderFields.Size] == 12)
                {
                    blob = SessionSetupAndXRequest.Parse(bytes).SecurityBlob;
                }
            }
            catch (SmbProtocolException)
            {
            }

            if (session is null)
            {
                var pending = new TrackedSession();
                ReadToken(pending, null, blob.Span);
                if (state.Pending.Remove(header.MultiplexId, out TrackedSession? replaced))
                {
                    replaced.Dispose();
                }

                if (state.Pending.Count < TrackedConnection.MaxPending)
                {
                    state.Pending[header.MultiplexId] = pending;
                }
            }
            else
            {
                TrackedSession tracked = session.Tracking ??= new TrackedSession();
                if (!tracked.Established)
                {
                    ReadToken(tracked, session, blob.Span);
                }
            }

            VerifySmb1(state, session, message, sequence);
            return;
        }

        if (session is null)
        {
            return;
        }

        if (session.Tracking is null && state.Pending.Remove(header.MultiplexId, out TrackedSession? first))
        {
            session.Tracking = first;
        }

        TrackedSession current = session.Tracking ??= new TrackedSession();
        session.Authentication ??= current.Mechanism;
        if (current.Established)
        {
            VerifySmb1(state, session, message, sequence);
            return;
        }

        SessionSetupAndXResponse response;
        try
        {
            response = SessionSetupAndXResponse.Parse(bytes);
        }
        catch (SmbProtocolException)
        {
            VerifySmb1(state, session, message, sequence);
            return;
        }

        if (header.Status == NtStatus.MoreProcessingRequired)
        {
            ReadToken(current, session, response.SecurityBlob.Span);
            VerifySmb1(state, session, message, sequence);
            return;
        }

        if (header.Status != NtStatus.Success)
        {
            VerifySmb1(state, session, message, sequence);
            return;
        }

        current.Established = true;
        if (response.IsGuest)
        {
            SetKeyStatus(session, SessionKeyStatus.NotNeeded, null);
            return;
        }

        if (state.Smb1SigningActive || !message.IsSigned)
        {
            // Signing already runs on this connection (its key is the first session's), or this session is not signed.
            VerifySmb1(state, session, message, sequence);
            return;
        }

        // [MS-CIFS] 3.2.5.3: the response that completes the first authenticated logon activates signing; the
        // request counted as 0, this response is 1, the next request 2 (Samba smb_signing_activate).
        state.Smb1SigningActive = true;
        state.Smb1Sequence = new Smb1SigningSequence(2);
        if (!Verifying)
        {
            return;
        }

        byte[]? key = current.SessionKey;
        SessionKeyStatus source = SessionKeyStatus.Password;
        if (key is null && _credentials!.FindSessionKey(header.UserId) is { } fromFile)
        {
            key = fromFile.SessionKey;
            source = SessionKeyStatus.KeysFile;
        }

        if (key is null)
        {
            if (session.KeyStatus == SessionKeyStatus.NotRequested)
            {
                SetKeyStatus(session, SessionKeyStatus.NoKey, NoKeyReason(session));
            }

            NotCheckable(session);
            return;
        }

        byte[] macKey = Smb1Signing.CreateMacKey(key);
        state.Smb1Signer = new Smb1MessageSigner(macKey);
        CryptographicOperations.ZeroMemory(macKey);
        SetKeyStatus(session, source, null);
        Record(session, state.Smb1Signer.Verify(bytes, 1), message, Smb1Name(header.Command), header.MultiplexId);
    }

    private void VerifySmb1(TrackedConnection state, SessionSummary? session, in CapturedSmbMessage message, uint? sequence)
    {
        if (session is null || !Verifying || !message.IsSigned)
        {
            return;
        }

        if (sequence is null || state.Smb1Signer is null || state.Smb1SequenceLost)
        {
            NotCheckable(session);
            return;
        }

        Record(session, state.Smb1Signer.Verify(message.Bytes.Span, sequence.Value), message, Smb1Name(message.Smb1Header.Command), message.Smb1Header.MultiplexId);
    }

    /// <summary>[MS-CIFS] 3.2.4.1.1 / Samba smb_signing_next_seqnum: a request takes the next number (two when a response
    /// follows, one for NT_CANCEL); its response the request's number + 1, matched by MID and PID. Null when the request
    /// was not seen or the message is server-initiated (an oplock break, which is not signed).</summary>
    private static uint? NextSmb1Sequence(TrackedConnection state, in CapturedSmbMessage message)
    {
        Smb1HeaderFields header = message.Smb1Header;
        uint key = header.MultiplexId | ((uint)header.ProcessIdLow << 16);
        Smb1SigningSequence sequence = state.Smb1Sequence!;
        if (!message.IsResponse)
        {
            if (header.Command == Smb1CommandNtCancel)
            {
                return sequence.NextCancel().Request;
            }

            uint request = sequence.NextRequest().Request;
            if (state.Smb1PendingSequence.Count < 4096)
            {
                state.Smb1PendingSequence[key] = request;
            }

            return request;
        }

        if (!header.IsReply)
        {
            return null;
        }

        return state.Smb1PendingSequence.Remove(key, out uint requestSequence) ? Smb1SigningSequence.ResponseFor(requestSequence) : null;
    }

    private static string Smb1Name(byte command) => command switch
    {
        0x04 => "SMB1 CLOSE",
        0x24 => "SMB1 LOCKING_ANDX",
        0x25 => "SMB1 TRANSACTION",
        0x2B => "SMB1 ECHO",
        0x2E => "SMB1 READ_ANDX",
        0x2F => "SMB1 WRITE_ANDX",
        0x32 => "SMB1 TRANSACTION2",
        0x71 => "SMB1 TREE_DISCONNECT",
        0x72 => "SMB1 NEGOTIATE",
        0x73 => "SMB1 SESSION_SETUP_ANDX",
        0x74 => "SMB1 LOGOFF_ANDX",
        0x75 => "SMB1 TREE_CONNECT_ANDX",
        0xA0 => "SMB1 NT_TRANSACT",
        0xA2 => "SMB1 NT_CREATE_ANDX",
        0xA4 => "SMB1 NT_CANCEL",
        _ => string.Create(CultureInfo.InvariantCulture, $"SMB1 0x{command:X2}"),
    };

}
