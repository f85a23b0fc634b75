namespace SmbSign.Protocol.Rpc;

/// <summary>An NDR context handle ([C706] 14.3.12 ndr_context_handle: context_handle_attributes + context_handle_uuid,
/// 20 bytes). An all-zero handle is the null handle a server returns with a failed open or after a close.</summary>
public readonly record struct RpcContextHandle(uint Attributes, Guid Uuid)
{
    public const int Size = 20;

    public bool IsNull => Attributes == 0 && Uuid == Guid.Empty;

    public void Write(Span<byte> destination)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(destination, Attributes);
        Uuid.TryWriteBytes(destination[4..]);
    }

    public static RpcContextHandle Read(ReadOnlySpan<byte> source) =>
        new(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(source), new Guid(source.Slice(4, 16)));
}
