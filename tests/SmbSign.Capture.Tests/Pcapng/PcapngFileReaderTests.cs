using System.Buffers.Binary;
using SmbSign.Capture.Pcapng;

namespace SmbSign.Capture.Tests.Pcapng;

public sealed class PcapngFileReaderTests
{
    private static readonly byte[] s_packet = [0xDE, 0xAD, 0xBE, 0xEF, 0x01];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TryReadPacket_EitherByteOrder_ReadsEnhancedSimpleAndObsoletePackets(bool bigEndian)
    {
        byte[] file = new PcapngTestWriter()
            .SectionHeader(bigEndian)
            .Interface(LinkType.Ethernet, snapLength: 3)
            .Enhanced(0, 1_700_000_000_000_001, s_packet)
            .Simple(s_packet)
            .ObsoletePacket(0, 1_700_000_000_000_002, s_packet)
            .ToArray();

        using var reader = (PcapngFileReader)CaptureFileReader.Open(new MemoryStream(file));

        Assert.Equal(bigEndian, reader.IsBigEndian);
        Assert.True(reader.TryReadPacket(out CapturePacket enhanced));
        Assert.Equal(s_packet, enhanced.Data.ToArray());
        Assert.Equal(1_700_000_000_000_001_000, enhanced.TimestampNanoseconds);
        Assert.True(reader.TryReadPacket(out CapturePacket simple));
        Assert.Equal(s_packet[..3], simple.Data.ToArray()); // Simple Packet Blocks are cut to the interface's snaplen
        Assert.Equal(2, simple.FrameNumber);
        Assert.True(reader.TryReadPacket(out CapturePacket obsolete));
        Assert.Equal(1_700_000_000_000_002_000, obsolete.TimestampNanoseconds);
        Assert.False(reader.TryReadPacket(out _));
        Assert.Null(reader.Truncation);
    }

    [Theory]
    [InlineData("microseconds (default)", null, 1_000_000UL, 1_000_000_000L)]
    [InlineData("nanoseconds", (byte)9, 1_000_000_000UL, 1_000_000_000L)]
    [InlineData("milliseconds", (byte)3, 1_000UL, 1_000_000_000L)]
    [InlineData("picoseconds", (byte)12, 1_000_000_000_000UL, 1_000_000_000L)]
    [InlineData("2^-20 seconds", (byte)(0x80 | 20), 1UL << 20, 1_000_000_000L)]
    [InlineData("2^-10 seconds, half a second", (byte)(0x80 | 10), 512UL, 500_000_000L)]
    public void TryReadPacket_InterfaceTimestampResolution_ConvertsToNanoseconds(string description, byte? tsresol, ulong ticks, long expected)
    {
        byte[] file = new PcapngTestWriter()
            .SectionHeader()
            .Interface(LinkType.Ethernet, tsresol: tsresol)
            .Enhanced(0, ticks, s_packet)
            .ToArray();

        using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(file));

