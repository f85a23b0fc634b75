using System.Buffers.Binary;

namespace SmbSign.Capture.Pcapng;

/// <summary>pcapng files (draft-ietf-opsawg-pcapng): Section Header Blocks in either byte order (several sections
/// allowed, section length -1 or real), Interface Description Blocks (several interfaces, <c>if_tsresol</c>,
/// <c>if_tsoffset</c>), Enhanced, Simple and obsolete Packet Blocks. Every other block (Name Resolution, Interface
/// Statistics, Decryption Secrets, custom…) is skipped by its length without being buffered whole.</summary>
public sealed class PcapngFileReader : CaptureFileReader
{
    public const uint SectionHeaderBlockType = 0x0A0D0D0A;
    public const uint InterfaceDescriptionBlockType = 0x00000001;
    public const uint ObsoletePacketBlockType = 0x00000002;
    public const uint SimplePacketBlockType = 0x00000003;
    public const uint EnhancedPacketBlockType = 0x00000006;
    public const uint ByteOrderMagic = 0x1A2B3C4D;

    private const int BlockHeaderSize = 8;
    private const int MinimumBlockLength = 12;
    private const ushort OptionEndOfOptions = 0;
    private const ushort OptionTimestampResolution = 9;
    private const ushort OptionTimestampOffset = 14;

    private readonly List<InterfaceDescription> _interfaces = [];
    private bool _bigEndian;
    private int _sections;

    internal PcapngFileReader(CaptureInput input, CaptureReaderOptions options)
        : base(input, options)
    {
    }

    public override CaptureFileFormat Format => CaptureFileFormat.Pcapng;

    /// <summary>Interfaces of the current section, in IDB order (their index is the interface id).</summary>
    public IReadOnlyList<InterfaceDescription> Interfaces => _interfaces;

    /// <summary>Section Header Blocks seen so far.</summary>
    public int Sections => _sections;

    /// <summary>True when the current section was written big-endian.</summary>
    public bool IsBigEndian => _bigEndian;

    private protected override void ReadFileHeader()
    {
        // The first block must be a Section Header Block; read it eagerly so a bad file fails at Open.
        if (!TryReadSectionHeader(Input.Position, out _))
        {
            throw new CaptureFormatException(
                $"pcapng Section Header Block truncated: the file has only {Input.Available} byte(s)", 0);
        }
    }

    public override bool TryReadPacket(out CapturePacket packet)
    {
        while (true)
        {
            packet = default;
            long offset = Input.Position;
            if (!Input.TryEnsure(BlockHeaderSize))
            {
                if (Input.Available > 0)
                {
                    Truncation = new CaptureTruncation(offset, PacketsRead + 1, BlockHeaderSize, Input.Available);
                    Input.Advance(Input.Available);
                }

                return false;
            }

            ReadOnlySpan<byte> head = Input.Peek(BlockHeaderSize);
            uint type = ReadUInt32(head);
            if (BinaryPrimitives.ReadUInt32BigEndian(head) == SectionHeaderBlockType)
            {
                if (!TryReadSectionHeader(offset, out long needed))
                {
                    Truncation = new CaptureTruncation(offset, PacketsRead + 1, needed, Input.Available);
                    Input.Advance(Input.Available);
                    return false;
                }

                continue;
            }

            uint length = ReadUInt32(head[4..]);
            ValidateBlockLength(type, length, offset);
            bool isPacket = type is EnhancedPacketBlockType or SimplePacketBlockType or ObsoletePacketBlockType;
            if (!isPacket && type != InterfaceDescriptionBlockType)
            {
                if (!Input.Skip(length))
                {
                    Truncation = new CaptureTruncation(offset, PacketsRead + 1, length, Input.Position - offset);
                    return false;
                }

                continue;
            }

            if (length > (uint)BufferedRecordLimit)
            {
                if (!isPacket)
                {
                    // An interface description cannot be skipped (later packets refer to it by index), and no real one
                    // comes near this size.
                    throw new CaptureFormatException(
                        $"pcapng Interface Description Block claims a total length of {length} bytes, more than the {BufferedRecordLimit} SmbSign reads; the file is corrupt", offset);
                }

                // Longer than any SMB message in one frame: skip it without buffering (seek in a file, read through a pipe).
                CountSkipped(offset, length);
                if (!Input.Skip(length))
                {
                    Truncation = new CaptureTruncation(offset, PacketsRead, length, Input.Position - offset);
                    return false;
                }

                continue;
            }

            if (!Input.TryEnsure((int)length))
            {
                Truncation = new CaptureTruncation(offset, PacketsRead + 1, length, Input.Available);
                Input.Advance(Input.Available);
                return false;
            }

            ReadOnlySpan<byte> block = Input.Peek((int)length);
            uint trailer = ReadUInt32(block[^4..]);
            if (trailer != length)
            {
                throw new CaptureFormatException(
                    $"pcapng block of type 0x{type:X8} has total length {length} at its start but {trailer} at its end", offset);
            }

            if (type == InterfaceDescriptionBlockType)
            {
                ReadInterfaceDescription(block, offset);
                Input.Advance((int)length);
                continue;
            }

            packet = ReadPacketBlock(type, block, offset);
            Input.Advance((int)length);
            return true;
        }
    }

