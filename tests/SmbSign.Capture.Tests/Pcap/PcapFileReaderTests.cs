using System.Buffers.Binary;
using SmbSign.Capture.Pcap;

namespace SmbSign.Capture.Tests.Pcap;

public sealed class PcapFileReaderTests
{
    private static readonly byte[] s_first = [1, 2, 3, 4, 5];
    private static readonly byte[] s_second = new byte[1500];

    [Theory]
    [InlineData(false, false, CaptureFileFormat.Pcap)]
    [InlineData(true, false, CaptureFileFormat.Pcap)]
    [InlineData(false, true, CaptureFileFormat.PcapNanoseconds)]
    [InlineData(true, true, CaptureFileFormat.PcapNanoseconds)]
    public void TryReadPacket_EitherByteOrderAndResolution_ReadsPacketsAndTimestamps(bool bigEndian, bool nanoseconds, CaptureFileFormat format)
    {
        byte[] file = Write(bigEndian, nanoseconds, (1_700_000_000_123_456_789, s_first), (1_700_000_001_000_001_000, s_second));

        using var reader = (PcapFileReader)CaptureFileReader.Open(new MemoryStream(file));

        Assert.Equal(format, reader.Format);
        Assert.Equal(bigEndian, reader.IsBigEndian);
        Assert.Equal(LinkType.Ethernet, reader.LinkType);
        Assert.True(reader.TryReadPacket(out CapturePacket first));
        Assert.Equal(1, first.FrameNumber);
        Assert.Equal(s_first, first.Data.ToArray());
        Assert.Equal(nanoseconds ? 1_700_000_000_123_456_789 : 1_700_000_000_123_456_000, first.TimestampNanoseconds);
        Assert.Equal(24, first.FileOffset);
        Assert.True(reader.TryReadPacket(out CapturePacket second));
        Assert.Equal(2, second.FrameNumber);
        Assert.Equal(1500, second.Data.Length);
        Assert.Equal(1_700_000_001_000_001_000, second.TimestampNanoseconds);
        Assert.False(reader.TryReadPacket(out _));
        Assert.Null(reader.Truncation);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void TryReadPacket_NonSeekableStreamInSmallReads_ReadsEverything(int chunk)
    {
        var packets = Enumerable.Range(0, 50).Select(i => ((long)i * 1000, new byte[i * 37 % 2000])).ToArray();
        byte[] file = Write(false, false, packets);

        using CaptureFileReader reader = CaptureFileReader.Open(new ChunkedStream(file, chunk), new CaptureReaderOptions { ReadBufferSize = 256 });

        int count = 0;
        while (reader.TryReadPacket(out CapturePacket packet))
        {
            Assert.Equal(packets[count].Item2.Length, packet.Data.Length);
            count++;
        }

        Assert.Equal(50, count);
        Assert.Null(reader.Truncation);
    }

    [Theory]
    [InlineData("inside the record header", 24 + 21 + 10, 45, 16, 10)]
    [InlineData("inside the packet data", 24 + 21 + 16 + 100, 45, 16 + 1500, 116)]
    public void TryReadPacket_TruncatedLastRecord_ReportsItAfterEarlierPackets(string description, int cut, long offset, long needed, long available)
    {
        byte[] file = Write(false, false, (0, s_first), (1, s_second))[..cut];

        using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(file));

        Assert.True(reader.TryReadPacket(out _), description);
        Assert.False(reader.TryReadPacket(out _));
        CaptureTruncation truncation = Assert.IsType<CaptureTruncation>(reader.Truncation);
        Assert.Equal(offset, truncation.Offset);
        Assert.Equal(2, truncation.FrameNumber);
        Assert.Equal(needed, truncation.Needed);
        Assert.Equal(available, truncation.Available);
        Assert.Contains("byte offset 45", truncation.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1 GiB record", 0x4000_0000u, 0u)]
    [InlineData("all ones", 0xFFFF_FFFFu, 0u)]
    [InlineData("above a 1500-byte snaplen and the 256 KiB floor", 300_000u, 1500u)]
    [InlineData("above the 256 MiB cap with snaplen 0", 300_000_000u, 0u)]
    public void TryReadPacket_AbsurdRecordLength_ThrowsWithOffsetWithoutAllocating(string description, uint length, uint snapLength)
    {
        byte[] file = Write(false, false, (0, s_first));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(16), snapLength);
        byte[] record = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), length);
        file = [.. file, .. record, .. new byte[64]];
        long before = GC.GetAllocatedBytesForCurrentThread();

