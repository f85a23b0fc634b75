using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Ioctl;

/// <summary>[MS-SMB2] 2.2.31.4 VALIDATE_NEGOTIATE_INFO Request: the client repeats what it sent in NEGOTIATE so the
/// server can detect a downgrade. Sent signed at 3.0/3.0.2 whatever the signing policy ([MS-SMB2] 3.2.5.14.12 / protocol.md §6).</summary>
public sealed class ValidateNegotiateInfoRequest
{
    public const int FixedLength = 24;

    public required uint Capabilities { get; init; }

    public required Guid ClientGuid { get; init; }

    public required Smb2SecurityMode SecurityMode { get; init; }

    public required IReadOnlyList<Dialect> Dialects { get; init; }

    public int GetEncodedLength() => FixedLength + (2 * Dialects.Count);

    public int WriteTo(Span<byte> destination)
    {
        var writer = new SmbWriter(destination);
        writer.WriteUInt32(Capabilities);
        ClientGuid.TryWriteBytes(writer.Reserve(16));
        writer.WriteUInt16((ushort)SecurityMode);
        writer.WriteUInt16((ushort)Dialects.Count);
        foreach (Dialect dialect in Dialects)
        {
            writer.WriteUInt16((ushort)dialect);
        }

        return writer.Position;
    }

    /// <summary>Builds the complete IOCTL request that carries this structure.</summary>
    public IoctlRequest ToIoctl()
    {
        byte[] input = new byte[GetEncodedLength()];
        WriteTo(input);
        return new IoctlRequest { CtlCode = IoctlRequest.FsctlValidateNegotiateInfo, FileId = Smb2FileId.None, Input = input, MaxOutputResponse = ValidateNegotiateInfoResponse.Size };
    }

    public static ValidateNegotiateInfoRequest Parse(ReadOnlySpan<byte> input)
    {
        var reader = new SmbReader(input, "VALIDATE_NEGOTIATE_INFO request");
        uint capabilities = reader.ReadUInt32();
        var guid = new Guid(reader.ReadBytes(16));
        var mode = (Smb2SecurityMode)reader.ReadUInt16();
        ushort count = reader.ReadUInt16();
        if (count * 2 > reader.Remaining)
        {
            ThrowHelper.ThrowTruncated("VALIDATE_NEGOTIATE_INFO request Dialects", reader.Position, count * 2, reader.Remaining);
        }

        var dialects = new Dialect[count];
        for (int i = 0; i < count; i++)
        {
            dialects[i] = (Dialect)reader.ReadUInt16();
        }

        return new ValidateNegotiateInfoRequest { Capabilities = capabilities, ClientGuid = guid, SecurityMode = mode, Dialects = dialects };
    }
}

/// <summary>[MS-SMB2] 2.2.32.6 VALIDATE_NEGOTIATE_INFO Response: what the server negotiated; the client compares it
/// with the NEGOTIATE response it received.</summary>
public sealed record ValidateNegotiateInfoResponse(uint Capabilities, Guid ServerGuid, Smb2SecurityMode SecurityMode, Dialect Dialect)
{
    public const int Size = 24;

    public static ValidateNegotiateInfoResponse Parse(ReadOnlySpan<byte> output)
    {
        var reader = new SmbReader(output, "VALIDATE_NEGOTIATE_INFO response");
        if (output.Length != Size)
        {
            ThrowHelper.ThrowInvalid($"VALIDATE_NEGOTIATE_INFO response: {output.Length} byte(s), expected {Size}", 0);
        }

        uint capabilities = reader.ReadUInt32();
        var guid = new Guid(reader.ReadBytes(16));
        var mode = (Smb2SecurityMode)reader.ReadUInt16();
        var dialect = (Dialect)reader.ReadUInt16();
        return new ValidateNegotiateInfoResponse(capabilities, guid, mode, dialect);
    }

    /// <summary>Encodes the 24-byte output buffer (for responders and tests).</summary>
    public byte[] ToArray()
    {
        byte[] output = new byte[Size];
        var writer = new SmbWriter(output);
        writer.WriteUInt32(Capabilities);
        ServerGuid.TryWriteBytes(writer.Reserve(16));
        writer.WriteUInt16((ushort)SecurityMode);
        writer.WriteUInt16((ushort)Dialect);
        return output;
    }
}
