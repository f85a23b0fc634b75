using System.Buffers.Binary;

namespace SmbSign.Capture.Pcap;

/// <summary>Classic libpcap files (draft-ietf-opsawg-pcap): a 24-byte file header, then 16-byte record headers each
/// followed by the captured bytes. Either byte order; microsecond (0xA1B2C3D4) or nanosecond (0xA1B23C4D) magic.</summary>
public sealed class PcapFileReader : CaptureFileReader
{
    public const uint MicrosecondMagic = 0xA1B2C3D4;
    public const uint NanosecondMagic = 0xA1B23C4D;
    public const int FileHeaderSize = 24;
    public const int RecordHeaderSize = 16;

    /// <summary>Records up to this size are accepted whatever the header's snaplen says (writers often put 0 or a small
    /// wrong value there; Wireshark tolerates the same 256 KiB).</summary>
    public const int MinimumRecordLimit = 262_144;

    private bool _bigEndian;
    private bool _nanoseconds;
    private int _recordLimit;

    internal PcapFileReader(CaptureInput input, CaptureReaderOptions options)
        : base(input, options)
    {
    }

    public override CaptureFileFormat Format => _nanoseconds ? CaptureFileFormat.PcapNanoseconds : CaptureFileFormat.Pcap;

    /// <summary>True when the file was written in big-endian byte order.</summary>
    public bool IsBigEndian => _bigEndian;

    public LinkType LinkType { get; private set; }

    /// <summary>The file header's snapshot length.</summary>
    public uint SnapLength { get; private set; }

    public ushort VersionMajor { get; private set; }

    public ushort VersionMinor { get; private set; }

    internal static bool IsPcapMagic(uint bigEndianMagic) => bigEndianMagic is MicrosecondMagic or NanosecondMagic
        or 0xD4C3B2A1 or 0x4D3CB2A1;

    private protected override void ReadFileHeader()
    {
        if (!Input.TryEnsure(FileHeaderSize))
        {
            throw new CaptureFormatException(
                $"pcap file header truncated: {FileHeaderSize} bytes needed, {Input.Available} present", 0);
        }

        ReadOnlySpan<byte> header = Input.Peek(FileHeaderSize);
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        _bigEndian = magic is MicrosecondMagic or NanosecondMagic;
        _nanoseconds = magic is NanosecondMagic or 0x4D3CB2A1;
        VersionMajor = ReadUInt16(header[4..]);
        VersionMinor = ReadUInt16(header[6..]);
        if (VersionMajor != 2)
        {
            throw new CaptureFormatException($"pcap version {VersionMajor}.{VersionMinor} is not supported (expected 2.4)", 4);
        }

        SnapLength = ReadUInt32(header[16..]);
        uint network = ReadUInt32(header[20..]);

        // The upper bits of the link-type field carry FCS information (draft-ietf-opsawg-pcap section 4).
        LinkType = (LinkType)(network & 0xFFFF);
        long limit = SnapLength == 0 ? Options.MaxRecordLength : Math.Max(SnapLength, MinimumRecordLimit);
        _recordLimit = (int)Math.Min(limit, Options.MaxRecordLength);
        Input.Advance(FileHeaderSize);
    }

    public override bool TryReadPacket(out CapturePacket packet)
    {
        while (true)
        {
            if (TryReadRecord(out packet, out bool skipped))
            {
                return true;
            }

            if (!skipped)
            {
                return false;
            }
        }
    }

    /// <summary>Reads one record: a packet (true), a skipped oversized record (false, <paramref name="skipped"/> set),
    /// or the end of the file (false).</summary>
    private bool TryReadRecord(out CapturePacket packet, out bool skipped)
    {
        packet = default;
        skipped = false;
        long offset = Input.Position;
        if (!Input.TryEnsure(RecordHeaderSize))
        {
            if (Input.Available > 0)
            {
                Truncation = new CaptureTruncation(offset, PacketsRead + 1, RecordHeaderSize, Input.Available);
                Input.Advance(Input.Available);
            }

            return false;
        }

        ReadOnlySpan<byte> header = Input.Peek(RecordHeaderSize);
        uint seconds = ReadUInt32(header);
        uint fraction = ReadUInt32(header[4..]);
        uint capturedLength = ReadUInt32(header[8..]);
        uint originalLength = ReadUInt32(header[12..]);
        if (capturedLength > (uint)_recordLimit)
        {
            throw new CaptureFormatException(
                $"pcap record {PacketsRead + 1} claims {capturedLength} captured bytes, more than the limit of {_recordLimit} " +
                $"(snaplen {SnapLength}); the file is corrupt or not pcap", offset);
        }

        if (capturedLength > (uint)BufferedRecordLimit)
        {
            // Longer than any SMB message in one frame: skip it without buffering (seek in a file, read through a pipe).
            CountSkipped(offset, capturedLength);
            Input.Advance(RecordHeaderSize);
            if (!Input.Skip(capturedLength))
            {
                Truncation = new CaptureTruncation(offset, PacketsRead, RecordHeaderSize + (long)capturedLength, Input.Position - offset);
                return false;
            }

            skipped = true;
            return false;
        }

        int total = RecordHeaderSize + (int)capturedLength;
        if (!Input.TryEnsure(total))
        {
            Truncation = new CaptureTruncation(offset, PacketsRead + 1, total, Input.Available);
            Input.Advance(Input.Available);
            return false;
        }

        long nanoseconds = (seconds * 1_000_000_000L) + (_nanoseconds ? fraction : fraction * 1000L);
        PacketsRead++;
        packet = new CapturePacket(
            PacketsRead,
            nanoseconds,
            LinkType,
            0,
            (int)Math.Min(originalLength, int.MaxValue),
            offset,
            Input.PeekMemory(RecordHeaderSize, (int)capturedLength));
        Input.Advance(total);
        return true;
    }

    private ushort ReadUInt16(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);

    private uint ReadUInt32(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
}
