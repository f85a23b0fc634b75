using System.Security.Cryptography;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Capture.Analysis;

/// <summary>What one session's SESSION_SETUP tokens gave so far: the mechanism, the NTLM server challenge, the session
/// key recovered from the password, and the Kerberos tokens kept for the keytab. Written by
/// <see cref="SecurityTokenReader"/> and <see cref="NtlmExchangeReader"/>.</summary>
internal sealed class AuthenticationExchange : IDisposable
{
    public string? Mechanism { get; set; }

    public byte[]? ServerChallenge { get; set; }

    /// <summary>The session key recovered from the password (NTLM); wiped on dispose.</summary>
    public byte[]? SessionKey { get; set; }

    /// <summary>The client's GSS-API Kerberos token (AP-REQ) from the SESSION_SETUP request.</summary>
    public byte[]? KerberosApReq { get; set; }

    /// <summary>The server's GSS-API Kerberos token (AP-REP) from the SESSION_SETUP response.</summary>
    public byte[]? KerberosApRep { get; set; }

    public void Dispose()
    {
        if (SessionKey is not null)
        {
            CryptographicOperations.ZeroMemory(SessionKey);
            SessionKey = null;
        }
    }
}

/// <summary>Verification state of one session: its authentication exchange, and for SMB2 the key schedule (the 3.1.1
/// preauth hash over every SESSION_SETUP leg) until the final response, then the signer.</summary>
internal sealed class SessionVerification : IDisposable
{
    public AuthenticationExchange Exchange { get; } = new();

    public Smb2KeySchedule? Schedule { get; set; }

    /// <summary>Owned by <see cref="Schedule"/>.</summary>
    public Smb2MessageSigner? Signer { get; set; }

    /// <summary>The final SESSION_SETUP response was seen: later legs (re-authentication) keep the session's keys.</summary>
    public bool Established { get; set; }

    public void Dispose()
    {
        Schedule?.Dispose();
        Schedule = null;
        Signer = null;
        Exchange.Dispose();
    }
}

/// <summary>First SESSION_SETUP legs not yet bound to a session (SessionId / UID 0), by SMB2 MessageId or SMB1 MID:
/// the response with the same id names the session. Bounded, so a capture of unanswered requests cannot grow it.</summary>
internal sealed class PendingSessionSetups : IDisposable
{
    public const int MaxPending = 64;

    private readonly Dictionary<ulong, SessionVerification> _pending = [];

    /// <summary>SMB2: a full table is a sign of lost responses; it starts over rather than refuse the new leg.</summary>
    public void AddEvictingAllWhenFull(ulong id, SessionVerification pending)
    {
        if (_pending.Count >= MaxPending)
        {
            Dispose();
        }

        Drop(id);
        _pending[id] = pending;
    }

    /// <summary>SMB1: a full table keeps its entries and forgets the new leg.</summary>
    public void AddWhenRoom(ulong id, SessionVerification pending)
    {
        Drop(id);
        if (_pending.Count < MaxPending)
        {
            _pending[id] = pending;
        }
        else
        {
            pending.Dispose();
        }
    }

    /// <summary>The session's state at a SESSION_SETUP response: the first leg's (pending under the response's id) when
    /// the session has none yet, else its own or a new one. The session learns the mechanism its tokens named.</summary>
    public SessionVerification ForResponse(SessionTally session, ulong id)
    {
        if (session.Verification is null && _pending.Remove(id, out SessionVerification? first))
        {
            session.Verification = first;
        }

        SessionVerification current = session.Verification ??= new SessionVerification();
        session.Authentication ??= current.Exchange.Mechanism;
        return current;
    }

    public void Dispose()
    {
        foreach (SessionVerification pending in _pending.Values)
        {
            pending.Dispose();
        }

        _pending.Clear();
    }

    /// <summary>A new first leg under an id replaces the old one (a reused MessageId / MID).</summary>
    private void Drop(ulong id)
    {
        if (_pending.Remove(id, out SessionVerification? replaced))
        {
            replaced.Dispose();
        }
    }
}

/// <summary>Verification state of one connection: the SMB2 and SMB1 verifiers (each owning its keys) and the SESSION_SETUP
/// legs both bind to sessions.</summary>
internal sealed class ConnectionVerification : IDisposable
{
    public PendingSessionSetups Pending { get; } = new();

    public Smb2SignatureVerifier? Smb2 { get; set; }

    public Smb1SignatureVerifier? Smb1 { get; set; }

    public void Dispose()
    {
        Pending.Dispose();
        Smb1?.Dispose();
        Smb1 = null;
        Smb2 = null;
    }
}
