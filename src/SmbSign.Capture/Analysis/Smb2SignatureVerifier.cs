using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Protocol.Smb2.SessionSetup;
using SmbSign.Capture.Smb;

namespace SmbSign.Capture.Analysis;

/// <summary>
/// SMB2 signature verification on one connection. It keeps copies of the NEGOTIATE request and response (the 3.1.1
/// preauth hash starts with them), the dialect and signing algorithm; replays every SESSION_SETUP leg through the session
/// client's own <see cref="Smb2KeySchedule"/> in wire order; at the final SESSION_SETUP response takes the session key
/// from the <see cref="SessionKeyFinder"/> and derives the signing key; then verifies every signed message of the session
/// with <see cref="Smb2MessageSigner"/>.
/// </summary>
internal sealed class Smb2SignatureVerifier
{
    private const ushort SessionSetupFlagBinding = 0x01;

    private readonly SecurityTokenReader _tokens;
    private readonly SessionKeyFinder? _keys;
    private readonly PendingSessionSetups _pending;
    private byte[]? _negotiateRequest;
    private byte[]? _negotiateResponse;
    private Dialect? _dialect;
    private SigningAlgorithm _algorithm;

    /// <summary><paramref name="keys"/> is null when verification was not asked for: the tokens are still read (user,
    /// domain, mechanism), but no key schedule runs.</summary>
    public Smb2SignatureVerifier(SecurityTokenReader tokens, SessionKeyFinder? keys, PendingSessionSetups pending)
    {
        _tokens = tokens;
        _keys = keys;
        _pending = pending;
    }

    /// <summary>Keeps the NEGOTIATE request, or reads the response: the connection's signing algorithm when the
    /// response names a real SMB2 dialect, else null.</summary>
    public SigningAlgorithm? OnNegotiate(ReadOnlySpan<byte> bytes, bool isResponse)
    {
        if (!isResponse)
        {
            _negotiateRequest = bytes.ToArray();
            return null;
        }

        Smb2NegotiateResponse response;
        try
        {
            response = Smb2NegotiateResponse.Parse(bytes);
        }
        catch (SmbProtocolException)
        {
            return null; // an error response or a malformed one: no dialect
        }

        if (response.DialectRevision == Dialect.Smb2Wildcard)
        {
            return null; // the multi-protocol step; the real NEGOTIATE follows
        }

        if (!response.DialectRevision.IsSmb2Family())
        {
            // [MS-SMB2] 2.2.4: DialectRevision is one the client offered (0x0202-0x0311). Any other value has no
            // signing algorithm to verify with, so the connection stays without one (reported, never verified).
            return null;
        }

        _dialect = response.DialectRevision;
        _algorithm = response.ConnectionSigningAlgorithm ?? response.DialectRevision.DefaultSigningAlgorithm();
        _negotiateResponse = bytes.ToArray();
        return _algorithm;
    }

    /// <summary>A SESSION_SETUP request or response; <paramref name="session"/> is null for SessionId 0.</summary>
    public void OnSessionSetup(SessionTally? session, in CapturedSmbMessage message)
    {
        if (message.IsResponse)
        {
            OnSessionSetupResponse(session, message);
            return;
        }

        ReadOnlySpan<byte> bytes = message.Bytes.Span;
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
            var pending = new SessionVerification { Schedule = NewSchedule() };
            pending.Schedule?.OnSessionSetupRequest(bytes);
            _tokens.Read(pending.Exchange, null, request.SecurityBuffer.Span);
            _pending.AddEvictingAllWhenFull(message.Smb2Header.MessageId, pending);
            return;
        }

        SessionVerification tracked = session.Verification ??= new SessionVerification { Schedule = session.Established ? null : NewSchedule() };
        if (tracked.Established)
        {
            return; // re-authentication keeps the session's keys
        }

