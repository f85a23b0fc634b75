using System.Buffers.Binary;
using System.Globalization;
using SmbSign.Protocol;
using SmbSign.Protocol.Buffers;
using SmbSign.Protocol.Smb2;
using SmbSign.Capture.Smb;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Analysis;

/// <summary>Collects per-connection and per-session counts from the message stream: dialect and SecurityMode of both
/// sides (read from the NEGOTIATE messages with <see cref="SmbReader"/>), SessionFlags of the final SESSION_SETUP
/// response, SIGNED/unsigned/encrypted counts, and which messages had to be signed but were not. With
/// <see cref="CaptureCredentials"/> its <see cref="SessionTracker"/> also verifies every signed message; without them
/// the tracker still reads user, domain, authentication mechanism and signing algorithm.</summary>
public sealed class CaptureSummaryBuilder : ISmbCaptureSink
{
    private const int MaxExampleFrames = 10;
    private const ushort Smb1CommandNegotiate = 0x72;
    private const ushort Smb1CommandSessionSetupAndX = 0x73;
    private const ulong UnsolicitedMessageId = ulong.MaxValue;
    private const uint StatusNetworkSessionExpired = 0xC000_035C;

    private readonly List<ConnectionSummary> _connections = [];
    private readonly Dictionary<TcpConnectionInfo, ConnectionSummary> _byConnection = new(ReferenceEqualityComparer.Instance);
    private readonly List<CaptureSource> _sources = [];
    private readonly SessionTracker _tracker;
    private string? _source;
    private ConnectionSummary? _last;
    private long _gaps;
    private long _gapBytes;

    /// <summary>A builder that counts only (no credentials) or, with <paramref name="credentials"/>, also verifies
    /// signatures. The builder does not own the credentials.</summary>
    public CaptureSummaryBuilder(CaptureCredentials? credentials = null)
    {
        _tracker = new SessionTracker(credentials);
    }

    /// <summary>Names the file whose messages follow (connections remember it).</summary>
    public void BeginSource(string source) => _source = source;

    /// <summary>Records the finished run of the current file.</summary>
    public void EndSource(CaptureRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _sources.Add(new CaptureSource(_source ?? "-", run));
        foreach (ConnectionSummary connection in _byConnection.Values)
        {
            SessionTracker.OnConnectionClosed(connection);
        }

        _byConnection.Clear();
        _last = null;
    }

    public void OnMessage(in CapturedSmbMessage message)
    {
        ConnectionSummary connection = Get(message.Connection);
        connection.Messages++;
        switch (message.Kind)
        {
            case SmbMessageKind.Smb2:
                OnSmb2(connection, message, _tracker);
                break;
            case SmbMessageKind.Smb2Encrypted:
                connection.Encrypted++;
                SessionSummary encrypted = Session(connection, message.SessionId, message.FrameNumber);
                encrypted.Messages++;
                encrypted.Encrypted++;
                break;
            case SmbMessageKind.Smb2Compressed:
                connection.Compressed++;
                break;
            default:
                OnSmb1(connection, message, _tracker);
                break;
        }
    }

    public void OnStreamEvent(in CaptureStreamEvent streamEvent)
    {
        ConnectionSummary connection = Get(streamEvent.Connection);
        switch (streamEvent.Kind)
        {
            case CaptureStreamEventKind.Gap:
                SessionTracker.OnFrameLost(connection);
                connection.Gaps++;
                connection.GapBytes += streamEvent.ByteCount;
                _gaps++;
                _gapBytes += streamEvent.ByteCount;
                break;
            case CaptureStreamEventKind.FrameLost:
            case CaptureStreamEventKind.IncompleteFrameAtEnd:
            case CaptureStreamEventKind.MalformedMessage:
                connection.UnreadableFrames++;
                SessionTracker.OnFrameLost(connection);
                break;
            case CaptureStreamEventKind.Resynchronised:
                SessionTracker.OnFrameLost(connection);
                break;
        }
    }

    /// <summary>Frees the connection's verification state (keys, copies of NEGOTIATE); its counts stay.</summary>
    public void OnConnectionClosed(TcpConnectionInfo connection)
    {
        if (_byConnection.TryGetValue(connection, out ConnectionSummary? summary))
        {
            SessionTracker.OnConnectionClosed(summary);
        }
    }

