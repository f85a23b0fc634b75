using System.Buffers.Binary;

namespace SmbSign.Protocol.Smb2;

/// <summary>[MS-SMB2] 2.2.1 SMB2 packet header (64 bytes, little-endian).</summary>
public readonly record struct Smb2Header(
    ushort CreditCharge,
    uint Status,
    Smb2Command Command,
    ushort Credits,
    Smb2Flags Flags,
    uint NextCommand,
    ulong MessageId,
    ulong AsyncId,
    uint TreeId,
    ulong SessionId)
{
    public const int Size = 64;
    public const int ProtocolIdOffset = 0;
    public const int StatusOffset = 8;
    public const int CommandOffset = 12;
    public const int FlagsOffset = 16;
    public const int NextCommandOffset = 20;
    public const int MessageIdOffset = 24;
    public const int TreeIdOffset = 36;
    public const int SessionIdOffset = 40;
    public const int SignatureOffset = 48;
    public const int SignatureSize = 16;

    /// <summary>0xFE 'S' 'M' 'B'.</summary>
    public static ReadOnlySpan<byte> ProtocolId => [0xFE, 0x53, 0x4D, 0x42];

    /// <summary>0xFD 'S' 'M' 'B': an encrypted TRANSFORM_HEADER ([MS-SMB2] 2.2.41).</summary>
    public static ReadOnlySpan<byte> TransformProtocolId => [0xFD, 0x53, 0x4D, 0x42];

    /// <summary>0xFC 'S' 'M' 'B': a compression TRANSFORM_HEADER ([MS-SMB2] 2.2.42).</summary>
    public static ReadOnlySpan<byte> CompressionProtocolId => [0xFC, 0x53, 0x4D, 0x42];

    public bool IsResponse => (Flags & Smb2Flags.ServerToRedir) != 0;

    public bool IsSigned => (Flags & Smb2Flags.Signed) != 0;

    public bool IsAsync => (Flags & Smb2Flags.AsyncCommand) != 0;

    /// <summary>True when the span starts with an SMB2 header's protocol id.</summary>
    public static bool HasSmb2ProtocolId(ReadOnlySpan<byte> message) =>
        message.Length >= 4 && message[..4].SequenceEqual(ProtocolId);

    /// <summary>Parses the fixed header; throws <see cref="SmbProtocolException"/> when it is not one.</summary>
    public static Smb2Header Read(ReadOnlySpan<byte> message)
    {
        if (!TryRead(message, out Smb2Header header, out string? error))
        {
            throw new SmbProtocolException(error!, 0);
        }

        return header;
    }

    /// <summary>Parses the fixed header without throwing.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out Smb2Header header, out string? error)
    {
        header = default;
        if (message.Length < Size)
        {
            error = $"SMB2 header needs {Size} bytes, got {message.Length}";
            return false;
        }

        if (!HasSmb2ProtocolId(message))
        {
            error = "not an SMB2 header (expected FE 53 4D 42)";
            return false;
        }

        ushort structureSize = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
        if (structureSize != Size)
        {
            error = $"SMB2 header StructureSize is {structureSize}, expected 64";
            return false;
        }

        var flags = (Smb2Flags)BinaryPrimitives.ReadUInt32LittleEndian(message[FlagsOffset..]);
        bool isAsync = (flags & Smb2Flags.AsyncCommand) != 0;
        header = new Smb2Header(
            CreditCharge: BinaryPrimitives.ReadUInt16LittleEndian(message[6..]),
            Status: BinaryPrimitives.ReadUInt32LittleEndian(message[StatusOffset..]),
            Command: (Smb2Command)BinaryPrimitives.ReadUInt16LittleEndian(message[CommandOffset..]),
            Credits: BinaryPrimitives.ReadUInt16LittleEndian(message[14..]),
            Flags: flags,
            NextCommand: BinaryPrimitives.ReadUInt32LittleEndian(message[NextCommandOffset..]),
            MessageId: BinaryPrimitives.ReadUInt64LittleEndian(message[MessageIdOffset..]),
            AsyncId: isAsync ? BinaryPrimitives.ReadUInt64LittleEndian(message[32..]) : 0,
            TreeId: isAsync ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(message[TreeIdOffset..]),
            SessionId: BinaryPrimitives.ReadUInt64LittleEndian(message[SessionIdOffset..]));
        error = null;
        return true;
    }

    /// <summary>Writes the header into the first 64 bytes of <paramref name="destination"/> with a zero signature.</summary>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"Destination needs {Size} bytes.", nameof(destination));
        }

        ProtocolId.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Size);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], CreditCharge);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[StatusOffset..], Status);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[CommandOffset..], (ushort)Command);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[14..], Credits);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[FlagsOffset..], (uint)Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[NextCommandOffset..], NextCommand);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[MessageIdOffset..], MessageId);
        if (IsAsync)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], AsyncId);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[TreeIdOffset..], TreeId);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(destination[SessionIdOffset..], SessionId);
        destination.Slice(SignatureOffset, SignatureSize).Clear();
    }
}
