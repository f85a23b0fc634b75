using SmbSign.Protocol.Smb2;
using SmbSign.Capture.Smb;

namespace SmbSign.Capture.Analysis;

/// <summary>
/// Signature verification over the capture's message stream, driven by <see cref="CaptureSummaryBuilder"/> with the
/// tallies it keeps. It only dispatches: per connection an <see cref="Smb2SignatureVerifier"/> and an
/// <see cref="Smb1SignatureVerifier"/> own the keys; the <see cref="SecurityTokenReader"/> and
/// <see cref="NtlmExchangeReader"/> read the SESSION_SETUP tokens; the <see cref="SessionKeyFinder"/> finds each
/// session's key (password, keytab, keys file). Without credentials it only reads user, domain, mechanism and algorithm.
/// </summary>
internal sealed class SessionTracker
{
    private readonly SecurityTokenReader _tokens;

    /// <summary>Null when verification was not asked for.</summary>
    private readonly SessionKeyFinder? _keys;

    public SessionTracker(CaptureCredentials? credentials)
    {
        var names = new NameInterner();
        _tokens = new SecurityTokenReader(new NtlmExchangeReader(credentials, names));
        _keys = credentials is null ? null : new SessionKeyFinder(credentials, names);
    }

    public bool Verifying => _keys is not null;

    /// <summary>Called for every SMB2 message; <paramref name="session"/> is null for SessionId 0.</summary>
    public void OnSmb2(ConnectionTally connection, SessionTally? session, in CapturedSmbMessage message)
    {
        Smb2Header header = message.Smb2Header;
        switch (header.Command)
        {
            case Smb2Command.Negotiate:
                if (Smb2(connection).OnNegotiate(message.Bytes.Span, message.IsResponse) is { } algorithm)
                {
                    connection.SigningAlgorithm = algorithm;
                }

                return;
            case Smb2Command.SessionSetup:
                Smb2(connection).OnSessionSetup(session, message);
                break;
        }

        if (session is not null && Verifying && header.IsSigned)
        {
            Smb2SignatureVerifier.Verify(session, message);
        }
    }

    /// <summary>Called for every SMB1 message; <paramref name="session"/> is null for UID 0.</summary>
    public void OnSmb1(ConnectionTally connection, SessionTally? session, in CapturedSmbMessage message)
    {
        ConnectionVerification state = connection.Verification ??= new ConnectionVerification();
        Smb1SignatureVerifier smb1 = state.Smb1 ??= new Smb1SignatureVerifier(_tokens, _keys, state.Pending);
        smb1.OnMessage(session, message);
    }

    /// <summary>A lost or skipped frame: SMB2 messages stay independent, but SMB1 sequence numbers cannot be followed past it.</summary>
    public static void OnFrameLost(ConnectionTally connection) => connection.Verification?.Smb1?.OnFrameLost();

    /// <summary>Frees the connection's keys and copies (the counts stay in the tallies).</summary>
    public static void OnConnectionClosed(ConnectionTally connection) => connection.DropVerification();

    private Smb2SignatureVerifier Smb2(ConnectionTally connection)
    {
        ConnectionVerification state = connection.Verification ??= new ConnectionVerification();
        return state.Smb2 ??= new Smb2SignatureVerifier(_tokens, _keys, state.Pending);
    }
}