    /// <summary>The report so far, with findings.</summary>
    public CaptureSummary Build()
    {
        var findings = new List<CaptureFinding>();
        foreach (ConnectionSummary connection in _connections)
        {
            if (_tracker.Verifying)
            {
                CompleteVerification(connection);
            }

            AddFindings(connection, findings);
        }

        foreach (CaptureSource source in _sources)
        {
            if (source.Run.Truncation is { } truncation)
            {
                findings.Add(new CaptureFinding(
                    "truncated", FindingSeverity.Warning,
                    $"{source.Source}: {truncation}; the packets before it were analysed.", null, null, [truncation.FrameNumber]));
            }

            if (source.Run.SkippedRecords is { } skipped)
            {
                findings.Add(new CaptureFinding(
                    "skipped-records", FindingSeverity.Warning,
                    $"{source.Source}: {skipped}.", null, null, [skipped.FirstFrame]));
            }
        }

        if (_gaps > 0)
        {
            long unreadable = _connections.Sum(c => c.UnreadableFrames);
            findings.Add(new CaptureFinding(
                "gaps", FindingSeverity.Warning,
                $"The capture misses bytes: {_gaps} gap(s), {_gapBytes} byte(s) in all; {unreadable} SMB frame(s) could not be read, so their signatures cannot be checked.",
                null, null, []));
        }

        if (_connections.Count == 0)
        {
            findings.Add(new CaptureFinding(
                "no-smb", FindingSeverity.Info,
                "No SMB traffic was found (ports 445 and 139, any --port, and SMB recognised by its protocol id on other ports).", null, null, []));
        }
        else if (!_tracker.Verifying)
        {
            findings.Add(new CaptureFinding(
                "not-verified", FindingSeverity.Info,
                "Signatures were counted from the SIGNED flag, not verified: no password or session keys were given.", null, null, []));
        }

        // Stable: errors first, then warnings, then information, each in connection order.
        var ordered = findings.Select((finding, index) => (finding, index))
            .OrderByDescending(p => p.finding.Severity).ThenBy(p => p.index).Select(p => p.finding).ToList();
        return new CaptureSummary(_sources, _connections, ordered, _gaps, _gapBytes) { Verifying = _tracker.Verifying };
    }

    /// <summary>Verification asked for: every session gets numbers (0, not null) and a key status.</summary>
    private static void CompleteVerification(ConnectionSummary connection)
    {
        foreach (SessionSummary session in connection.Sessions)
        {
            session.Verified ??= 0;
            session.Failed ??= 0;
            session.NotCheckable ??= 0;
            if (session.KeyStatus == SessionKeyStatus.NotRequested)
            {
                if (session.Guest == true || session.Anonymous == true)
                {
                    session.KeyStatus = SessionKeyStatus.NotNeeded;
                }
                else
                {
                    session.KeyStatus = session.Established ? SessionKeyStatus.NoKey : SessionKeyStatus.SetupNotCaptured;
                    session.KeyNote ??= session.Established
                        ? "no password or keys file entry applies to it"
                        : "its SESSION_SETUP is not in the capture";
                }
            }
        }
    }

