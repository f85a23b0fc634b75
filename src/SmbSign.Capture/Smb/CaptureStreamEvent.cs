using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Smb;

/// <summary>Things that happen to a connection's byte stream besides messages.</summary>
public enum CaptureStreamEventKind : byte
{
    /// <summary>Bytes are missing from the stream (<see cref="CaptureStreamEvent.ByteCount"/> of them).</summary>
    Gap = 0,

    /// <summary>Framing was found again after a gap, an invalid frame or a mid-stream start;
    /// <see cref="CaptureStreamEvent.ByteCount"/> bytes were skipped to get there.</summary>
    Resynchronised = 1,

    /// <summary>A transport frame header that is not plausible SMB (bad type, length or protocol id): resynchronising.</summary>
    InvalidFrame = 2,

    /// <summary>A frame whose start was seen lost bytes to a gap, so its message(s) are not reported.</summary>
    FrameLost = 3,

    /// <summary>The stream ended inside a frame (<see cref="CaptureStreamEvent.ByteCount"/> of its bytes were present).</summary>
    IncompleteFrameAtEnd = 4,

    /// <summary>A frame whose content contradicts itself (compound NextCommand out of bounds, bad SMB2 header).</summary>
    MalformedMessage = 5,

    /// <summary>The stream ended while still looking for a frame; <see cref="CaptureStreamEvent.ByteCount"/> bytes were never framed.</summary>
    Unsynchronised = 6,
}

/// <summary>A gap, resynchronisation or framing problem in one direction of a connection.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Connection">The connection it happened on.</param>
/// <param name="Direction">The direction of the affected byte stream.</param>
/// <param name="FrameNumber">The packet being processed when it happened.</param>
/// <param name="StreamOffset">Position in the direction's byte stream.</param>
/// <param name="ByteCount">Bytes missing, skipped, or held (see the kind).</param>
/// <param name="GapReason">For <see cref="CaptureStreamEventKind.Gap"/>: why the bytes are missing.</param>
/// <param name="Detail">Plain-words explanation.</param>
public readonly record struct CaptureStreamEvent(
    CaptureStreamEventKind Kind,
    TcpConnectionInfo Connection,
    SmbDirection Direction,
    long FrameNumber,
    long StreamOffset,
    long ByteCount,
    GapReason? GapReason,
    string Detail);

/// <summary>Receives a capture's SMB messages in order per connection (and per direction, in stream order), plus
/// stream events. This push interface is zero-copy: message bytes are valid only during the call.</summary>
public interface ISmbCaptureSink
{
    void OnMessage(in CapturedSmbMessage message);

    void OnStreamEvent(in CaptureStreamEvent streamEvent)
    {
    }

    /// <summary>The connection ended (FIN both ways, RST, port reuse, or the end of the capture); nothing more follows for it.</summary>
    void OnConnectionClosed(TcpConnectionInfo connection)
    {
    }
}
