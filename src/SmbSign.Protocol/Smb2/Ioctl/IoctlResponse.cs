using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Ioctl;

/// <summary>[MS-SMB2] 2.2.32 SMB2 IOCTL Response.</summary>
public sealed class IoctlResponse
{
    public const ushort StructureSize = 49;

    /// <summary>Length of the fixed part before the buffer.</summary>
    public const int FixedLength = 48;

    public uint CtlCode { get; init; }

    public Smb2FileId FileId { get; init; }

    public ReadOnlyMemory<byte> Input { get; init; }

    public ReadOnlyMemory<byte> Output { get; init; }

    public uint Flags { get; init; }

    public static IoctlResponse Parse(ReadOnlySpan<byte> message)
    {
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, "IOCTL response");
        reader.Skip(2);
        uint ctlCode = reader.ReadUInt32();
        Smb2FileId fileId = Smb2FileId.Read(ref reader);
        uint inputOffset = reader.ReadUInt32();
        uint inputCount = reader.ReadUInt32();
        uint outputOffset = reader.ReadUInt32();
        uint outputCount = reader.ReadUInt32();
        uint flags = reader.ReadUInt32();
        int bufferStart = Smb2Header.Size + FixedLength;
        ReadOnlySpan<byte> input = Smb2Body.GetBuffer(message, inputOffset, inputCount, bufferStart, "IOCTL response InputOffset/InputCount");
        ReadOnlySpan<byte> output = Smb2Body.GetBuffer(message, outputOffset, outputCount, bufferStart, "IOCTL response OutputOffset/OutputCount");
        return new IoctlResponse { CtlCode = ctlCode, FileId = fileId, Input = input.ToArray(), Output = output.ToArray(), Flags = flags };
    }

    /// <summary>Body length (everything after the 64-byte header).</summary>
    public int GetEncodedLength() => FixedLength + Input.Length + Output.Length;

    /// <summary>Writes the body after the header (for responders and tests): input then output right after the fixed part.</summary>
    public int WriteTo(Span<byte> body)
    {
        int bufferStart = Smb2Header.Size + FixedLength;
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteUInt16(0);
        writer.WriteUInt32(CtlCode);
        FileId.Write(ref writer);
        writer.WriteUInt32(Input.IsEmpty ? 0u : (uint)bufferStart);
        writer.WriteUInt32((uint)Input.Length);
        writer.WriteUInt32(Output.IsEmpty ? 0u : (uint)(bufferStart + Input.Length));
        writer.WriteUInt32((uint)Output.Length);
        writer.WriteUInt32(Flags);
        writer.WriteUInt32(0);
        writer.WriteBytes(Input.Span);
        writer.WriteBytes(Output.Span);
        return writer.Position;
    }
}
