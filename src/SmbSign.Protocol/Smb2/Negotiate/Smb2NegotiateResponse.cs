using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Negotiate;

/// <summary>[MS-SMB2] 2.2.4 SMB2 NEGOTIATE response. <see cref="Contexts"/> is read only when the dialect is 3.1.1
/// (for earlier dialects NegotiateContextCount/Offset are reserved and ignored, libsmb2 #154).</summary>
public sealed record Smb2NegotiateResponse
{
    public const ushort StructureSize = 65;

    /// <summary>Where the variable buffer starts (header + 64-byte fixed body).</summary>
    public const int BufferOffset = Smb2Header.Size + 64;

    public Smb2SecurityMode SecurityMode { get; init; }

    public Dialect DialectRevision { get; init; }

    public Guid ServerGuid { get; init; }

    public Smb2Capabilities Capabilities { get; init; }

    public uint MaxTransactSize { get; init; }

    public uint MaxReadSize { get; init; }

    public uint MaxWriteSize { get; init; }

    /// <summary>FILETIME (100 ns since 1601-01-01 UTC).</summary>
    public ulong SystemTime { get; init; }

    /// <summary>FILETIME; 0 when not disclosed (Samba always sends 0).</summary>
    public ulong ServerStartTime { get; init; }

    /// <summary>The GSS token (normally a SPNEGO NegTokenInit listing the server's mechanisms); may be empty.</summary>
    public ReadOnlyMemory<byte> SecurityBuffer { get; init; }

    /// <summary>3.1.1 negotiate contexts; null for earlier dialects.</summary>
    public Smb2NegotiateContexts? Contexts { get; init; }

    public bool SigningRequired => (SecurityMode & Smb2SecurityMode.SigningRequired) != 0;

    public bool SigningEnabled => (SecurityMode & Smb2SecurityMode.SigningEnabled) != 0;

    /// <summary>The algorithm this connection signs with ([MS-SMB2] 3.1.4.1): by dialect, at 3.1.1 the one the SIGNING context chose (AES-CMAC without it).</summary>
    public SigningAlgorithm? ConnectionSigningAlgorithm => DialectRevision switch
    {
        Dialect.Smb202 or Dialect.Smb210 or Dialect.Smb300 or Dialect.Smb302 => DialectRevision.DefaultSigningAlgorithm(),
        Dialect.Smb311 => DialectRevision.DefaultSigningAlgorithm(Contexts?.SigningAlgorithms is [var chosen] ? chosen : null),
        _ => null,
    };

    /// <summary>The cipher the connection encrypts with: the ENCRYPTION context's choice at 3.1.1 (null when none or 0 = no overlap), AES-128-CCM at 3.0/3.0.2 with CAP_ENCRYPTION.</summary>
    public EncryptionCipher? ConnectionCipher => DialectRevision switch
    {
        Dialect.Smb311 => Contexts?.Ciphers is [var chosen] && chosen != EncryptionCipher.None ? chosen : null,
        Dialect.Smb300 or Dialect.Smb302 when (Capabilities & Smb2Capabilities.Encryption) != 0 => EncryptionCipher.Aes128Ccm,
        _ => null,
    };

    /// <summary>Converts a FILETIME to UTC; null for 0 or values outside <see cref="DateTimeOffset"/>'s range.</summary>
    public static DateTimeOffset? FromFileTime(ulong fileTime) =>
        fileTime == 0 || fileTime > (ulong)DateTime.MaxValue.ToFileTimeUtc() ? null : new DateTimeOffset(DateTime.FromFileTimeUtc((long)fileTime));