    private static void AddVerificationFindings(ConnectionSummary connection, SessionSummary session, string where, string id, List<CaptureFinding> findings)
    {
        string who = session.User is null ? string.Empty : $" ({(string.IsNullOrEmpty(session.Domain) ? session.User : session.Domain + "\\" + session.User)})";
        if (session.Authentication == "NTLM")
        {
            findings.Add(new CaptureFinding(
                "ntlm", FindingSeverity.Info,
                $"Session {id}{who} on {where} authenticated with NTLM instead of Kerberos (NTLM can be relayed and its keys follow from the password alone).",
                where, session.SessionId, [session.FirstFrame]));
        }

        if (session.Failed is null)
        {
            return;
        }

        if (session.Failed > 0)
        {
            findings.Add(new CaptureFinding(
                "signature-failed", FindingSeverity.Error,
                session.KeyStatus == SessionKeyStatus.KeysFile && session.Verified == 0 && session.Failed > 1
                    // A keys-file key cannot be checked against the AUTHENTICATE message the way a password is; when
                    // every signature fails, a wrong key explains it far better than every message being altered.
                    ? $"Session {id}{who} on {where}: all {session.Failed} signed message(s) FAILED verification with the key from the keys file: that key is most likely wrong for this session (check the session id and key); tampering alters single messages, not every one."
                    : $"Session {id}{who} on {where}: {session.Failed} of {session.Signed} signed message(s) FAILED verification with the session's key ({session.Verified} verified): the message was altered in transit, or signed with another key.",
                where, session.SessionId, session.Failures.Take(MaxExampleFrames).Select(f => f.Frame).ToList()));
        }

        if (session.KeyStatus == SessionKeyStatus.WrongPassword)
        {
            findings.Add(new CaptureFinding(
                "wrong-password", FindingSeverity.Error,
                $"Session {id}{who} on {where}: the password does not match the captured AUTHENTICATE (NTProofStr check failed), so none of its {session.Signed} signed message(s) could be verified. The key is wrong; this says nothing about tampering.",
                where, session.SessionId, [session.FirstFrame]));
        }
        else if (session.KeyStatus == SessionKeyStatus.WrongKey)
        {
            findings.Add(new CaptureFinding(
                "wrong-key", FindingSeverity.Error,
                $"Session {id}{who} on {where}: {session.KeyNote}; none of its {session.Signed} signed message(s) could be verified.",
                where, session.SessionId, [session.FirstFrame]));
        }
        else if (session.NotCheckable > 0)
        {
            findings.Add(new CaptureFinding(
                "not-checkable", FindingSeverity.Warning,
                $"Session {id}{who} on {where}: {session.NotCheckable} signed message(s) could not be checked: {session.KeyNote ?? "the SMB1 sequence numbers could not be followed past a lost frame"}.",
                where, session.SessionId, [session.FirstFrame]));
        }
        else if (session.Verified > 0 && session.Failed == 0)
        {
            findings.Add(new CaptureFinding(
                "verified", FindingSeverity.Info,
                $"Session {id}{who} on {where}: all {session.Verified} signed message(s) verified ({connection.SigningAlgorithm?.ToDisplayString() ?? "?"}, key from the {session.KeyStatus switch { SessionKeyStatus.KeysFile => "keys file", SessionKeyStatus.Keytab => "keytab", _ => "password" }}).",
                where, session.SessionId, []));
        }
    }

    private static void AddFindings(ConnectionSummary connection, List<CaptureFinding> findings)
    {
        string where = connection.Connection.ToString();
        if (connection.Dialect == Dialect.Smb1 || (connection.Dialect is null && connection.Smb1Messages > 0))
        {
            findings.Add(new CaptureFinding(
                "smb1", FindingSeverity.Warning,
                $"{where} uses SMB1 (NT LM 0.12): {connection.Smb1Messages} SMB1 message(s). SMB1 is deprecated; its MD5 signing is weak.",
                where, null, [connection.Connection.FirstFrame]));
        }

        foreach (SessionSummary session in connection.Sessions)
        {
            string id = FormatSessionId(session.SessionId);
            if (session.Guest == true)
            {
                findings.Add(new CaptureFinding(
                    "guest", FindingSeverity.Warning,
                    $"Session {id} on {where} is a guest session: it has no key and cannot be signed.", where, session.SessionId, [session.FirstFrame]));
            }

            if (session.Anonymous == true)
            {
                findings.Add(new CaptureFinding(
                    "anonymous", FindingSeverity.Warning,
                    $"Session {id} on {where} is anonymous (null session): it has no key and cannot be signed.", where, session.SessionId, [session.FirstFrame]));
            }

            if (session.UnsignedWhileRequired > 0)
            {
                findings.Add(new CaptureFinding(
                    "unsigned-while-required", FindingSeverity.Error,
                    $"Session {id} on {where}: {session.UnsignedWhileRequired} message(s) were not signed although the session requires signing.",
                    where, session.SessionId, session.UnsignedWhileRequiredFrames));
            }

            if (session.Unsigned > 0 && session.Guest != true && session.Anonymous != true)
            {
                if (connection.SigningRequired == false)
                {
                    findings.Add(new CaptureFinding(
                        "not-signed", FindingSeverity.Warning,
                        $"Session {id} on {where} was not protected by signing: neither side required it, and {session.Unsigned} of its {session.Messages} message(s) were unsigned"
                        + (session.Signed > 0 ? $" (the {session.Signed} signed one(s) are those SMB signs regardless, such as the final SESSION_SETUP response or TREE_CONNECT)." : "."),
                        where, session.SessionId, [session.FirstFrame]));
                }
                else if (connection.SigningRequired is null && session.Signed == 0)
                {
                    findings.Add(new CaptureFinding(
                        "not-signed", FindingSeverity.Warning,
                        $"Session {id} on {where} was not signed: none of its {session.Unsigned} message(s) carried a signature (the capture does not show the NEGOTIATE, so who required what is unknown).",
                        where, session.SessionId, [session.FirstFrame]));
                }
            }

            AddVerificationFindings(connection, session, where, id, findings);
            if (session.Encrypted > 0)
            {
                findings.Add(new CaptureFinding(
                    "encrypted", FindingSeverity.Info,
                    $"Session {id} on {where}: {session.Encrypted} message(s) were encrypted; their integrity comes from encryption and they carry no signature to check.",
                    where, session.SessionId, []));
            }
        }
    }

