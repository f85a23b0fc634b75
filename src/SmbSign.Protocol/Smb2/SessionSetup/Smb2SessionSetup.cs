using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.SessionSetup;

/// <summary>[MS-SMB2] 2.2.6 SessionFlags of a SESSION_SETUP response.</summary>
[Flags]
public enum Smb2SessionFlags : ushort
{
    None = 0,
    IsGuest = 0x0001,
    IsNull = 0x0002,
    EncryptData = 0x0004,
}

/// <summary>[MS-SMB2] 2.2.5 SESSION_SETUP request Flags.</summary>
[Flags]
public enum Smb2SessionSetupFlags : byte
{
    None = 0,
    Binding = 0x01,
}

/// <summary>[MS-SMB2] 2.2.5 SMB2 SESSION_SETUP request. The security buffer follows the fixed part at offset 88.</summary>
public sealed record Smb2SessionSetupRequest
{
    public const ushort StructureSize = 25;

    /// <summary>Offset of the security buffer from the header start.</summary>
    public const int BufferOffset = Smb2Header.Size + 24;

    public Smb2SessionSetupFlags Flags { get; init; }

    public Smb2SecurityMode SecurityMode { get; init; } = Smb2SecurityMode.SigningEnabled;

    /// <summary>Client capabilities; only DFS (0x1) is defined for this field.</summary>
    public uint Capabilities { get; init; }

    public uint Channel { get; init; }

    public ulong PreviousSessionId { get; init; }

    /// <summary>The GSS token (SPNEGO NegTokenInit or NegTokenResp).</summary>
    public ReadOnlyMemory<byte> SecurityBuffer { get; init; }

    public int GetEncodedLength() => BufferOffset + SecurityBuffer.Length;

    public int WriteTo(Span<byte> destination, Smb2Header header)
    {
        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination needs {length} bytes, has {destination.Length}.", nameof(destination));
        }

        header.Write(destination);
        var writer = new SmbWriter(destination[..length]);
        writer.Reserve(Smb2Header.Size);
        writer.WriteUInt16(StructureSize);
        writer.WriteByte((byte)Flags);
        writer.WriteByte((byte)SecurityMode);
        writer.WriteUInt32(Capabilities);
        writer.WriteUInt32(Channel);
        writer.WriteUInt16(SecurityBuffer.IsEmpty ? (ushort)0 : (ushort)BufferOffset);
        writer.WriteUInt16(checked((ushort)SecurityBuffer.Length));
        writer.WriteUInt64(PreviousSessionId);
        writer.WriteBytes(SecurityBuffer.Span);
        return writer.Position;
    }

    public byte[] ToArray(Smb2Header header)
    {
        byte[] message = new byte[GetEncodedLength()];
        WriteTo(message, header);
        return message;
    }

    /// <summary>Reads a SESSION_SETUP request (header included).</summary>
    public static Smb2SessionSetupRequest Parse(ReadOnlySpan<byte> message)
    {
        Smb2Header header = Smb2Header.Read(message);
        if (header.Command != Smb2Command.SessionSetup)
        {
            ThrowHelper.ThrowInvalid($"expected an SMB2 SESSION_SETUP request, got command 0x{(ushort)header.Command:X4}", Smb2Header.CommandOffset);
        }

        var reader = new SmbReader(message, "SMB2 SESSION_SETUP request", Smb2Header.Size);
        ushort structureSize = reader.ReadUInt16();
        if (structureSize != StructureSize)
        {
            ThrowHelper.ThrowInvalid($"SMB2 SESSION_SETUP request StructureSize is {structureSize}, expected {StructureSize}", Smb2Header.Size);
        }

        var flags = (Smb2SessionSetupFlags)reader.ReadByte();
        var securityMode = (Smb2SecurityMode)reader.ReadByte();
        uint capabilities = reader.ReadUInt32();
        uint channel = reader.ReadUInt32();
        ushort offset = reader.ReadUInt16();
        ushort length = reader.ReadUInt16();
        ulong previous = reader.ReadUInt64();
        return new Smb2SessionSetupRequest
        {
            Flags = flags,
            SecurityMode = securityMode,
            Capabilities = capabilities,
            Channel = channel,
            PreviousSessionId = previous,
            SecurityBuffer = reader.GetBuffer(offset, length, "SecurityBuffer").ToArray(),
        };
    }
}

