using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Ioctl;

/// <summary>[MS-SMB2] 2.2.31 SMB2 IOCTL Request with an input buffer and no output buffer.</summary>
public sealed class IoctlRequest : ISmb2Request
{
    public Smb2Command Command => Smb2Command.Ioctl;

    public const ushort StructureSize = 57;

    /// <summary>Length of the fixed part before the buffer.</summary>
    public const int FixedLength = 56;

    /// <summary>SMB2_0_IOCTL_IS_FSCTL.</summary>
    public const uint IsFsctl = 0x0000_0001;

    /// <summary>[MS-SMB2] 2.2.31 FSCTL_VALIDATE_NEGOTIATE_INFO.</summary>
    public const uint FsctlValidateNegotiateInfo = 0x0014_0204;

    public required uint CtlCode { get; init; }

    public Smb2FileId FileId { get; init; } = Smb2FileId.None;

    public ReadOnlyMemory<byte> Input { get; init; }

    public uint MaxInputResponse { get; init; }

    public uint MaxOutputResponse { get; init; }

    public uint Flags { get; init; } = IsFsctl;

    public int GetEncodedLength() => FixedLength + Input.Length;

    /// <summary>Writes the body (everything after the 64-byte header); returns the bytes written.</summary>
    public int WriteTo(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16(0);
        writer.WriteUInt32(CtlCode);
        FileId.Write(ref writer);
        writer.WriteUInt32(Input.IsEmpty ? 0u : (uint)(Smb2Header.Size + FixedLength));
        writer.WriteUInt32((uint)Input.Length);
        writer.WriteUInt32(MaxInputResponse);
        writer.WriteUInt32(0); // OutputOffset
        writer.WriteUInt32(0); // OutputCount
        writer.WriteUInt32(MaxOutputResponse);
        writer.WriteUInt32(Flags);
        writer.WriteUInt32(0);
        writer.WriteBytes(Input.Span);
        return writer.Position;
    }

    public static IoctlRequest Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, "IOCTL request");
        reader.Skip(2);
        uint ctlCode = reader.ReadUInt32();
        Smb2FileId fileId = Smb2FileId.Read(ref reader);
        uint inputOffset = reader.ReadUInt32();
        uint inputCount = reader.ReadUInt32();
        uint maxInput = reader.ReadUInt32();
        uint outputOffset = reader.ReadUInt32();
        uint outputCount = reader.ReadUInt32();
        uint maxOutput = reader.ReadUInt32();
        uint flags = reader.ReadUInt32();
        int bufferStart = Smb2Header.Size + FixedLength;
        ReadOnlySpan<byte> input = Smb2Body.GetBuffer(message, inputOffset, inputCount, bufferStart, "IOCTL request InputOffset/InputCount");
        _ = Smb2Body.GetBuffer(message, outputOffset, outputCount, bufferStart, "IOCTL request OutputOffset/OutputCount");
        return new IoctlRequest { CtlCode = ctlCode, FileId = fileId, Input = input.ToArray(), MaxInputResponse = maxInput, MaxOutputResponse = maxOutput, Flags = flags };
    }
}
