using System.Globalization;
using System.Security.Cryptography;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Capture.Smb;

namespace SmbSign.Capture.Analysis;

/// <summary>
/// SMB1 signature verification on one connection ([MS-CIFS] 3.1.5.1): one MAC key for the connection (the first
/// authenticated session's), and a sequence number per message that both sides count from the SESSION_SETUP_ANDX
/// response that activated signing. A lost frame makes the numbers impossible to follow, so from then on signed
/// messages are not checkable rather than failed.
/// </summary>
internal sealed class Smb1SignatureVerifier : IDisposable
{
    private const byte CommandSessionSetupAndX = 0x73;
    private const byte CommandNtCancel = 0xA4;
    private const int MaxPendingSequences = 4096;

    private readonly SecurityTokenReader _tokens;
    private readonly SessionKeyFinder? _keys;
    private readonly PendingSessionSetups _pending;

    /// <summary>Sequence numbers of requests awaiting their response, by MID | PID &lt;&lt; 16.</summary>
    private readonly Dictionary<uint, uint> _pendingSequences = [];

    private Smb1MessageSigner? _signer;
    private Smb1SigningSequence? _sequence;

    /// <summary>Signing is active on the connection (the final SESSION_SETUP_ANDX response was signed).</summary>
    private bool _signingActive;

    /// <summary>A frame was lost after signing started: the sequence numbers can no longer be followed.</summary>
    private bool _sequenceLost;

    /// <summary><paramref name="keys"/> is null when verification was not asked for: the tokens are still read and the
    /// sequence still counted, but nothing is verified.</summary>
    public Smb1SignatureVerifier(SecurityTokenReader tokens, SessionKeyFinder? keys, PendingSessionSetups pending)
    {
        _tokens = tokens;
        _keys = keys;
        _pending = pending;
    }

    /// <summary>Every SMB1 message; <paramref name="session"/> is null for UID 0.</summary>
    public void OnMessage(SessionTally? session, in CapturedSmbMessage message)
    {
        uint? sequence = _sequence is null ? null : NextSequence(message);
        if (message.Smb1Header.Command == CommandSessionSetupAndX)
        {
            OnSessionSetup(session, message, sequence);
            return;
        }

        Verify(session, message, sequence);
    }

    /// <summary>A lost or skipped frame: the sequence numbers cannot be followed past it.</summary>
    public void OnFrameLost()
    {
        if (_sequence is not null)
        {
            _sequenceLost = true;
        }
    }

    public void Dispose()
    {
        _signer?.Dispose();
        _signer = null;
        _pendingSequences.Clear();
    }

    private void OnSessionSetup(SessionTally? session, in CapturedSmbMessage message, uint? sequence)
    {
        if (!message.IsResponse)
        {
            OnSessionSetupRequest(session, message);
            Verify(session, message, sequence);
            return;
        }

        if (session is null)
        {
            return;
        }

        Smb1HeaderFields header = message.Smb1Header;
        ReadOnlySpan<byte> bytes = message.Bytes.Span;
        SessionVerification current = _pending.ForResponse(session, header.MultiplexId);
        if (current.Established)
        {
            Verify(session, message, sequence);
            return;
        }

        SessionSetupAndXResponse response;
        try
        {
            response = SessionSetupAndXResponse.Parse(bytes);
        }
        catch (SmbProtocolException)
        {
            Verify(session, message, sequence);
            return;
        }

        if (header.Status == NtStatus.MoreProcessingRequired)
        {
            _tokens.Read(current.Exchange, session, response.SecurityBlob.Span);
            Verify(session, message, sequence);
            return;
        }

        if (header.Status != NtStatus.Success)
        {
            Verify(session, message, sequence);
            return;
        }

        current.Established = true;
        if (response.IsGuest)
        {
            session.SetKeyStatus(SessionKeyStatus.NotNeeded, null);
            return;
        }

        if (_signingActive || !message.IsSigned)
        {
            // Signing already runs on this connection (its key is the first session's), or this session is not signed.
            Verify(session, message, sequence);
            return;
        }

        // [MS-CIFS] 3.2.5.3: the response that completes the first authenticated logon activates signing; the
        // request counted as 0, this response is 1, the next request 2 (Samba smb_signing_activate).
        _signingActive = true;
        _sequence = new Smb1SigningSequence(2);
        if (_keys is null)
        {
            return;
        }

        byte[]? key = _keys.Find(session, current.Exchange, header.UserId, tryKeytab: false, out SessionKeyStatus source);
        if (key is null)
        {
            session.Signatures.CountNotCheckable();
            return;
        }

        byte[] macKey = Smb1Signing.CreateMacKey(key);
        _signer = new Smb1MessageSigner(macKey);
        CryptographicOperations.ZeroMemory(macKey);
        session.SetKeyStatus(source, null);
        Count(session, _signer.Verify(bytes, 1), message);
    }

