using SmbSign.Capture.Ip;

namespace SmbSign.Capture.Tcp;

/// <summary>Which way a message or byte stream travels.</summary>
public enum SmbDirection : byte
{
    ClientToServer = 0,
    ServerToClient = 1,
}

/// <summary>How SmbSign decided which side of a connection is the client, strongest first.</summary>
public enum ClientSideEvidence : byte
{
    /// <summary>Not decided yet: the lower-ordered endpoint is assumed to be the client.</summary>
    Unknown = 0,

    /// <summary>The first SMB message's sender was taken as the client (encrypted or compressed traffic, no other clue).</summary>
    FirstSender = 1,

    /// <summary>An SMB2 header's SERVER_TO_REDIR flag or an SMB1 header's REPLY flag.</summary>
    MessageFlags = 2,

    /// <summary>One side uses an SMB server port (445, 139 or a <c>--port</c>), the other does not.</summary>
    ServerPort = 3,

    /// <summary>The TCP handshake: the sender of a SYN without ACK is the client.</summary>
    Syn = 4,
}

/// <summary>How a connection was recognised as carrying SMB.</summary>
public enum SmbDetection : byte
{
    /// <summary>Not (yet) recognised.</summary>
    None = 0,

    /// <summary>TCP port 445 (direct TCP) or 139 (NetBIOS session service).</summary>
    WellKnownPort = 1,

    /// <summary>A port the user named with <c>--port</c>.</summary>
    ConfiguredPort = 2,

    /// <summary>The byte stream carried a transport prefix followed by an SMB protocol id.</summary>
    Magic = 3,
}

/// <summary>One TCP connection of a capture. Endpoints are fixed once <see cref="ClientSideEvidence"/> is decided,
/// which happens before the first SMB message of the connection is reported.</summary>
public sealed class TcpConnectionInfo
{
    private readonly CaptureEndpoint _a;
    private readonly CaptureEndpoint _b;

    internal TcpConnectionInfo(int streamIndex, CaptureEndpoint a, CaptureEndpoint b, long firstFrame)
    {
        StreamIndex = streamIndex;
        _a = a;
        _b = b;
        FirstFrame = firstFrame;
        LastFrame = firstFrame;
    }

    /// <summary>0-based index of the connection in order of first appearance (comparable to Wireshark's tcp.stream).</summary>
    public int StreamIndex { get; }

    public CaptureEndpoint Client => ClientIsA ? _a : _b;

    public CaptureEndpoint Server => ClientIsA ? _b : _a;

    public ClientSideEvidence ClientSideEvidence { get; private set; }

    public SmbDetection Detection { get; internal set; }

    /// <summary>True when the capture holds the connection's SYN (so it did not start mid-stream).</summary>
    public bool SawHandshake { get; internal set; }

    public long FirstFrame { get; }

    public long LastFrame { get; internal set; }

    /// <summary>Endpoint A (index 0) is the lower-ordered one; true when it is the client.</summary>
    internal bool ClientIsA { get; private set; } = true;

    internal CaptureEndpoint EndpointA => _a;

    internal CaptureEndpoint EndpointB => _b;

    /// <summary>Direction of bytes sent from endpoint A (<paramref name="fromA"/>) or B.</summary>
    internal SmbDirection DirectionOf(bool fromA) => fromA == ClientIsA ? SmbDirection.ClientToServer : SmbDirection.ServerToClient;

    /// <summary>Records evidence; weaker evidence never overrides stronger.</summary>
    internal void SetClient(bool clientIsA, ClientSideEvidence evidence)
    {
        if (evidence > ClientSideEvidence)
        {
            ClientIsA = clientIsA;
            ClientSideEvidence = evidence;
        }
    }

    public override string ToString() => $"{Client} -> {Server}";
}