    /// <summary>"0x00000000c7f64283", as Wireshark shows smb2.sesid.</summary>
    public static string FormatSessionId(ulong sessionId) => "0x" + sessionId.ToString("x16", CultureInfo.InvariantCulture);

    private ConnectionSummary Get(TcpConnectionInfo info)
    {
        if (_last is not null && ReferenceEquals(_last.Connection, info))
        {
            return _last;
        }

        if (!_byConnection.TryGetValue(info, out ConnectionSummary? summary))
        {
            summary = new ConnectionSummary(info, _source);
            _byConnection.Add(info, summary);
            _connections.Add(summary);
        }

        _last = summary;
        return summary;
    }

    private static SessionSummary Session(ConnectionSummary connection, ulong sessionId, long frame)
    {
        if (!connection.SessionsById.TryGetValue(sessionId, out SessionSummary? session))
        {
            session = new SessionSummary(sessionId, frame);
            connection.SessionsById.Add(sessionId, session);
            connection.SessionList.Add(session);
        }

        return session;
    }

    private static void OnSmb2(ConnectionSummary connection, in CapturedSmbMessage message, SessionTracker tracker)
    {
        Smb2Header header = message.Smb2Header;
        bool signed = header.IsSigned;
        if (signed)
        {
            connection.Signed++;
        }
        else
        {
            connection.Unsigned++;
        }

        ReadOnlySpan<byte> bytes = message.Bytes.Span;
        if (header.Command == Smb2Command.Negotiate)
        {
            ReadNegotiate(connection, bytes, message.IsResponse);
            tracker.OnSmb2(connection, null, message);
            return;
        }

        if (header.SessionId == 0)
        {
            tracker.OnSmb2(connection, null, message);
            return;
        }

        SessionSummary session = Session(connection, header.SessionId, message.FrameNumber);
        session.Messages++;
        if (signed)
        {
            session.Signed++;
        }
        else
        {
            session.Unsigned++;
        }

        if (header.Command == Smb2Command.SessionSetup && message.IsResponse && header.Status == NtStatus.Success)
        {
            // [MS-SMB2] 2.2.6: StructureSize(2) @64, SessionFlags(2) @66.
            var reader = new SmbReader(bytes, "SESSION_SETUP response", Smb2Header.Size + 2);
            if (reader.Remaining >= 2)
            {
                ushort flags = reader.ReadUInt16();
                session.Guest = (flags & 0x0001) != 0;
                session.Anonymous = (flags & 0x0002) != 0;
                session.Established = true;
                session.UnsignedWhileRequired ??= 0;
            }
        }

        if (!signed && MustBeSigned(connection, session, message))
        {
            session.UnsignedWhileRequired = (session.UnsignedWhileRequired ?? 0) + 1;
            if (session.UnsignedFrames.Count < MaxExampleFrames)
            {
                session.UnsignedFrames.Add(message.FrameNumber);
            }
        }

        tracker.OnSmb2(connection, session, message);
    }

    /// <summary>[MS-SMB2] 3.2.4.1.1 / 3.3.4.1.1 with the exceptions of protocol.md §6: only for an established,
    /// non-guest, non-anonymous session on a connection where either side required signing; never NEGOTIATE, SessionId 0,
    /// SESSION_SETUP requests and interim SESSION_SETUP responses (no key yet), interim STATUS_PENDING responses,
    /// unsolicited breaks (MessageId all ones), or errors about the session itself.</summary>
    private static bool MustBeSigned(ConnectionSummary connection, SessionSummary session, in CapturedSmbMessage message)
    {
        Smb2Header header = message.Smb2Header;
        if (connection.SigningRequired != true || !session.Established || session.Guest != false || session.Anonymous != false)
        {
            return false;
        }

        if (header.Command == Smb2Command.SessionSetup && (!message.IsResponse || header.Status != NtStatus.Success))
        {
            return false;
        }

        if (message.IsResponse && header.Status is NtStatus.Pending or NtStatus.UserSessionDeleted or StatusNetworkSessionExpired)
        {
            return false;
        }

        return header.MessageId != UnsolicitedMessageId;
    }

