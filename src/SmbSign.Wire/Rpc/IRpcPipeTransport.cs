namespace SmbSign.Wire.Rpc;

/// <summary>Bytes read from a named pipe, and whether the pipe message continues (STATUS_BUFFER_OVERFLOW).</summary>
internal readonly record struct PipeChunk(ReadOnlyMemory<byte> Data, bool MoreInMessage);

/// <summary>An open named pipe that DCE/RPC PDUs travel over ([MS-RPCE] 2.1.1.2 ncacn_np): write the leading fragments
/// of a request, write the last one and read the reply in one exchange (FSCTL_PIPE_TRANSCEIVE), then read further bytes.</summary>
internal interface IRpcPipeTransport
{
    /// <summary>Writes <paramref name="input"/> and reads up to <paramref name="maxOutput"/> bytes of the reply.</summary>
    Task<PipeChunk> TransceiveAsync(ReadOnlyMemory<byte> input, int maxOutput, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="maxLength"/> further bytes.</summary>
    Task<PipeChunk> ReadAsync(int maxLength, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="data"/> whole, reading nothing (a fragment the server answers only later).</summary>
    Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