/// <summary>[MS-SMB2] 2.2.6 SMB2 SESSION_SETUP response. Status (SUCCESS or MORE_PROCESSING_REQUIRED) and SessionId
/// come from the header; an error response ([MS-SMB2] 2.2.2, StructureSize 9 as well) is rejected by <see cref="Parse"/>.</summary>
public sealed record Smb2SessionSetupResponse
{
    public const ushort StructureSize = 9;

    public const int BufferOffset = Smb2Header.Size + 8;

    public uint Status { get; init; }

    public ulong SessionId { get; init; }

    public Smb2SessionFlags SessionFlags { get; init; }

    public ReadOnlyMemory<byte> SecurityBuffer { get; init; }

    public bool IsGuest => (SessionFlags & Smb2SessionFlags.IsGuest) != 0;

    public bool IsNull => (SessionFlags & Smb2SessionFlags.IsNull) != 0;

    /// <summary>Reads a SESSION_SETUP response whose status is SUCCESS or MORE_PROCESSING_REQUIRED; any other status throws
    /// <see cref="SmbProtocolException"/> naming it (callers that expect failures check <see cref="Smb2Header.Status"/> first).</summary>
    public static Smb2SessionSetupResponse Parse(ReadOnlySpan<byte> message)
    {
        Smb2Header header = Smb2Requests.ReadResponseHeader(message, Smb2Command.SessionSetup);
        if (header.Status != NtStatus.Success && header.Status != NtStatus.MoreProcessingRequired)
        {
            ThrowHelper.ThrowInvalid($"SMB2 SESSION_SETUP failed with status 0x{header.Status:X8}", Smb2Header.StatusOffset);
        }

        var reader = new SmbReader(message, "SMB2 SESSION_SETUP response", Smb2Header.Size);
        ushort structureSize = reader.ReadUInt16();
        if (structureSize != StructureSize)
        {
            ThrowHelper.ThrowInvalid($"SMB2 SESSION_SETUP response StructureSize is {structureSize}, expected {StructureSize}", Smb2Header.Size);
        }

        var sessionFlags = (Smb2SessionFlags)reader.ReadUInt16();
        ushort offset = reader.ReadUInt16();
        ushort length = reader.ReadUInt16();
        if (length > 0 && offset < BufferOffset)
        {
            ThrowHelper.ThrowInvalid($"SecurityBufferOffset {offset} points into the fixed part of the response (buffer starts at {BufferOffset})", Smb2Header.Size + 4);
        }

        return new Smb2SessionSetupResponse
        {
            Status = header.Status,
            SessionId = header.SessionId,
            SessionFlags = sessionFlags,
            SecurityBuffer = reader.GetBuffer(offset, length, "SecurityBuffer").ToArray(),
        };
    }

    public int GetEncodedLength() => BufferOffset + SecurityBuffer.Length;

    /// <summary>Writes the response with the header's Status/SessionId taken from this record (for responders and tests).</summary>
    public int WriteTo(Span<byte> destination, ulong messageId)
    {
        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination needs {length} bytes, has {destination.Length}.", nameof(destination));
        }

        Smb2Requests.ResponseHeader(Smb2Command.SessionSetup, messageId, Status, SessionId).Write(destination);
        var writer = new SmbWriter(destination[..length]);
        writer.Reserve(Smb2Header.Size);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16((ushort)SessionFlags);
        writer.WriteUInt16(SecurityBuffer.IsEmpty ? (ushort)0 : (ushort)BufferOffset);
        writer.WriteUInt16(checked((ushort)SecurityBuffer.Length));
        writer.WriteBytes(SecurityBuffer.Span);
        return writer.Position;
    }

    public byte[] ToArray(ulong messageId)
    {
        byte[] message = new byte[GetEncodedLength()];
        WriteTo(message, messageId);
        return message;
    }
}
