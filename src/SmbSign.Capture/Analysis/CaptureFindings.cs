using SmbSign.Protocol;

namespace SmbSign.Capture.Analysis;

/// <summary>The findings of a capture, read from the finished results: per connection and session in connection order,
/// then per file (truncation, skipped records), then the capture as a whole; errors first, then warnings, then
/// information, each in that order.</summary>
internal static class CaptureFindings
{
    private const int MaxExampleFrames = 10;

    public static IReadOnlyList<CaptureFinding> For(
        IReadOnlyList<CaptureSource> sources, IReadOnlyList<ConnectionSummary> connections, long gaps, long gapBytes, bool verifying)
    {
        var findings = new List<CaptureFinding>();
        foreach (ConnectionSummary connection in connections)
        {
            AddConnectionFindings(connection, findings);
        }

        foreach (CaptureSource source in sources)
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

        if (gaps > 0)
        {
            long unreadable = connections.Sum(c => c.UnreadableFrames);
            findings.Add(new CaptureFinding(
                "gaps", FindingSeverity.Warning,
                $"The capture misses bytes: {gaps} gap(s), {gapBytes} byte(s) in all; {unreadable} SMB frame(s) could not be read, so their signatures cannot be checked.",
                null, null, []));
        }

        if (connections.Count == 0)
        {
            findings.Add(new CaptureFinding(
                "no-smb", FindingSeverity.Info,
                "No SMB traffic was found (ports 445 and 139, any --port, and SMB recognised by its protocol id on other ports).", null, null, []));
        }
        else if (!verifying)
        {
            findings.Add(new CaptureFinding(
                "not-verified", FindingSeverity.Info,
                "Signatures were counted from the SIGNED flag, not verified: no password or session keys were given.", null, null, []));
        }

        // Stable: errors first, then warnings, then information, each in connection order.
        return [.. findings.Select((finding, index) => (finding, index))
            .OrderByDescending(p => p.finding.Severity).ThenBy(p => p.index).Select(p => p.finding)];
    }

    private static void AddConnectionFindings(ConnectionSummary connection, List<CaptureFinding> findings)
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
            string id = CaptureSummaryBuilder.FormatSessionId(session.SessionId);
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
                where, session.SessionId, [.. session.Failures.Take(MaxExampleFrames).Select(f => f.Frame)]));
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
}
