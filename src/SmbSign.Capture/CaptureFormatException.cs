using SmbSign.Protocol.Errors;

namespace SmbSign.Capture;

/// <summary>A capture file that is not a readable pcap/pcapng file: wrong magic, an impossible block or record
/// length, a block that contradicts itself. Carries the byte offset (from the start of the file or stream) where the
/// problem was found; the message names it too.</summary>
public sealed class CaptureFormatException : InputException
{
    public CaptureFormatException()
    {
    }

    public CaptureFormatException(string message)
        : base(message)
    {
    }

    public CaptureFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CaptureFormatException(string message, long offset)
        : base($"{message} (at byte offset {offset})")
    {
        Offset = offset;
    }

    /// <summary>Offset of the offending block or record from the start of the file or stream, when known.</summary>
    public long? Offset { get; }
}