        Assert.True(reader.TryReadPacket(out CapturePacket packet), description);
        Assert.Equal(expected, packet.TimestampNanoseconds);
    }

    [Fact]
    public void TryReadPacket_SeveralInterfacesAndSkippableBlocks_KeepsInterfacesApart()
    {
        byte[] file = new PcapngTestWriter()
            .SectionHeader(sectionLength: 4096)
            .Interface(LinkType.LinuxSll, tsresol: 9)
            .Block(4, new byte[20])                     // Name Resolution Block
            .Interface(LinkType.Ethernet, tsoffset: 10)
            .Block(0x0A, new byte[40])                  // Decryption Secrets Block
            .Enhanced(1, 2_000_000, s_packet)           // interface 1: microseconds + 10 s offset
            .Block(5, new byte[28])                     // Interface Statistics Block
            .Block(0x0000_0BAD, new byte[8])            // custom block
            .Block(0x4000_0BAD, new byte[8])            // custom block (do not copy)
            .Block(0x1234_5678, new byte[100])          // unknown
            .Enhanced(0, 3, s_packet)                   // interface 0: nanoseconds
            .ToArray();

        using var reader = (PcapngFileReader)CaptureFileReader.Open(new MemoryStream(file));

        Assert.True(reader.TryReadPacket(out CapturePacket first));
        Assert.Equal(1, first.InterfaceId);
        Assert.Equal(LinkType.Ethernet, first.LinkType);
        Assert.Equal(12_000_000_000, first.TimestampNanoseconds);
        Assert.True(reader.TryReadPacket(out CapturePacket second));
        Assert.Equal(2, second.FrameNumber);
        Assert.Equal(LinkType.LinuxSll, second.LinkType);
        Assert.Equal(3, second.TimestampNanoseconds);
        Assert.Equal(2, reader.Interfaces.Count);
        Assert.False(reader.TryReadPacket(out _));
    }

    [Fact]
    public void TryReadPacket_SeveralSectionsOfDifferentByteOrder_ResetsInterfaces()
    {
        byte[] file = new PcapngTestWriter()
            .SectionHeader(bigEndian: false)
            .Interface(LinkType.Ethernet)
            .Enhanced(0, 1, s_packet)
            .SectionHeader(bigEndian: true)
            .Interface(LinkType.Raw)
            .Enhanced(0, 2, s_packet)
            .ToArray();

        using var reader = (PcapngFileReader)CaptureFileReader.Open(new MemoryStream(file));

        Assert.True(reader.TryReadPacket(out CapturePacket first));
        Assert.Equal(LinkType.Ethernet, first.LinkType);
        Assert.True(reader.TryReadPacket(out CapturePacket second));
        Assert.Equal(LinkType.Raw, second.LinkType);
        Assert.Equal(2, second.FrameNumber);
        Assert.Equal(2, reader.Sections);
        Assert.True(reader.IsBigEndian);
    }

    [Fact]
    public void TryReadPacket_SecondSectionForgetsFirstSectionsInterfaces()
    {
        byte[] file = new PcapngTestWriter()
            .SectionHeader()
            .Interface(LinkType.Ethernet)
            .SectionHeader()
            .Enhanced(0, 1, s_packet)
            .ToArray();

        using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(file));

        var error = Assert.Throws<CaptureFormatException>(() => reader.TryReadPacket(out _));
        Assert.Contains("interface 0", error.Message, StringComparison.Ordinal);
        Assert.Equal(28 + 20 + 28, error.Offset);
    }

    public static TheoryData<string, byte[], long, string> MalformedFiles()
    {
        byte[] good = new PcapngTestWriter().SectionHeader().Interface(LinkType.Ethernet).ToArray();
        var data = new TheoryData<string, byte[], long, string>
        {
            { "byte-order magic wrong", Patch(new PcapngTestWriter().SectionHeader().ToArray(), 8, [0x11, 0x22, 0x33, 0x44]), 8, "byte-order magic 11223344" },
            { "SHB length not a multiple of 4", Patch(new PcapngTestWriter().SectionHeader().ToArray(), 4, [29, 0, 0, 0]), 0, "total length 29" },
            { "SHB length 1 GiB", Patch(new PcapngTestWriter().SectionHeader().ToArray(), 4, [0, 0, 0, 0x40]), 0, "total length 1073741824" },
            { "SHB length 64 MiB (read whole, so bounded like a packet)", Patch(new PcapngTestWriter().SectionHeader().ToArray(), 4, [0, 0, 0, 0x04]), 0, "total length 67108864; it must be a multiple of 4 between 28 and 16842752" },
            { "SHB trailer differs", Patch(new PcapngTestWriter().SectionHeader().ToArray(), 24, [32, 0, 0, 0]), 0, "28 at its start but 32 at its end" },
            { "pcapng version 2", new PcapngTestWriter().SectionHeader(major: 2).ToArray(), 12, "pcapng version 2.0" },
            { "block length 1 GiB", [.. good, .. new PcapngTestWriter().BlockHeaderOnly(6, 0x4000_0000).ToArray()], good.Length, "1073741824 bytes, more than the limit" },
            { "block length all ones", [.. good, .. new PcapngTestWriter().BlockHeaderOnly(6, 0xFFFF_FFFC).ToArray()], good.Length, "4294967292 bytes" },
            { "block length 8", [.. good, .. new PcapngTestWriter().BlockHeaderOnly(6, 8).ToArray(), .. new byte[8]], good.Length, "total length 8" },
            { "block length not a multiple of 4", [.. good, .. new PcapngTestWriter().BlockHeaderOnly(6, 34).ToArray(), .. new byte[40]], good.Length, "total length 34" },
            { "EPB trailer differs", Patch([.. good, .. new PcapngTestWriter().Enhanced(0, 0, s_packet).ToArray()], good.Length + 40 - 4, [44, 0, 0, 0]), good.Length, "at its end" },
            { "EPB on undeclared interface", [.. good, .. new PcapngTestWriter().Enhanced(3, 0, s_packet).ToArray()], good.Length, "interface 3" },
            { "EPB captured length beyond block", [.. good, .. new PcapngTestWriter().Enhanced(0, 0, s_packet, capturedLength: 9999).ToArray()], good.Length, "9999 captured bytes" },
            { "IDB option runs past the block", Patch(new PcapngTestWriter().SectionHeader().Interface(LinkType.Ethernet, tsresol: 6).ToArray(), 28 + 16 + 2, [0xFF, 0x00]), 28 + 16, "option 9 claims 255 bytes" },
            { "EPB before any IDB", new PcapngTestWriter().SectionHeader().Enhanced(0, 0, s_packet).ToArray(), 28, "described only 0 interface(s)" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Read_MalformedFile_ThrowsWithByteOffsetWithoutLargeAllocation(string description, byte[] file, long offset, string expected)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<CaptureFormatException>(() =>
        {
            using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(file));
            while (reader.TryReadPacket(out _))
            {
            }
        });

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(offset, error.Offset);
        Assert.Contains($"byte offset {offset}", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * 1024 * 1024, description);
    }

    [Theory]
    [InlineData("block header cut", 4, 8)]
    [InlineData("packet block cut", 30, 40)]
    public void TryReadPacket_TruncatedLastBlock_ReportsAfterEarlierPackets(string description, int keep, long needed)
    {
        byte[] head = new PcapngTestWriter().SectionHeader().Interface(LinkType.Ethernet).Enhanced(0, 0, s_packet).ToArray();
        byte[] last = new PcapngTestWriter().Enhanced(0, 0, s_packet).ToArray()[..keep];
        byte[] file = [.. head, .. last];

        using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(file));

        Assert.True(reader.TryReadPacket(out _), description);
        Assert.False(reader.TryReadPacket(out _));
        CaptureTruncation truncation = Assert.IsType<CaptureTruncation>(reader.Truncation);
        Assert.Equal(head.Length, truncation.Offset);
        Assert.Equal(needed, truncation.Needed);
        Assert.Equal(keep, truncation.Available);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryReadPacket_HugeUnknownBlockInShortFile_ReportsTruncationWithoutBuffering(bool seekable)
    {
        byte[] head = new PcapngTestWriter().SectionHeader().Interface(LinkType.Ethernet).Enhanced(0, 0, s_packet).ToArray();
        byte[] file = [.. head, .. new PcapngTestWriter().BlockHeaderOnly(0x1234, 200 * 1024 * 1024).ToArray(), .. new byte[1000]];
        long before = GC.GetAllocatedBytesForCurrentThread();

        using CaptureFileReader reader = CaptureFileReader.Open(seekable ? new MemoryStream(file) : new ChunkedStream(file, 333));

        Assert.True(reader.TryReadPacket(out _));
        Assert.False(reader.TryReadPacket(out _));
        Assert.Equal(head.Length, reader.Truncation?.Offset);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * 1024 * 1024);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryReadPacket_256MiBPacketBlock_SkipsItUnbufferedAndCountsIt(bool seekable)
    {
        const uint length = 256 * 1024 * 1024;
        byte[] head = new PcapngTestWriter().SectionHeader().Interface(LinkType.Ethernet, snapLength: 0).Enhanced(0, 0, s_packet).ToArray();
        byte[] epb = new byte[28];
        BinaryPrimitives.WriteUInt32LittleEndian(epb, 6);
        BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(4), length);
        BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(20), length - 32);
        BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(24), length - 32);
        byte[] trailer = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, length);
        byte[] tail = [.. trailer, .. new PcapngTestWriter().Enhanced(0, 1, s_packet).ToArray()];
        var stream = new SparseStream([.. head, .. epb], length - 28 - 4, tail, seekable);
        long before = GC.GetAllocatedBytesForCurrentThread();

        using CaptureFileReader reader = CaptureFileReader.Open(stream);
        Assert.True(reader.TryReadPacket(out CapturePacket first));
        Assert.True(reader.TryReadPacket(out CapturePacket third));
        Assert.False(reader.TryReadPacket(out _));

        Assert.Equal(1, first.FrameNumber);
        Assert.Equal(3, third.FrameNumber);
        Assert.Equal(s_packet, third.Data.ToArray());
        Assert.Null(reader.Truncation);
        CaptureSkippedRecords skipped = Assert.IsType<CaptureSkippedRecords>(reader.SkippedRecords);
        Assert.Equal(1, skipped.Count);
        Assert.Equal(2, skipped.FirstFrame);
        Assert.Equal(head.Length, skipped.FirstOffset);
        Assert.Equal(length, skipped.LargestLength);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * 1024 * 1024);
    }

    [Fact]
    public void TryReadPacket_OversizedInterfaceDescription_ThrowsWithOffset()
    {
        byte[] head = new PcapngTestWriter().SectionHeader().ToArray();
        byte[] idb = new PcapngTestWriter().BlockHeaderOnly(1, 64 * 1024 * 1024).ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<CaptureFormatException>(() =>
        {
            using CaptureFileReader reader = CaptureFileReader.Open(new SparseStream([.. head, .. idb], 64 * 1024 * 1024, [], seekable: true));
            reader.TryReadPacket(out _);
        });

        Assert.Equal(head.Length, error.Offset);
        Assert.Contains("Interface Description Block claims a total length of 67108864 bytes", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * 1024 * 1024);
    }

    [Fact]
    public void TryReadPacket_LargePacketInSmallReads_GrowsBufferAndReadsIt()
    {
        byte[] big = new byte[300_000];
        Random.Shared.NextBytes(big);
        byte[] file = new PcapngTestWriter().SectionHeader().Interface(LinkType.Ethernet, snapLength: 0).Enhanced(0, 0, big).Enhanced(0, 1, s_packet).ToArray();

        using CaptureFileReader reader = CaptureFileReader.Open(new ChunkedStream(file, 1000), new CaptureReaderOptions { ReadBufferSize = 4096 });

        Assert.True(reader.TryReadPacket(out CapturePacket packet));
        Assert.Equal(big, packet.Data.ToArray());
        Assert.True(reader.TryReadPacket(out packet));
        Assert.Equal(s_packet, packet.Data.ToArray());
    }

    private static byte[] Patch(byte[] bytes, int offset, byte[] patch)
    {
        byte[] copy = (byte[])bytes.Clone();
        patch.CopyTo(copy, offset);
        return copy;
    }
}