        using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(file));
        Assert.True(reader.TryReadPacket(out _));
        var error = Assert.Throws<CaptureFormatException>(() => reader.TryReadPacket(out _));

        Assert.Equal(45, error.Offset);
        Assert.Contains("byte offset 45", error.Message, StringComparison.Ordinal);
        Assert.Contains(length.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * 1024 * 1024, description);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryReadPacket_256MiBRecordWithSnaplenZero_SkipsItUnbufferedAndCountsIt(bool seekable)
    {
        // One record claims (and really has) 256 MiB: longer than any SMB message in one frame. It is skipped (seeked
        // past in a file, read through a small buffer from a pipe), the next record keeps Wireshark's frame number 3.
        const uint length = 256 * 1024 * 1024;
        byte[] head = Write(false, false, (0, s_first));
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(16), 0); // snaplen 0
        byte[] record = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), length);
        byte[] tail = Write(false, false, (5, s_second))[24..];
        var stream = new SparseStream([.. head, .. record], length, tail, seekable);
        long before = GC.GetAllocatedBytesForCurrentThread();

        using CaptureFileReader reader = CaptureFileReader.Open(stream);
        Assert.True(reader.TryReadPacket(out CapturePacket first));
        Assert.True(reader.TryReadPacket(out CapturePacket third));
        Assert.False(reader.TryReadPacket(out _));

        Assert.Equal(1, first.FrameNumber);
        Assert.Equal(3, third.FrameNumber);
        Assert.Equal(s_second.Length, third.Data.Length);
        Assert.Null(reader.Truncation);
        CaptureSkippedRecords skipped = Assert.IsType<CaptureSkippedRecords>(reader.SkippedRecords);
        Assert.Equal(1, skipped.Count);
        Assert.Equal(2, skipped.FirstFrame);
        Assert.Equal(head.Length, skipped.FirstOffset);
        Assert.Equal(length, skipped.LargestLength);
        Assert.Equal(CaptureReaderOptions.DefaultMaxBufferedRecordLength, skipped.Limit);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * 1024 * 1024);
        Assert.True(seekable ? stream.BytesRead < 8 * 1024 * 1024 : stream.BytesRead > length);
    }

    [Fact]
    public void TryReadPacket_OversizedLastRecordCutShort_ReportsTruncation()
    {
        byte[] head = Write(false, false, (0, s_first));
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(16), 0);
        byte[] record = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), 100_000_000);
        var stream = new SparseStream([.. head, .. record], 1000, [], seekable: true);

        using CaptureFileReader reader = CaptureFileReader.Open(stream);
        Assert.True(reader.TryReadPacket(out _));
        Assert.False(reader.TryReadPacket(out _));

        CaptureTruncation truncation = Assert.IsType<CaptureTruncation>(reader.Truncation);
        Assert.Equal(head.Length, truncation.Offset);
        Assert.Equal(2, truncation.FrameNumber);
        Assert.Equal(16 + 1000, truncation.Available);
        Assert.Equal(1, reader.SkippedRecords?.Count);
    }

    [Theory]
    [InlineData("empty file", "", "empty")]
    [InlineData("three bytes", "D4C3B2", "only 3 byte(s)")]
    [InlineData("GIF", "474946383961", "magic 47494638")]
    [InlineData("gzip", "1F8B0800000000000000", "gzip")]
    [InlineData("modified pcap", "34CDB2A1020004000000000000000000FFFF000001000000", "modified")]
    [InlineData("pcap header cut", "D4C3B2A10200040000000000", "pcap file header truncated")]
    [InlineData("pcap version 3", "D4C3B2A1030000000000000000000000FFFF000001000000", "pcap version 3.0")]
    public void Open_NotAPcap_ThrowsClearError(string description, string hex, string expected)
    {
        byte[] file = Convert.FromHexString(hex);

        var error = Assert.Throws<CaptureFormatException>(() => CaptureFileReader.Open(new MemoryStream(file)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("byte offset", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Offset);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Fact]
    public void Open_LinkTypeFieldWithFcsBits_UsesLowSixteenBits()
    {
        byte[] file = Write(false, false, (0, s_first));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(20), 0x1400_0001); // FCS present (4 bytes), Ethernet

        using var reader = (PcapFileReader)CaptureFileReader.Open(new MemoryStream(file));

        Assert.Equal(LinkType.Ethernet, reader.LinkType);
    }

    private static byte[] Write(bool bigEndian, bool nanoseconds, params (long Time, byte[] Data)[] packets)
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, LinkType.Ethernet, bigEndian: bigEndian, nanoseconds: nanoseconds, leaveOpen: true))
        {
            foreach ((long time, byte[] data) in packets)
            {
                writer.WritePacket(time, data);
            }
        }

        return stream.ToArray();
    }
}
