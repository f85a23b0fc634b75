using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Negotiate;

/// <summary>[MS-SMB2] 2.2.3.1.3 COMPRESSION_CAPABILITIES data.</summary>
public sealed record CompressionCapabilities(uint Flags, IReadOnlyList<CompressionAlgorithm> Algorithms)
{
    /// <summary>SMB2_COMPRESSION_CAPABILITIES_FLAG_CHAINED.</summary>
    public const uint FlagChained = 0x0000_0001;
}

/// <summary>A negotiate context whose type SmbSign does not interpret; kept so callers can see it was there.</summary>
public sealed record UnknownNegotiateContext(ushort ContextType, ReadOnlyMemory<byte> Data);

/// <summary>[MS-SMB2] 2.2.3.1 / 2.2.4.1 the negotiate context list of a 3.1.1 NEGOTIATE request or response.
/// A null property means that context was absent. Reading skips unknown context types and checks every
/// (offset, length) against the message; writing emits the present contexts in type order, 8-byte aligned.</summary>
public sealed record Smb2NegotiateContexts
{
    public const int ContextHeaderSize = 8;

    /// <summary>[MS-SMB2] 2.2.3.1.1 HashAlgorithms; null when PREAUTH_INTEGRITY_CAPABILITIES is absent.</summary>
    public IReadOnlyList<PreauthHashAlgorithm>? PreauthHashAlgorithms { get; init; }

    /// <summary>[MS-SMB2] 2.2.3.1.1 Salt.</summary>
    public ReadOnlyMemory<byte> PreauthSalt { get; init; }

    /// <summary>[MS-SMB2] 2.2.3.1.2 Ciphers; a response carries the one the server chose.</summary>
    public IReadOnlyList<EncryptionCipher>? Ciphers { get; init; }

    /// <summary>[MS-SMB2] 2.2.3.1.3.</summary>
    public CompressionCapabilities? Compression { get; init; }

    /// <summary>[MS-SMB2] 2.2.3.1.4 NetName (UTF-16LE on the wire).</summary>
    public string? NetName { get; init; }

    /// <summary>[MS-SMB2] 2.2.3.1.5 TRANSPORT_CAPABILITIES Flags (0x1 ACCEPT_TRANSPORT_LEVEL_SECURITY).</summary>
    public uint? TransportFlags { get; init; }

    /// <summary>[MS-SMB2] 2.2.3.1.6 RDMATransformIds.</summary>
    public IReadOnlyList<ushort>? RdmaTransforms { get; init; }

    /// <summary>[MS-SMB2] 2.2.3.1.7 SigningAlgorithms, most preferred first; a response carries the chosen one.</summary>
    public IReadOnlyList<SigningAlgorithm>? SigningAlgorithms { get; init; }

    /// <summary>Contexts of types SmbSign does not interpret (read only; never written).</summary>
    public IReadOnlyList<UnknownNegotiateContext> Unknown { get; init; } = [];

    /// <summary>How many contexts <see cref="WriteTo"/> emits.</summary>
    public int Count =>
        (PreauthHashAlgorithms is null ? 0 : 1) + (Ciphers is null ? 0 : 1) + (Compression is null ? 0 : 1) +
        (NetName is null ? 0 : 1) + (TransportFlags is null ? 0 : 1) + (RdmaTransforms is null ? 0 : 1) +
        (SigningAlgorithms is null ? 0 : 1);

    /// <summary>Bytes <see cref="WriteTo"/> emits when it starts at an 8-byte aligned position (padding between contexts included).</summary>
    public int GetEncodedLength()
    {
        int length = 0;
        foreach (int dataLength in DataLengths())
        {
            length = Align8(length) + ContextHeaderSize + dataLength;
        }

        return length;
    }

