using SmbSign.Protocol.Encoding;

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
}