    /// <summary>Reads a successful NEGOTIATE response (header included). A non-success status, a wrong command or
    /// StructureSize, or any (offset, length) outside the message throws <see cref="SmbProtocolException"/>.</summary>
    public static Smb2NegotiateResponse Parse(ReadOnlySpan<byte> message)
    {
        Smb2Header header = Smb2Requests.ReadResponseHeader(message, Smb2Command.Negotiate);
        if (header.Status != NtStatus.Success)
        {
            ThrowHelper.ThrowInvalid($"SMB2 NEGOTIATE failed with status 0x{header.Status:X8}", Smb2Header.StatusOffset);
        }

        var reader = new SmbReader(message, "SMB2 NEGOTIATE response", Smb2Header.Size);
        ushort structureSize = reader.ReadUInt16();
        if (structureSize != StructureSize)
        {
            ThrowHelper.ThrowInvalid($"SMB2 NEGOTIATE response StructureSize is {structureSize}, expected {StructureSize}", Smb2Header.Size);
        }

        var securityMode = (Smb2SecurityMode)reader.ReadUInt16();
        var dialect = (Dialect)reader.ReadUInt16();
        ushort contextCount = reader.ReadUInt16();
        var serverGuid = new Guid(reader.ReadBytes(16));
        var capabilities = (Smb2Capabilities)reader.ReadUInt32();
        uint maxTransact = reader.ReadUInt32();
        uint maxRead = reader.ReadUInt32();
        uint maxWrite = reader.ReadUInt32();
        ulong systemTime = reader.ReadUInt64();
        ulong startTime = reader.ReadUInt64();
        ushort securityBufferOffset = reader.ReadUInt16();
        ushort securityBufferLength = reader.ReadUInt16();
        uint contextOffset = reader.ReadUInt32();
        if (securityBufferLength > 0 && securityBufferOffset < BufferOffset)
        {
            ThrowHelper.ThrowInvalid($"SecurityBufferOffset {securityBufferOffset} points into the fixed part of the response (buffer starts at {BufferOffset})", Smb2Header.Size + 56);
        }

        byte[] securityBuffer = reader.GetBuffer(securityBufferOffset, securityBufferLength, "SecurityBuffer").ToArray();
        Smb2NegotiateContexts? contexts = null;
        if (dialect == Dialect.Smb311)
        {
            if (contextCount == 0)
            {
                ThrowHelper.ThrowInvalid("3.1.1 NEGOTIATE response has NegotiateContextCount 0 (PREAUTH_INTEGRITY_CAPABILITIES is mandatory)", Smb2Header.Size + 6);
            }

            contexts = Smb2NegotiateContexts.Read(message, contextOffset, contextCount);
        }

        return new Smb2NegotiateResponse
        {
            SecurityMode = securityMode,
            DialectRevision = dialect,
            ServerGuid = serverGuid,
            Capabilities = capabilities,
            MaxTransactSize = maxTransact,
            MaxReadSize = maxRead,
            MaxWriteSize = maxWrite,
            SystemTime = systemTime,
            ServerStartTime = startTime,
            SecurityBuffer = securityBuffer,
            Contexts = contexts,
        };
    }

    /// <summary>Length of the encoded message (header included).</summary>
    public int GetEncodedLength()
    {
        int length = BufferOffset + SecurityBuffer.Length;
        if (DialectRevision == Dialect.Smb311 && Contexts is { Count: > 0 } contexts)
        {
            length = Smb2NegotiateContexts.Align8(length) + contexts.GetEncodedLength();
        }

        return length;
    }

    /// <summary>Writes a NEGOTIATE response (for responders and tests); returns the bytes written.</summary>
    public int WriteTo(Span<byte> destination, Smb2Header header)
    {
        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination needs {length} bytes, has {destination.Length}.", nameof(destination));
        }

        header.Write(destination);
        bool hasContexts = DialectRevision == Dialect.Smb311 && Contexts is { Count: > 0 };
        int contextOffset = hasContexts ? Smb2NegotiateContexts.Align8(BufferOffset + SecurityBuffer.Length) : 0;
        var writer = new SmbWriter(destination[..length]);
        writer.Reserve(Smb2Header.Size);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16((ushort)SecurityMode);
        writer.WriteUInt16((ushort)DialectRevision);
        writer.WriteUInt16(hasContexts ? (ushort)Contexts!.Count : (ushort)0);
        ServerGuid.TryWriteBytes(writer.Reserve(16));
        writer.WriteUInt32((uint)Capabilities);
        writer.WriteUInt32(MaxTransactSize);
        writer.WriteUInt32(MaxReadSize);
        writer.WriteUInt32(MaxWriteSize);
        writer.WriteUInt64(SystemTime);
        writer.WriteUInt64(ServerStartTime);
        writer.WriteUInt16(SecurityBuffer.IsEmpty ? (ushort)0 : (ushort)BufferOffset);
        writer.WriteUInt16(checked((ushort)SecurityBuffer.Length));
        writer.WriteUInt32((uint)contextOffset);
        writer.WriteBytes(SecurityBuffer.Span);
        if (hasContexts)
        {
            writer.AlignTo(8);
            Contexts!.WriteTo(ref writer);
        }

        return writer.Position;
    }

    /// <summary>Encodes the whole message into a new array.</summary>
    public byte[] ToArray(Smb2Header header)
    {
        byte[] message = new byte[GetEncodedLength()];
        WriteTo(message, header);
        return message;
    }
}