    /// <summary>Writes the contexts at the writer's position, which must be 8-byte aligned relative to the SMB2 header.</summary>
    public void WriteTo(ref SmbWriter writer)
    {
        bool first = true;
        void Begin(ref SmbWriter w, NegotiateContextType type, int dataLength)
        {
            if (!first)
            {
                w.AlignTo(8);
            }

            first = false;
            w.WriteUInt16((ushort)type);
            w.WriteUInt16(checked((ushort)dataLength));
            w.WriteUInt32(0);
        }

        if (PreauthHashAlgorithms is { } hashes)
        {
            Begin(ref writer, NegotiateContextType.PreauthIntegrityCapabilities, 4 + (2 * hashes.Count) + PreauthSalt.Length);
            writer.WriteUInt16(checked((ushort)hashes.Count));
            writer.WriteUInt16(checked((ushort)PreauthSalt.Length));
            foreach (PreauthHashAlgorithm hash in hashes)
            {
                writer.WriteUInt16((ushort)hash);
            }

            writer.WriteBytes(PreauthSalt.Span);
        }

        if (Ciphers is { } ciphers)
        {
            Begin(ref writer, NegotiateContextType.EncryptionCapabilities, 2 + (2 * ciphers.Count));
            writer.WriteUInt16(checked((ushort)ciphers.Count));
            foreach (EncryptionCipher cipher in ciphers)
            {
                writer.WriteUInt16((ushort)cipher);
            }
        }

        if (Compression is { } compression)
        {
            Begin(ref writer, NegotiateContextType.CompressionCapabilities, 8 + (2 * compression.Algorithms.Count));
            writer.WriteUInt16(checked((ushort)compression.Algorithms.Count));
            writer.WriteUInt16(0);
            writer.WriteUInt32(compression.Flags);
            foreach (CompressionAlgorithm algorithm in compression.Algorithms)
            {
                writer.WriteUInt16((ushort)algorithm);
            }
        }

        if (NetName is { } netName)
        {
            Begin(ref writer, NegotiateContextType.NetnameNegotiateContextId, System.Text.Encoding.Unicode.GetByteCount(netName));
            Span<byte> name = writer.Reserve(System.Text.Encoding.Unicode.GetByteCount(netName));
            System.Text.Encoding.Unicode.GetBytes(netName, name);
        }

        if (TransportFlags is { } transportFlags)
        {
            Begin(ref writer, NegotiateContextType.TransportCapabilities, 4);
            writer.WriteUInt32(transportFlags);
        }

        if (RdmaTransforms is { } transforms)
        {
            Begin(ref writer, NegotiateContextType.RdmaTransformCapabilities, 8 + (2 * transforms.Count));
            writer.WriteUInt16(checked((ushort)transforms.Count));
            writer.WriteUInt16(0);
            writer.WriteUInt32(0);
            foreach (ushort transform in transforms)
            {
                writer.WriteUInt16(transform);
            }
        }

        if (SigningAlgorithms is { } signing)
        {
            Begin(ref writer, NegotiateContextType.SigningCapabilities, 2 + (2 * signing.Count));
            writer.WriteUInt16(checked((ushort)signing.Count));
            foreach (SigningAlgorithm algorithm in signing)
            {
                writer.WriteUInt16((ushort)algorithm);
            }
        }
    }

    /// <summary>Reads <paramref name="count"/> contexts starting at <paramref name="offset"/> (from the SMB2 header) of
    /// <paramref name="message"/>. Throws <see cref="SmbProtocolException"/> with the byte offset when the count, an
    /// offset, a length or a context's data does not fit; unknown types are kept in <see cref="Unknown"/> and skipped.</summary>
    public static Smb2NegotiateContexts Read(ReadOnlySpan<byte> message, uint offset, ushort count)
    {
        if (count == 0)
        {
            return new Smb2NegotiateContexts();
        }

        if (offset < Smb2Header.Size || offset > (uint)message.Length)
        {
            ThrowHelper.ThrowBufferOutOfRange("NegotiateContextOffset", offset, ContextHeaderSize, message.Length);
        }

        if (offset % 8 != 0)
        {
            ThrowHelper.ThrowInvalid($"NegotiateContextOffset {offset} is not 8-byte aligned", offset);
        }

        var result = new Smb2NegotiateContexts();
        var unknown = new List<UnknownNegotiateContext>();
        var seen = new HashSet<ushort>();
        int position = (int)offset;
        for (int index = 0; index < count; index++)
        {
            if (index > 0)
            {
                position = Align8(position);
            }

            if (message.Length - position < ContextHeaderSize)
            {
                ThrowHelper.ThrowInvalid(
                    $"NegotiateContextCount is {count} but the message ends after {index} context(s): context {index + 1} would start at byte {position} of a {message.Length}-byte message",
                    position);
            }

            var header = new SmbReader(message, "negotiate context header", position);
            ushort type = header.ReadUInt16();
            ushort dataLength = header.ReadUInt16();
            int dataStart = position + ContextHeaderSize;
            if (dataLength > message.Length - dataStart)
            {
                ThrowHelper.ThrowBufferOutOfRange($"negotiate context 0x{type:X4} data", (ulong)dataStart, dataLength, message.Length);
            }

            ReadOnlySpan<byte> data = message.Slice(dataStart, dataLength);
            if (Enum.IsDefined((NegotiateContextType)type) && !seen.Add(type))
            {
                ThrowHelper.ThrowInvalid($"duplicate negotiate context {(NegotiateContextType)type} at byte {position}", position);
            }

            result = ReadOne(result, (NegotiateContextType)type, data, dataStart, unknown);
            position = dataStart + dataLength;
        }

        return unknown.Count == 0 ? result : result with { Unknown = unknown };
    }