    private void OnSessionSetupRequest(SessionTally? session, in CapturedSmbMessage message)
    {
        ReadOnlySpan<byte> bytes = message.Bytes.Span;

        // [MS-SMB] 2.2.4.6.1: the extended-security request has WordCount 12; 13 is the NTLM/LM challenge-response form.
        if (bytes.Length > Smb1HeaderFields.Size && bytes[Smb1HeaderFields.Size] == 13 && session is not null)
        {
            session.SetKeyStatus(SessionKeyStatus.Unsupported, "SMB1 without extended security (LM/NTLM challenge-response in the SESSION_SETUP_ANDX fields)");
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
            // Not an extended-security request the codec reads: no token, the message is still counted and verified.
        }

        if (session is null)
        {
            var pending = new SessionVerification();
            _tokens.Read(pending.Exchange, null, blob.Span);
            _pending.AddWhenRoom(message.Smb1Header.MultiplexId, pending);
            return;
        }

        SessionVerification tracked = session.Verification ??= new SessionVerification();
        if (!tracked.Established)
        {
            _tokens.Read(tracked.Exchange, session, blob.Span);
        }
    }

    private void Verify(SessionTally? session, in CapturedSmbMessage message, uint? sequence)
    {
        if (session is null || _keys is null || !message.IsSigned)
        {
            return;
        }

        if (sequence is null || _signer is null || _sequenceLost)
        {
            session.Signatures.CountNotCheckable();
            return;
        }

        Count(session, _signer.Verify(message.Bytes.Span, sequence.Value), message);
    }

    private static void Count(SessionTally session, bool valid, in CapturedSmbMessage message)
    {
        if (valid)
        {
            session.Signatures.CountVerified();
            return;
        }

        Smb1HeaderFields header = message.Smb1Header;
        session.Signatures.CountFailed(message.FrameNumber, CommandName(header.Command), header.MultiplexId);
    }

    /// <summary>[MS-CIFS] 3.2.4.1.1 / Samba smb_signing_next_seqnum: a request takes the next number (two when a response
    /// follows, one for NT_CANCEL); its response the request's number + 1, matched by MID and PID. Null when the request
    /// was not seen or the message is server-initiated (an oplock break, which is not signed).</summary>
    private uint? NextSequence(in CapturedSmbMessage message)
    {
        Smb1HeaderFields header = message.Smb1Header;
        uint key = header.MultiplexId | ((uint)header.ProcessIdLow << 16);
        Smb1SigningSequence sequence = _sequence!;
        if (!message.IsResponse)
        {
            if (header.Command == CommandNtCancel)
            {
                return sequence.NextCancel().Request;
            }

            uint request = sequence.NextRequest().Request;
            if (_pendingSequences.Count < MaxPendingSequences)
            {
                _pendingSequences[key] = request;
            }

            return request;
        }

        if (!header.IsReply)
        {
            return null;
        }

        return _pendingSequences.Remove(key, out uint requestSequence) ? Smb1SigningSequence.ResponseFor(requestSequence) : null;
    }

    private static string CommandName(byte command) => command switch
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
