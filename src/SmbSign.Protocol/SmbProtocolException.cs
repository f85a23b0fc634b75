using SmbSign.Protocol.Errors;

namespace SmbSign.Protocol;

/// <summary>Bytes from a peer or a file that do not follow the protocol. Carries the byte offset where the problem was found.</summary>
public sealed class SmbProtocolException : InputException
{
    public SmbProtocolException()
    {
    }

    public SmbProtocolException(string message)
        : base(message)
    {
    }

    public SmbProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SmbProtocolException(string message, long offset)
        : base(message)
    {
        Offset = offset;
    }

    /// <summary>Offset of the offending byte within the message or stream, when known.</summary>
    public long? Offset { get; }
}
