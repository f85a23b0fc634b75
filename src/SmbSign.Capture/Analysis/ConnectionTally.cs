using System.Collections.Immutable;
using SmbSign.Protocol;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Analysis;

/// <summary>The analysis' running counts for one TCP connection and its sessions. Only the analysis writes it;
/// <see cref="ToSummary"/> turns it into the write-once <see cref="ConnectionSummary"/>.</summary>
internal sealed class ConnectionTally
{
    private readonly List<SessionTally> _sessions = [];
    private readonly Dictionary<ulong, SessionTally> _sessionsById = [];

    public ConnectionTally(TcpConnectionInfo connection, string? source)
    {
        Connection = connection;
        Source = source;
    }

    public TcpConnectionInfo Connection { get; }

    public string? Source { get; }

    public Dialect? Dialect { get; set; }

    public ushort? ClientSecurityMode { get; set; }

    public ushort? ServerSecurityMode { get; set; }

    public bool? ClientRequiresSigning { get; set; }

    public bool? ServerRequiresSigning { get; set; }

    public SigningAlgorithm? SigningAlgorithm { get; set; }

    public bool ClientOfferedSmb1 { get; set; }

    public long Messages { get; set; }

    public long Signed { get; set; }

    public long Unsigned { get; set; }

    public long Encrypted { get; set; }

    public long Compressed { get; set; }

    public long Smb1Messages { get; set; }

    public long Gaps { get; set; }

    public long GapBytes { get; set; }

    public long UnreadableFrames { get; set; }

    /// <summary>Sessions in order of first appearance.</summary>
    public IReadOnlyList<SessionTally> Sessions => _sessions;

    /// <summary>The NEGOTIATE copies, pending SESSION_SETUPs and SMB1 sequence; dropped (and wiped) when the connection closes.</summary>
    public ConnectionVerification? Verification { get; set; }

    public bool? SigningRequired => ConnectionSummary.SigningRequiredBy(Dialect, ClientRequiresSigning, ServerRequiresSigning);

    public SessionTally Session(ulong sessionId, long frame)
    {
        if (!_sessionsById.TryGetValue(sessionId, out SessionTally? session))
        {
            session = new SessionTally(sessionId, frame);
            _sessionsById.Add(sessionId, session);
            _sessions.Add(session);
        }

        return session;
    }

    /// <summary>Frees the verification state of the connection and its sessions (keys, copies); the counts stay.</summary>
    public void DropVerification()
    {
        Verification?.Dispose();
        Verification = null;
        foreach (SessionTally session in _sessions)
        {
            session.Verification?.Dispose();
            session.Verification = null;
        }
    }

    public ConnectionSummary ToSummary(bool verifying) => new(Connection)
    {
        Source = Source,
        Dialect = Dialect,
        ClientSecurityMode = ClientSecurityMode,
        ServerSecurityMode = ServerSecurityMode,
        ClientRequiresSigning = ClientRequiresSigning,
        ServerRequiresSigning = ServerRequiresSigning,
        SigningAlgorithm = SigningAlgorithm,
        ClientOfferedSmb1 = ClientOfferedSmb1,
        Messages = Messages,
        Signed = Signed,
        Unsigned = Unsigned,
        Encrypted = Encrypted,
        Compressed = Compressed,
        Smb1Messages = Smb1Messages,
        Gaps = Gaps,
        GapBytes = GapBytes,
        UnreadableFrames = UnreadableFrames,
        Sessions = _sessions.Select(s => s.ToSummary(verifying)).ToImmutableArray(),
    };
}
