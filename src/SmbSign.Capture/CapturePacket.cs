namespace SmbSign.Capture;

/// <summary>One captured packet as a capture file stores it. <see cref="Data"/> points into the reader's pooled buffer
/// and is valid only until the reader's next <see cref="CaptureFileReader.TryReadPacket"/>.</summary>
public readonly struct CapturePacket
{
    public CapturePacket(long frameNumber, long timestampNanoseconds, LinkType linkType, int interfaceId, int originalLength, long fileOffset, ReadOnlyMemory<byte> data)
    {
        FrameNumber = frameNumber;
        TimestampNanoseconds = timestampNanoseconds;
        LinkType = linkType;
        InterfaceId = interfaceId;
        OriginalLength = originalLength;
        FileOffset = fileOffset;
        Data = data;
    }

    /// <summary>1-based position among the file's packets, as Wireshark numbers frames.</summary>
    public long FrameNumber { get; }

    /// <summary>Capture time in nanoseconds since 1970-01-01T00:00:00Z.</summary>
    public long TimestampNanoseconds { get; }

    public LinkType LinkType { get; }

    /// <summary>pcapng interface id (0 for pcap).</summary>
    public int InterfaceId { get; }

    /// <summary>Length of the packet on the wire; larger than <see cref="Data"/> when the snapshot length cut it.</summary>
    public int OriginalLength { get; }

    /// <summary>Offset of the packet's record or block in the file.</summary>
    public long FileOffset { get; }

    /// <summary>The captured bytes, starting with the link-layer header.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    public DateTimeOffset Timestamp => CaptureTime.ToDateTimeOffset(TimestampNanoseconds);
}

/// <summary>Capture timestamps are nanoseconds since the Unix epoch (enough until the year 2262).</summary>
public static class CaptureTime
{
    public static DateTimeOffset ToDateTimeOffset(long nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100);
}

/// <summary>Link-layer header types ([tcpdump.org linktypes]); the ones SmbSign decodes.</summary>
public enum LinkType : uint
{
    /// <summary>BSD loopback: a 4-byte address family in the writer's byte order.</summary>
    Null = 0,
    Ethernet = 1,

    /// <summary>DLT_RAW on some BSDs (value 12 in old files).</summary>
    RawBsd12 = 12,

    /// <summary>DLT_RAW on OpenBSD (value 14 in old files).</summary>
    RawBsd14 = 14,

    /// <summary>Raw IPv4 or IPv6, version from the first nibble.</summary>
    Raw = 101,

    /// <summary>OpenBSD loopback: a 4-byte address family in network byte order.</summary>
    Loop = 108,

    /// <summary>Linux "cooked" capture v1 (16-byte header).</summary>
    LinuxSll = 113,
    Ipv4 = 228,
    Ipv6 = 229,

    /// <summary>Linux "cooked" capture v2 (20-byte header).</summary>
    LinuxSll2 = 276,
}

/// <summary>The container format of a capture file.</summary>
public enum CaptureFileFormat
{
    /// <summary>Classic libpcap, microsecond timestamps.</summary>
    Pcap,

    /// <summary>Classic libpcap with the nanosecond magic (0xA1B23C4D).</summary>
    PcapNanoseconds,
    Pcapng,
}

/// <summary>Where and how a capture file ended inside a record: the earlier packets were read, this one was not.</summary>
/// <param name="Offset">Byte offset of the incomplete record or block.</param>
/// <param name="FrameNumber">The frame number the record would have had.</param>
/// <param name="Needed">Bytes the record needed (its header, or header plus length).</param>
/// <param name="Available">Bytes that were left in the file.</param>
public sealed record CaptureTruncation(long Offset, long FrameNumber, long Needed, long Available)
{
    public override string ToString() =>
        $"the capture ends inside the record at byte offset {Offset} (frame {FrameNumber}): {Needed} bytes needed, {Available} present";
}

/// <summary>Packet records too long to be one SMB message in one frame, skipped without being read into memory.</summary>
/// <param name="Count">How many were skipped.</param>
/// <param name="FirstOffset">Byte offset of the first one.</param>
/// <param name="FirstFrame">Frame number of the first one.</param>
/// <param name="LargestLength">The longest captured length (or block length) claimed.</param>
/// <param name="Limit">The longest record read (<see cref="CaptureReaderOptions.MaxBufferedRecordLength"/>).</param>
public sealed record CaptureSkippedRecords(long Count, long FirstOffset, long FirstFrame, long LargestLength, int Limit)
{
    public override string ToString() =>
        $"{Count} packet record(s) longer than {Limit} bytes skipped unread, the first at byte offset {FirstOffset} (frame {FirstFrame}), the longest claiming {LargestLength} bytes; no SMB message in one frame is that long";
}