        if (((byte)request.Flags & SessionSetupFlagBinding) != 0)
        {
            session.SetKeyStatus(SessionKeyStatus.Unsupported, "session binding (multichannel): the channel key needs the master session's SESSION_SETUP on another connection");
            tracked.Schedule?.Dispose();
            tracked.Schedule = null;
            return;
        }

        tracked.Schedule?.OnSessionSetupRequest(bytes);
        _tokens.Read(tracked.Exchange, session, request.SecurityBuffer.Span);
    }

    /// <summary>Verifies a signed message of the session with its signer; without one (no key, or its SESSION_SETUP
    /// not captured) the message is not checkable.</summary>
    public static void Verify(SessionTally session, in CapturedSmbMessage message)
    {
        if (session.Verification?.Signer is not { } signer)
        {
            session.Signatures.CountNotCheckable();
            return;
        }

        if (signer.Verify(message.Bytes.Span))
        {
            session.Signatures.CountVerified();
            return;
        }

        Smb2Header header = message.Smb2Header;
        session.Signatures.CountFailed(message.FrameNumber, Smb2CommandNames.Get(header.Command), header.MessageId);
    }

    private void OnSessionSetupResponse(SessionTally? session, in CapturedSmbMessage message)
    {
        if (session is null)
        {
            return;
        }

        Smb2Header header = message.Smb2Header;
        ReadOnlySpan<byte> bytes = message.Bytes.Span;
        SessionVerification current = _pending.ForResponse(session, header.MessageId);
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
            _tokens.Read(current.Exchange, session, response.SecurityBuffer.Span);
            return;
        }

        if (header.Status != NtStatus.Success)
        {
            return;
        }

        current.Established = true;
        if (response.IsGuest || response.IsNull)
        {
            session.SetKeyStatus(SessionKeyStatus.NotNeeded, null);
            return;
        }

        // The final response carries the acceptor's last token: with Kerberos, the AP-REP whose sub-key may be the
        // session key (RFC 4121 §2). Reading it changes nothing for NTLM, whose last token holds no NTLMSSP message.
        _tokens.Read(current.Exchange, session, response.SecurityBuffer.Span);
        CompleteKeys(session, current, header.SessionId);
    }

    /// <summary>At the final SESSION_SETUP response: the session key plus the preauth hash so far give the signing key;
    /// the response itself is verified with it next.</summary>
    private void CompleteKeys(SessionTally session, SessionVerification tracked, ulong sessionId)
    {
        if (_keys is null)
        {
            return;
        }

        byte[]? key = _keys.Find(session, tracked.Exchange, sessionId, tryKeytab: true, out SessionKeyStatus source);
        if (key is null)
        {
            return;
        }

        if (tracked.Schedule is null)
        {
            // Before 3.1.1 the signing key needs no hash of the SESSION_SETUP legs, so a session whose first legs are
            // not in the capture can still be verified; at 3.1.1 it cannot.
            tracked.Schedule = _dialect is null or Dialect.Smb311 ? null : NewSchedule();
            if (tracked.Schedule is null)
            {
                session.SetKeyStatus(SessionKeyStatus.SetupNotCaptured, _dialect is null
                    ? "the NEGOTIATE is not in the capture, so the dialect and signing algorithm are unknown"
                    : "the 3.1.1 key derivation needs the NEGOTIATE and every SESSION_SETUP leg, and the capture does not show them all");
                return;
            }
        }

        tracked.Signer = tracked.Schedule.Complete(key);
        session.SetKeyStatus(source, null);
    }

    private Smb2KeySchedule? NewSchedule()
    {
        if (_keys is null || _dialect is not { } dialect || dialect < Dialect.Smb202 || dialect > Dialect.Smb311)
        {
            return null;
        }

        if (dialect == Dialect.Smb311 && (_negotiateRequest is null || _negotiateResponse is null))
        {
            return null;
        }

        return Smb2KeySchedule.AfterNegotiate(dialect, _algorithm, _negotiateRequest ?? [], _negotiateResponse ?? []);
    }
}
