using System.Buffers.Binary;
using SmbSign.Capture.Pcap;
using SmbSign.Capture.Pcapng;

namespace SmbSign.Capture;

/// <summary>Limits and buffer sizes for capture readers.</summary>
public sealed record CaptureReaderOptions
{
    /// <summary>The largest record length a capture may claim (default 256 MiB, as Wireshark); a larger pcap record or
    /// pcapng block is a format error, raised before any buffer of that size exists.</summary>
    public int MaxRecordLength { get; init; } = 256 * 1024 * 1024;

    /// <summary>The largest packet record (pcap record, pcapng packet block) read into memory; longer ones are skipped
    /// without being buffered (seeked past in a file, read through in a pipe) and counted in
    /// <see cref="CaptureFileReader.SkippedRecords"/>. The default is the largest SMB2 transport frame (its length field
    /// is 24 bits, [MS-SMB2] 2.1; SmbSign accepts 16 MiB frames) plus 64 KiB for link, IP and TCP headers: a record
    /// beyond that cannot be one SMB message in one frame, so skipping it costs nothing an analysis could use, and peak
    /// memory stays bounded by this size whatever the file claims.</summary>
    public int MaxBufferedRecordLength { get; init; } = DefaultMaxBufferedRecordLength;

    /// <summary>16 MiB (SmbSign's largest SMB transport frame) + 64 KiB of headers.</summary>
    public const int DefaultMaxBufferedRecordLength = Protocol.Framing.DirectTcpFraming.DefaultMaxFrameSize + (64 * 1024);

    /// <summary>Size of each sequential read and of the initial pooled buffer (default 1 MiB).</summary>
    public int ReadBufferSize { get; init; } = 1024 * 1024;
}

/// <summary>Streams packets out of a pcap or pcapng file without loading it: one pooled buffer, sequential reads, bounds
/// checks on every record. Pull one packet at a time with <see cref="TryReadPacket"/>.</summary>
public abstract class CaptureFileReader : IDisposable
{
    private protected CaptureFileReader(CaptureInput input, CaptureReaderOptions options)
    {
        Input = input;
        Options = options;
    }

    private protected CaptureInput Input { get; }

    private protected CaptureReaderOptions Options { get; }

    public abstract CaptureFileFormat Format { get; }

    /// <summary>Frames returned so far; the next packet gets <c>PacketsRead + 1</c>.</summary>
    public long PacketsRead { get; private protected set; }

    /// <summary>Bytes consumed from the stream (for progress bars).</summary>
    public long BytesRead => Input.BytesFetched;

    /// <summary>Set when the file ended inside a record: the packets before it were returned normally.</summary>
    public CaptureTruncation? Truncation { get; private protected set; }

    /// <summary>Packet records longer than <see cref="CaptureReaderOptions.MaxBufferedRecordLength"/> that were skipped
    /// unread; null when there were none. Each still took a frame number, so later frames keep Wireshark's numbering.</summary>
    public CaptureSkippedRecords? SkippedRecords { get; private set; }

    /// <summary>Longest packet record read into memory (options, clamped to <see cref="CaptureReaderOptions.MaxRecordLength"/>).</summary>
    private protected int BufferedRecordLimit => Math.Min(Options.MaxBufferedRecordLength, Options.MaxRecordLength);

    /// <summary>Counts a packet record of <paramref name="length"/> bytes at <paramref name="offset"/> as skipped and gives
    /// it the next frame number.</summary>
    private protected void CountSkipped(long offset, long length)
    {
        PacketsRead++;
        SkippedRecords = SkippedRecords is { } s
            ? s with { Count = s.Count + 1, LargestLength = Math.Max(s.LargestLength, length) }
            : new CaptureSkippedRecords(1, offset, PacketsRead, length, BufferedRecordLimit);
    }

    /// <summary>Opens a capture, recognising pcap (either byte order, micro- or nanosecond) and pcapng by their magic.</summary>
    /// <exception cref="CaptureFormatException">The stream does not start with a known capture magic, or its header is invalid.</exception>
    public static CaptureFileReader Open(Stream stream, CaptureReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new CaptureReaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBufferedRecordLength, 64 * 1024);
        var input = new CaptureInput(stream, options.ReadBufferSize, Math.Min(options.MaxBufferedRecordLength, options.MaxRecordLength) + 64);
        try
        {
            if (!input.TryEnsure(4))
            {
                throw new CaptureFormatException(
                    input.Available == 0
                        ? "the capture file is empty"
                        : $"the capture file is only {input.Available} byte(s) long, too short for a pcap or pcapng header", 0);
            }

            uint magic = BinaryPrimitives.ReadUInt32BigEndian(input.Peek(4));
            CaptureFileReader reader = magic switch
            {
                PcapngFileReader.SectionHeaderBlockType => new PcapngFileReader(input, options),
                _ when PcapFileReader.IsPcapMagic(magic) => new PcapFileReader(input, options),
                _ => throw UnknownMagic(input.Peek(Math.Min(input.Available, 4)), magic),
            };
            reader.ReadFileHeader();
            return reader;
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    /// <summary>Reads the next packet. Returns false at the end of the file, and also when the last record was cut short
    /// (then <see cref="Truncation"/> says where).</summary>
    /// <exception cref="CaptureFormatException">A record or block is malformed (its offset is in the message).</exception>
    public abstract bool TryReadPacket(out CapturePacket packet);

    private protected abstract void ReadFileHeader();

    private static CaptureFormatException UnknownMagic(ReadOnlySpan<byte> head, uint magic)
    {
        string seen = Convert.ToHexString(head);
        string hint = magic switch
        {
            _ when head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B => " (a gzip file: decompress it first)",
            0xA1B2CD34 or 0x34CDB2A1 => " (a modified/Kuznetzov pcap: convert it with 'editcap -F pcap')",
            _ => string.Empty,
        };
        return new CaptureFormatException(
            $"not a pcap or pcapng file: magic {seen} (expected A1B2C3D4 or A1B23C4D in either byte order for pcap, 0A0D0D0A for pcapng){hint}", 0);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Input.Dispose();
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }
}
