using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Negotiate;

/// <summary>[MS-SMB2] 2.2.3 SMB2 NEGOTIATE request. Negotiate contexts ([MS-SMB2] 2.2.3.1) are written when
/// <see cref="Contexts"/> is set (required when <see cref="Dialects"/> contains 3.1.1); otherwise the
/// ClientStartTime field is written as zero.</summary>
public sealed record Smb2NegotiateRequest
{
    public const ushort StructureSize = 36;

    public IReadOnlyList<Dialect> Dialects { get; init; } = DialectInfo.Smb2Dialects;

    public Smb2SecurityMode SecurityMode { get; init; } = Smb2SecurityMode.SigningEnabled;

    public Smb2Capabilities Capabilities { get; init; }

    public Guid ClientGuid { get; init; }

    public Smb2NegotiateContexts? Contexts { get; init; }

    /// <summary>The request SmbSign's prober sends: all five dialects, signing enabled (never required), the 3.1.1
    /// contexts with SHA-512 and <paramref name="salt"/>, all four ciphers, every compression algorithm, and
    /// GMAC, CMAC, HMAC-SHA256 in that order ([MS-SMB2] 2.2.3, protocol notes §15.2).</summary>
    public static Smb2NegotiateRequest CreateProbe(Guid clientGuid, ReadOnlyMemory<byte> salt, IReadOnlyList<Dialect>? dialects = null, IReadOnlyList<SigningAlgorithm>? signingAlgorithms = null)
    {
        dialects ??= DialectInfo.Smb2Dialects;
        return new Smb2NegotiateRequest
        {
            Dialects = dialects,
            SecurityMode = Smb2SecurityMode.SigningEnabled,
            Capabilities = Smb2Capabilities.Dfs | Smb2Capabilities.Leasing | Smb2Capabilities.LargeMtu | Smb2Capabilities.MultiChannel
                | Smb2Capabilities.PersistentHandles | Smb2Capabilities.DirectoryLeasing | Smb2Capabilities.Encryption,
            ClientGuid = clientGuid,
            Contexts = dialects.Contains(Dialect.Smb311)
                ? new Smb2NegotiateContexts
                {
                    PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512],
                    PreauthSalt = salt,
                    Ciphers = [EncryptionCipher.Aes128Gcm, EncryptionCipher.Aes128Ccm, EncryptionCipher.Aes256Gcm, EncryptionCipher.Aes256Ccm],
                    Compression = new CompressionCapabilities(0, [CompressionAlgorithm.Lz77, CompressionAlgorithm.Lz77Huffman, CompressionAlgorithm.Lznt1, CompressionAlgorithm.PatternV1]),
                    SigningAlgorithms = signingAlgorithms ?? [SigningAlgorithm.AesGmac, SigningAlgorithm.AesCmac, SigningAlgorithm.HmacSha256],
                }
                : null,
        };
    }

    /// <summary>Offset of the first negotiate context: the first 8-byte boundary after the dialect array (Samba insists on exactly this).</summary>
    public int ContextOffset => Smb2NegotiateContexts.Align8(Smb2Header.Size + 36 + (2 * Dialects.Count));

    /// <summary>Length of the whole message (header included, transport prefix excluded).</summary>
    public int GetEncodedLength()
    {
        int length = Smb2Header.Size + 36 + (2 * Dialects.Count);
        if (Contexts is { Count: > 0 } contexts)
        {
            length = ContextOffset + contexts.GetEncodedLength();
        }

        return length;
    }

    /// <summary>Writes header and body into <paramref name="destination"/>; returns the bytes written.</summary>
    public int WriteTo(Span<byte> destination, Smb2Header header)
    {
        if (Dialects.Count == 0)
        {
            throw new InvalidOperationException("A NEGOTIATE request needs at least one dialect.");
        }

        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination needs {length} bytes, has {destination.Length}.", nameof(destination));
        }

        header.Write(destination);
        var writer = new SmbWriter(destination[..length]);
        writer.Reserve(Smb2Header.Size);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16((ushort)Dialects.Count);
        writer.WriteUInt16((ushort)SecurityMode);
        writer.WriteUInt16(0);
        writer.WriteUInt32((uint)Capabilities);
        Span<byte> guid = writer.Reserve(16);
        ClientGuid.TryWriteBytes(guid);
        bool hasContexts = Contexts is { Count: > 0 };
        writer.WriteUInt32(hasContexts ? (uint)ContextOffset : 0);
        writer.WriteUInt16(hasContexts ? (ushort)Contexts!.Count : (ushort)0);
        writer.WriteUInt16(0);
        foreach (Dialect dialect in Dialects)
        {
            writer.WriteUInt16((ushort)dialect);
        }

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

    /// <summary>Reads a NEGOTIATE request (header included), for responders and capture analysis.</summary>
    public static Smb2NegotiateRequest Parse(ReadOnlySpan<byte> message)
    {
        Smb2Header header = Smb2Header.Read(message);
        if (header.Command != Smb2Command.Negotiate)
        {
            ThrowHelper.ThrowInvalid($"expected an SMB2 NEGOTIATE request, got command 0x{(ushort)header.Command:X4}", Smb2Header.CommandOffset);
        }

        var reader = new SmbReader(message, "SMB2 NEGOTIATE request", Smb2Header.Size);
        ushort structureSize = reader.ReadUInt16();
        if (structureSize != StructureSize)
        {
            ThrowHelper.ThrowInvalid($"SMB2 NEGOTIATE request StructureSize is {structureSize}, expected {StructureSize}", Smb2Header.Size);
        }

        ushort dialectCount = reader.ReadUInt16();
        var securityMode = (Smb2SecurityMode)reader.ReadUInt16();
        reader.Skip(2);
        var capabilities = (Smb2Capabilities)reader.ReadUInt32();
        var clientGuid = new Guid(reader.ReadBytes(16));
        uint contextOffset = reader.ReadUInt32();
        ushort contextCount = reader.ReadUInt16();
        reader.Skip(2);
        if (dialectCount == 0)
        {
            ThrowHelper.ThrowInvalid("SMB2 NEGOTIATE request has DialectCount 0", Smb2Header.Size + 2);
        }

        var dialects = new Dialect[dialectCount];
        for (int i = 0; i < dialectCount; i++)
        {
            dialects[i] = (Dialect)reader.ReadUInt16();
        }

        Smb2NegotiateContexts? contexts = dialects.Contains(Dialect.Smb311) && contextCount > 0
            ? Smb2NegotiateContexts.Read(message, contextOffset, contextCount)
            : null;
        return new Smb2NegotiateRequest
        {
            Dialects = dialects,
            SecurityMode = securityMode,
            Capabilities = capabilities,
            ClientGuid = clientGuid,
            Contexts = contexts,
        };
    }
}
