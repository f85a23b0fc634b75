using System.Buffers.Binary;

namespace SmbSign.Capture.Pcap;

/// <summary>Writes classic pcap files (either byte order, micro- or nanosecond timestamps). Used to export packets and
/// by the benchmark's capture generator.</summary>
public sealed class PcapFileWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _bigEndian;
    private readonly bool _nanoseconds;
    private readonly bool _leaveOpen;
    private readonly byte[] _header = new byte[PcapFileReader.RecordHeaderSize];

    public PcapFileWriter(Stream stream, LinkType linkType, uint snapLength = 262_144, bool bigEndian = false, bool nanoseconds = false, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _bigEndian = bigEndian;
        _nanoseconds = nanoseconds;
        _leaveOpen = leaveOpen;
        Span<byte> header = stackalloc byte[PcapFileReader.FileHeaderSize];
        WriteUInt32(header, nanoseconds ? PcapFileReader.NanosecondMagic : PcapFileReader.MicrosecondMagic);
        WriteUInt16(header[4..], 2);
        WriteUInt16(header[6..], 4);
        WriteUInt32(header[8..], 0);
        WriteUInt32(header[12..], 0);
        WriteUInt32(header[16..], snapLength);
        WriteUInt32(header[20..], (uint)linkType);
        _stream.Write(header);
    }

    /// <summary>Appends one record.</summary>
    public void WritePacket(long timestampNanoseconds, ReadOnlySpan<byte> data, int originalLength = -1)
    {
        long seconds = Math.DivRem(timestampNanoseconds, 1_000_000_000L, out long remainder);
        WriteUInt32(_header, (uint)seconds);
        WriteUInt32(_header.AsSpan(4), (uint)(_nanoseconds ? remainder : remainder / 1000));
        WriteUInt32(_header.AsSpan(8), (uint)data.Length);
        WriteUInt32(_header.AsSpan(12), (uint)(originalLength < 0 ? data.Length : originalLength));
        _stream.Write(_header);
        _stream.Write(data);
    }

    private void WriteUInt16(Span<byte> destination, ushort value)
    {
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, value);
        }
    }

    private void WriteUInt32(Span<byte> destination, uint value)
    {
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        }
    }

    public void Dispose()
    {
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
