using System.Buffers.Binary;
using SmbSign.Protocol.Smb2;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Smb;

/// <summary>What an SMB transport frame carried.</summary>
public enum SmbMessageKind : byte
{
    /// <summary>A plain SMB2/3 message (0xFE 'SMB'); one per member of a compound.</summary>
    Smb2 = 0,

    /// <summary>An SMB3 TRANSFORM_HEADER (0xFD 'SMB', [MS-SMB2] 2.2.41): encrypted, so not signed and not checkable.</summary>
    Smb2Encrypted = 1,

    /// <summary>An SMB 3.1.1 COMPRESSION_TRANSFORM_HEADER (0xFC 'SMB', [MS-SMB2] 2.2.42).</summary>
    Smb2Compressed = 2,

    /// <summary>An SMB1/CIFS message (0xFF 'SMB').</summary>
    Smb1 = 3,
}

/// <summary>[MS-CIFS] 2.2.3.1 SMB1 header fields (32 bytes): read only for reporting; the SMB1 codecs live in
/// SmbSign.Protocol.</summary>
public readonly record struct Smb1HeaderFields(
    byte Command,
    uint Status,
    byte Flags,
    ushort Flags2,
    ushort TreeId,
    ushort ProcessIdLow,
    ushort UserId,
    ushort MultiplexId)
{
    public const int Size = 32;
    public const int SecuritySignatureOffset = 14;
    public const int SecuritySignatureSize = 8;
    public const byte FlagsReply = 0x80;
    public const ushort Flags2SecuritySignature = 0x0004;
    public const ushort Flags2SecuritySignatureRequired = 0x0010;

    public bool IsReply => (Flags & FlagsReply) != 0;

    /// <summary>Parses the header; false when fewer than 32 bytes are present.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out Smb1HeaderFields header)
    {
        header = default;
        if (message.Length < Size)
        {
            return false;
        }

        header = new Smb1HeaderFields(
            message[4],
            BinaryPrimitives.ReadUInt32LittleEndian(message[5..]),
            message[9],
            BinaryPrimitives.ReadUInt16LittleEndian(message[10..]),
            BinaryPrimitives.ReadUInt16LittleEndian(message[24..]),
            BinaryPrimitives.ReadUInt16LittleEndian(message[26..]),
            BinaryPrimitives.ReadUInt16LittleEndian(message[28..]),
            BinaryPrimitives.ReadUInt16LittleEndian(message[30..]));
        return true;
    }
}

/// <summary>One SMB message found in a capture, in per-connection stream order. <see cref="Bytes"/> is the whole
/// message exactly as a signer covers it: for SMB2 from its own header to the next compound member (padding included)
/// or to the end of the transport frame; the 4-byte transport prefix is never included. The bytes are valid only during
/// the <see cref="ISmbCaptureSink.OnMessage"/> callback (or until the next <see cref="SmbCaptureReader.TryRead"/>).</summary>
public readonly struct CapturedSmbMessage
{
    internal CapturedSmbMessage(
        long frameNumber,
        long firstFrameNumber,
        long timestampNanoseconds,
        TcpConnectionInfo connection,
        SmbDirection direction,
        SmbMessageKind kind,
        ReadOnlyMemory<byte> bytes,
        long streamOffset,
        int compoundIndex,
        bool isLastInCompound,
        Smb2Header smb2Header,
        Smb1HeaderFields smb1Header,
        ulong sessionId)
    {
        FrameNumber = frameNumber;
        FirstFrameNumber = firstFrameNumber;
        TimestampNanoseconds = timestampNanoseconds;
        Connection = connection;
        Direction = direction;
        Kind = kind;
        Bytes = bytes;
        StreamOffset = streamOffset;
        CompoundIndex = compoundIndex;
        IsLastInCompound = isLastInCompound;
        Smb2Header = smb2Header;
        Smb1Header = smb1Header;
        SessionId = sessionId;
    }

    /// <summary>The frame holding the message's last byte (where Wireshark shows the reassembled PDU), 1-based.</summary>
    public long FrameNumber { get; }

    /// <summary>The frame holding the first byte of the message's transport frame.</summary>
    public long FirstFrameNumber { get; }

    /// <summary>Capture time of <see cref="FrameNumber"/>, in nanoseconds since the Unix epoch.</summary>
    public long TimestampNanoseconds { get; }

    public TcpConnectionInfo Connection { get; }

    public SmbDirection Direction { get; }

    public SmbMessageKind Kind { get; }

    /// <summary>The message bytes (see the type's remarks for their extent and lifetime).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Offset of the message's first byte in its direction's reassembled byte stream.</summary>
    public long StreamOffset { get; }

    /// <summary>0 for a lone message or the first of a compound, then 1, 2, …</summary>
    public int CompoundIndex { get; }

    public bool IsLastInCompound { get; }

    /// <summary>The parsed header when <see cref="Kind"/> is <see cref="SmbMessageKind.Smb2"/>.</summary>
    public Smb2Header Smb2Header { get; }

    /// <summary>The parsed header when <see cref="Kind"/> is <see cref="SmbMessageKind.Smb1"/>.</summary>
    public Smb1HeaderFields Smb1Header { get; }

    /// <summary>SMB2 SessionId, the TRANSFORM_HEADER's SessionId for encrypted messages, or the SMB1 UID.</summary>
    public ulong SessionId { get; }

    public bool IsResponse => Direction == SmbDirection.ServerToClient;

    /// <summary>SMB2: the SIGNED flag. SMB1: the SECURITY_SIGNATURE Flags2 bit with a signature that is neither zero nor
    /// the "BSRSPYL " placeholder. Encrypted and compressed messages: false.</summary>
    public bool IsSigned => Kind switch
    {
        SmbMessageKind.Smb2 => Smb2Header.IsSigned,
        SmbMessageKind.Smb1 => (Smb1Header.Flags2 & Smb1HeaderFields.Flags2SecuritySignature) != 0 && HasSmb1Signature(Bytes.Span),
        _ => false,
    };

    /// <summary>The same message over other bytes (used when copying out of a transient buffer).</summary>
    public CapturedSmbMessage WithBytes(ReadOnlyMemory<byte> bytes) => new(
        FrameNumber, FirstFrameNumber, TimestampNanoseconds, Connection, Direction, Kind, bytes, StreamOffset,
        CompoundIndex, IsLastInCompound, Smb2Header, Smb1Header, SessionId);

    private static bool HasSmb1Signature(ReadOnlySpan<byte> message)
    {
        if (message.Length < Smb1HeaderFields.Size)
        {
            return false;
        }

        ReadOnlySpan<byte> signature = message.Slice(Smb1HeaderFields.SecuritySignatureOffset, Smb1HeaderFields.SecuritySignatureSize);
        ReadOnlySpan<byte> placeholder = [0x42, 0x53, 0x52, 0x53, 0x50, 0x59, 0x4C, 0x20]; // "BSRSPYL "
        return signature.ContainsAnyExcept((byte)0) && !signature.SequenceEqual(placeholder);
    }
}