    private static void ReadNegotiate(ConnectionSummary connection, ReadOnlySpan<byte> bytes, bool isResponse)
    {
        if (isResponse)
        {
            // [MS-SMB2] 2.2.4: StructureSize(2) @64, SecurityMode(2) @66, DialectRevision(2) @68.
            var reader = new SmbReader(bytes, "NEGOTIATE response", Smb2Header.Size + 2);
            if (reader.Remaining < 4)
            {
                return;
            }

            ushort securityMode = reader.ReadUInt16();
            var dialect = (Dialect)reader.ReadUInt16();
            connection.ServerSecurityMode = securityMode;
            connection.ServerRequiresSigning = (securityMode & (ushort)Smb2SecurityMode.SigningRequired) != 0;
            if (dialect != Dialect.Smb2Wildcard || connection.Dialect is null)
            {
                connection.Dialect = dialect;
            }
        }
        else
        {
            // [MS-SMB2] 2.2.3: StructureSize(2) @64, DialectCount(2) @66, SecurityMode(2) @68.
            var reader = new SmbReader(bytes, "NEGOTIATE request", Smb2Header.Size + 4);
            if (reader.Remaining < 2)
            {
                return;
            }

            ushort securityMode = reader.ReadUInt16();
            connection.ClientSecurityMode = securityMode;
            connection.ClientRequiresSigning = (securityMode & (ushort)Smb2SecurityMode.SigningRequired) != 0;
        }
    }

    private static void OnSmb1(ConnectionSummary connection, in CapturedSmbMessage message, SessionTracker tracker)
    {
        connection.Smb1Messages++;
        Smb1HeaderFields header = message.Smb1Header;
        bool signed = message.IsSigned;
        if (signed)
        {
            connection.Signed++;
        }
        else
        {
            connection.Unsigned++;
        }

        ReadOnlySpan<byte> bytes = message.Bytes.Span;
        if (header.Command == Smb1CommandNegotiate)
        {
            if (!header.IsReply)
            {
                connection.ClientOfferedSmb1 = true;
                if ((header.Flags2 & Smb1HeaderFields.Flags2SecuritySignatureRequired) != 0)
                {
                    connection.ClientRequiresSigning = true;
                }

                return;
            }

            // [MS-CIFS] 2.2.4.52.2: WordCount(1) @32; NT LM 0.12 has 17 words: DialectIndex(2) @33, SecurityMode(1) @35.
            if (bytes.Length >= 36 && bytes[32] == 17 && BinaryPrimitives.ReadUInt16LittleEndian(bytes[33..]) != 0xFFFF)
            {
                byte securityMode = bytes[35];
                connection.Dialect = Dialect.Smb1;
                connection.SigningAlgorithm = SigningAlgorithm.Md5Smb1;
                connection.ServerSecurityMode = securityMode;
                connection.ServerRequiresSigning = (securityMode & 0x08) != 0;
            }

            return;
        }

        if (!header.IsReply && (header.Flags2 & Smb1HeaderFields.Flags2SecuritySignatureRequired) != 0)
        {
            connection.ClientRequiresSigning = true;
        }

        if (header.UserId == 0)
        {
            tracker.OnSmb1(connection, null, message);
            return;
        }

        SessionSummary session = Session(connection, header.UserId, message.FrameNumber);
        session.Messages++;
        if (signed)
        {
            session.Signed++;
        }
        else
        {
            session.Unsigned++;
        }

        // [MS-CIFS] 2.2.4.53.2: WordCount(1) @32 (3 or 4), AndXCommand(1), AndXReserved(1), AndXOffset(2), Action(2) @37.
        if (header.Command == Smb1CommandSessionSetupAndX && header.IsReply && header.Status == NtStatus.Success
            && bytes.Length >= 39 && bytes[32] is 3 or 4)
        {
            session.Guest = (BinaryPrimitives.ReadUInt16LittleEndian(bytes[37..]) & 0x0001) != 0;
            session.Established = true;
        }

        tracker.OnSmb1(connection, session, message);
    }
}