    private void ValidateBlockLength(uint type, uint length, long offset)
    {
        if (length < MinimumBlockLength || length % 4 != 0)
        {
            throw new CaptureFormatException(
                $"pcapng block of type 0x{type:X8} has total length {length}; it must be a multiple of 4 and at least {MinimumBlockLength}", offset);
        }

        if (length > (uint)Options.MaxRecordLength)
        {
            throw new CaptureFormatException(
                $"pcapng block of type 0x{type:X8} claims a total length of {length} bytes, more than the limit of {Options.MaxRecordLength}; the file is corrupt", offset);
        }
    }

    private bool TryReadSectionHeader(long offset, out long needed)
    {
        // Block type(4), total length(4), byte-order magic(4), major(2), minor(2), section length(8), options, total length(4).
        needed = 12;
        if (!Input.TryEnsure(12))
        {
            return false;
        }

        ReadOnlySpan<byte> head = Input.Peek(12);
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(head[8..]);
        bool bigEndian;
        if (magic == ByteOrderMagic)
        {
            bigEndian = true;
        }
        else if (magic == 0x4D3C2B1A)
        {
            bigEndian = false;
        }
        else
        {
            throw new CaptureFormatException(
                $"pcapng Section Header Block has byte-order magic {Convert.ToHexString(head.Slice(8, 4))}, expected 1A2B3C4D in either byte order", offset + 8);
        }

        uint length = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(head[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        // Read whole (its options are small in any real file), so bounded by what SmbSign buffers.
        if (length < 28 || length % 4 != 0 || length > (uint)BufferedRecordLimit)
        {
            throw new CaptureFormatException(
                $"pcapng Section Header Block has total length {length}; it must be a multiple of 4 between 28 and {BufferedRecordLimit}", offset);
        }

        needed = length;
        if (!Input.TryEnsure((int)length))
        {
            return false;
        }

        ReadOnlySpan<byte> block = Input.Peek((int)length);
        _bigEndian = bigEndian;
        ushort major = ReadUInt16(block[12..]);
        ushort minor = ReadUInt16(block[14..]);
        if (major != 1)
        {
            throw new CaptureFormatException($"pcapng version {major}.{minor} is not supported (expected 1.0)", offset + 12);
        }

        uint trailer = ReadUInt32(block[^4..]);
        if (trailer != length)
        {
            throw new CaptureFormatException(
                $"pcapng Section Header Block has total length {length} at its start but {trailer} at its end", offset);
        }

        // Section length (offset 16) is -1 or a byte count; SmbSign reads sequentially, so it needs neither.
        _interfaces.Clear();
        _sections++;
        Input.Advance((int)length);
        return true;
    }

    private void ReadInterfaceDescription(ReadOnlySpan<byte> block, long offset)
    {
        // Type(4), length(4), LinkType(2), reserved(2), SnapLen(4), options, length(4).
        if (block.Length < 20)
        {
            throw new CaptureFormatException($"pcapng Interface Description Block is {block.Length} bytes, at least 20 expected", offset);
        }

        var linkType = (LinkType)ReadUInt16(block[8..]);
        uint snapLength = ReadUInt32(block[12..]);
        byte resolution = 6;
        long offsetSeconds = 0;
        ReadOnlySpan<byte> options = block[16..^4];
        int position = 0;
        while (options.Length - position >= 4)
        {
            ushort code = ReadUInt16(options[position..]);
            ushort length = ReadUInt16(options[(position + 2)..]);
            if (code == OptionEndOfOptions)
            {
                break;
            }

            int valueStart = position + 4;
            if (length > options.Length - valueStart)
            {
                throw new CaptureFormatException(
                    $"pcapng Interface Description Block option {code} claims {length} bytes, only {options.Length - valueStart} left in the block",
                    offset + 16 + position);
            }

            ReadOnlySpan<byte> value = options.Slice(valueStart, length);
            if (code == OptionTimestampResolution && length >= 1)
            {
                resolution = value[0];
            }
            else if (code == OptionTimestampOffset && length >= 8)
            {
                offsetSeconds = (long)ReadUInt64(value);
            }

            position = valueStart + ((length + 3) & ~3);
        }

        InterfaceDescription? description = InterfaceDescription.Create(linkType, snapLength, resolution, offsetSeconds);
        if (description is null)
        {
            throw new CaptureFormatException(
                $"pcapng interface {_interfaces.Count} has if_tsresol 0x{resolution:X2}, a resolution finer than SmbSign can represent", offset);
        }

        _interfaces.Add(description);
    }

    private CapturePacket ReadPacketBlock(uint type, ReadOnlySpan<byte> block, long offset)
    {
        int interfaceId;
        ulong timestamp;
        uint capturedLength;
        uint originalLength;
        int dataOffset;
        switch (type)
        {
            case EnhancedPacketBlockType:
                // Type, length, InterfaceID(4), TsHigh(4), TsLow(4), CapLen(4), OrigLen(4), data, options, length.
                RequireLength(block, 32, "Enhanced Packet Block", offset);
                interfaceId = checked((int)Math.Min(ReadUInt32(block[8..]), int.MaxValue));
                timestamp = ((ulong)ReadUInt32(block[12..]) << 32) | ReadUInt32(block[16..]);
                capturedLength = ReadUInt32(block[20..]);
                originalLength = ReadUInt32(block[24..]);
                dataOffset = 28;
                break;
            case ObsoletePacketBlockType:
                // Type, length, InterfaceID(2), DropsCount(2), TsHigh(4), TsLow(4), CapLen(4), Len(4), data, options, length.
                RequireLength(block, 32, "Packet Block", offset);
                interfaceId = ReadUInt16(block[8..]);
                timestamp = ((ulong)ReadUInt32(block[12..]) << 32) | ReadUInt32(block[16..]);
                capturedLength = ReadUInt32(block[20..]);
                originalLength = ReadUInt32(block[24..]);
                dataOffset = 28;
                break;
            default:
                // Simple Packet Block: type, length, OrigLen(4), data, length. Belongs to interface 0; no timestamp.
                RequireLength(block, 16, "Simple Packet Block", offset);
                interfaceId = 0;
                timestamp = 0;
                originalLength = ReadUInt32(block[8..]);
                capturedLength = (uint)Math.Min(originalLength, (uint)(block.Length - 16));
                dataOffset = 12;
                break;
        }

        if (interfaceId >= _interfaces.Count)
        {
            throw new CaptureFormatException(
                $"pcapng packet block refers to interface {interfaceId}, but the section has described only {_interfaces.Count} interface(s)", offset);
        }

        InterfaceDescription description = _interfaces[interfaceId];
        if (type == SimplePacketBlockType && description.SnapLength != 0)
        {
            capturedLength = Math.Min(capturedLength, description.SnapLength);
        }

        if (capturedLength > (uint)(block.Length - dataOffset - 4))
        {
            throw new CaptureFormatException(
                $"pcapng packet block claims {capturedLength} captured bytes but the {block.Length}-byte block holds at most {block.Length - dataOffset - 4}", offset);
        }

        PacketsRead++;
        long nanoseconds = type == SimplePacketBlockType ? 0 : description.ToNanoseconds(timestamp);
        return new CapturePacket(
            PacketsRead,
            nanoseconds,
            description.LinkType,
            interfaceId,
            (int)Math.Min(originalLength, int.MaxValue),
            offset,
            Input.PeekMemory(dataOffset, (int)capturedLength));
    }

    private static void RequireLength(ReadOnlySpan<byte> block, int minimum, string what, long offset)
    {
        if (block.Length < minimum)
        {
            throw new CaptureFormatException($"pcapng {what} is {block.Length} bytes, at least {minimum} expected", offset);
        }
    }

    private ushort ReadUInt16(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);

    private uint ReadUInt32(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);

    private ulong ReadUInt64(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span);
}

/// <summary>One pcapng interface: its link type, snapshot length and timestamp units (<c>if_tsresol</c>, <c>if_tsoffset</c>).</summary>
public sealed class InterfaceDescription
{
    private readonly ulong _unitsPerSecond;
    private readonly long _multiplier;
    private readonly long _offsetNanoseconds;

    private InterfaceDescription(LinkType linkType, uint snapLength, byte resolution, ulong unitsPerSecond, long offsetSeconds)
    {
        LinkType = linkType;
        SnapLength = snapLength;
        TimestampResolution = resolution;
        _unitsPerSecond = unitsPerSecond;
        _multiplier = unitsPerSecond <= 1_000_000_000 && 1_000_000_000 % unitsPerSecond == 0 ? (long)(1_000_000_000 / unitsPerSecond) : 0;
        _offsetNanoseconds = offsetSeconds * 1_000_000_000L;
    }

    public LinkType LinkType { get; }

    public uint SnapLength { get; }

    /// <summary>The raw <c>if_tsresol</c> byte: bit 7 clear = 10^-n seconds, set = 2^-n seconds (default 6: microseconds).</summary>
    public byte TimestampResolution { get; }

    /// <summary>Returns null for resolutions whose units-per-second do not fit in 64 bits.</summary>
    internal static InterfaceDescription? Create(LinkType linkType, uint snapLength, byte resolution, long offsetSeconds)
    {
        int exponent = resolution & 0x7F;
        ulong units;
        if ((resolution & 0x80) == 0)
        {
            if (exponent > 19)
            {
                return null;
            }

            units = 1;
            for (int i = 0; i < exponent; i++)
            {
                units *= 10;
            }
        }
        else
        {
            if (exponent > 63)
            {
                return null;
            }

            units = 1UL << exponent;
        }

        return new InterfaceDescription(linkType, snapLength, resolution, units, offsetSeconds);
    }

    internal long ToNanoseconds(ulong timestamp)
    {
        if (_multiplier != 0)
        {
            return unchecked(((long)timestamp * _multiplier) + _offsetNanoseconds);
        }

        UInt128 nanoseconds = (UInt128)timestamp * 1_000_000_000UL / _unitsPerSecond;
        return unchecked((long)(ulong)nanoseconds + _offsetNanoseconds);
    }
}
