using SmbSign.Protocol.Errors;

namespace SmbSign.Wire.Transport;

/// <summary>Why a connection to an SMB peer failed. Each value is an expected network outcome, not a bug.</summary>
public enum TransportErrorKind
{
    /// <summary>The name did not resolve to an address.</summary>
    NameResolution,

    /// <summary>TCP connection refused (RST on SYN): nothing listens on the port.</summary>
    Refused,

    /// <summary>No route, host down, or another socket error while connecting.</summary>
    Unreachable,

    /// <summary>A connect or read deadline passed.</summary>
    Timeout,

    /// <summary>The peer reset the connection.</summary>
    ConnectionReset,

    /// <summary>The peer closed the connection (FIN) before a whole frame arrived.</summary>
    ConnectionClosed,

    /// <summary>The peer announced a frame above the configured maximum.</summary>
    FrameTooLarge,

    /// <summary>The 4-byte transport prefix is not a Direct TCP / NBSS session message.</summary>
    InvalidFraming,
}

/// <summary>A transport failure with its <see cref="Kind"/>; the prober turns it into a result value.</summary>
public sealed class SmbTransportException : PeerException
{
    public SmbTransportException()
    {
    }

    public SmbTransportException(string message)
        : base(message)
    {
    }

    public SmbTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SmbTransportException(TransportErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public TransportErrorKind Kind { get; } = TransportErrorKind.Unreachable;
}