    private static Smb2NegotiateContexts ReadOne(
        Smb2NegotiateContexts result, NegotiateContextType type, ReadOnlySpan<byte> data, int dataStart, List<UnknownNegotiateContext> unknown)
    {
        string what = $"{type} context at byte {dataStart}";
        var reader = new SmbReader(data, what);
        switch (type)
        {
            case NegotiateContextType.PreauthIntegrityCapabilities:
            {
                ushort hashCount = reader.ReadUInt16();
                ushort saltLength = reader.ReadUInt16();
                var hashes = new PreauthHashAlgorithm[hashCount];
                for (int i = 0; i < hashCount; i++)
                {
                    hashes[i] = (PreauthHashAlgorithm)reader.ReadUInt16();
                }

                byte[] salt = reader.ReadBytes(saltLength).ToArray();
                return result with { PreauthHashAlgorithms = hashes, PreauthSalt = salt };
            }

            case NegotiateContextType.EncryptionCapabilities:
            {
                ushort cipherCount = reader.ReadUInt16();
                var ciphers = new EncryptionCipher[cipherCount];
                for (int i = 0; i < cipherCount; i++)
                {
                    ciphers[i] = (EncryptionCipher)reader.ReadUInt16();
                }

                return result with { Ciphers = ciphers };
            }

            case NegotiateContextType.CompressionCapabilities:
            {
                ushort algorithmCount = reader.ReadUInt16();
                reader.Skip(2);
                uint flags = reader.ReadUInt32();
                var algorithms = new CompressionAlgorithm[algorithmCount];
                for (int i = 0; i < algorithmCount; i++)
                {
                    algorithms[i] = (CompressionAlgorithm)reader.ReadUInt16();
                }

                return result with { Compression = new CompressionCapabilities(flags, algorithms) };
            }

            case NegotiateContextType.NetnameNegotiateContextId:
                if (data.Length % 2 != 0)
                {
                    ThrowHelper.ThrowInvalid($"{what}: NetName has an odd length {data.Length}", dataStart);
                }

                return result with { NetName = System.Text.Encoding.Unicode.GetString(data) };

            case NegotiateContextType.TransportCapabilities:
                return result with { TransportFlags = reader.ReadUInt32() };

            case NegotiateContextType.RdmaTransformCapabilities:
            {
                ushort transformCount = reader.ReadUInt16();
                reader.Skip(6);
                var transforms = new ushort[transformCount];
                for (int i = 0; i < transformCount; i++)
                {
                    transforms[i] = reader.ReadUInt16();
                }

                return result with { RdmaTransforms = transforms };
            }

            case NegotiateContextType.SigningCapabilities:
            {
                ushort algorithmCount = reader.ReadUInt16();
                var algorithms = new SigningAlgorithm[algorithmCount];
                for (int i = 0; i < algorithmCount; i++)
                {
                    algorithms[i] = (SigningAlgorithm)reader.ReadUInt16();
                }

                return result with { SigningAlgorithms = algorithms };
            }

            default:
                unknown.Add(new UnknownNegotiateContext((ushort)type, data.ToArray()));
                return result;
        }
    }

    private IEnumerable<int> DataLengths()
    {
        if (PreauthHashAlgorithms is { } hashes)
        {
            yield return 4 + (2 * hashes.Count) + PreauthSalt.Length;
        }

        if (Ciphers is { } ciphers)
        {
            yield return 2 + (2 * ciphers.Count);
        }

        if (Compression is { } compression)
        {
            yield return 8 + (2 * compression.Algorithms.Count);
        }

        if (NetName is { } netName)
        {
            yield return System.Text.Encoding.Unicode.GetByteCount(netName);
        }

        if (TransportFlags is not null)
        {
            yield return 4;
        }

        if (RdmaTransforms is { } transforms)
        {
            yield return 8 + (2 * transforms.Count);
        }

        if (SigningAlgorithms is { } signing)
        {
            yield return 2 + (2 * signing.Count);
        }
    }

    internal static int Align8(int value) => (value + 7) & ~7;
}
