using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using SmbSign.Protocol.Rpc;
using SmbSign.Protocol;
using SmbSign.Wire.Rpc;

namespace SmbSign.Wire.Tests.Rpc;

/// <summary>
/// A hostile winreg server behind the pipe: after a correct bind_ack it answers with absurd NDR counts and offsets,
/// truncated fragments, endless fragments, or nothing at all. The client (the same RpcPipeClient and
/// RemoteRegistryClient a remote audit uses) ends each with a clear error, within the deadline, without growing.
/// The pipe is in-process: over a signed SMB session a tampering proxy would only ever be caught by the signature check.
/// </summary>
public sealed class RpcHostileServerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task QueryValue_DataCountBeyondTheStub_ProtocolError()
    {
        var pipe = new HostilePipe(callId =>
        {
            var ndr = new NdrWriter();
            ndr.WriteUInt32Pointer(4);
            ndr.WritePointer(true);
            ndr.WriteUInt32(0x7FFF_FFF0); // max_count
            ndr.WriteUInt32(0);
            ndr.WriteUInt32(0x7FFF_FFF0); // actual_count: 2 GiB promised, 4 bytes sent
            ndr.WriteBytes([1, 0, 0, 0]);
            return [Response(callId, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, ndr.ToArray())];
        });

        Exception e = await RunQueryAsync(pipe);

        Assert.IsType<SmbProtocolException>(e);
        Assert.Contains("actual_count", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryValue_ArrayOffsetBeyondMaxCount_ProtocolError()
    {
        var pipe = new HostilePipe(callId =>
        {
            var ndr = new NdrWriter();
            ndr.WriteUInt32Pointer(4);
            ndr.WritePointer(true);
            ndr.WriteUInt32(4);
            ndr.WriteUInt32(0xFFFF_FFF0); // offset
            ndr.WriteUInt32(4);
            ndr.WriteBytes([1, 0, 0, 0]);
            return [Response(callId, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, ndr.ToArray())];
        });

        Exception e = await RunQueryAsync(pipe);

        Assert.IsType<SmbProtocolException>(e);
        Assert.Contains("exceeds max_count", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedFragment_ThenEmptyReads_ProtocolErrorAfterBoundedReads()
    {
        var pipe = new HostilePipe(callId =>
        {
            byte[] whole = Response(callId, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, new byte[200]);
            return [whole[..60]]; // frag_length says 232, 60 bytes ever arrive
        });

        Exception e = await RunQueryAsync(pipe);

        Assert.IsType<SmbProtocolException>(e);
        Assert.Contains("no complete RPC response after", e.Message, StringComparison.Ordinal);
        Assert.True(pipe.Reads <= RpcLimits.Default.MaxReads + 1, $"{pipe.Reads} reads");
    }

    [Fact]
    public async Task EndlessFragments_StopAtTheFragmentCap()
    {
        var pipe = new HostilePipe(callId => [Response(callId, RpcPduFlags.FirstFragment, new byte[16])], endless: callId => Response(callId, RpcPduFlags.None, new byte[16]));

        Exception e = await RunQueryAsync(pipe);

        Assert.IsType<SmbProtocolException>(e);
        Assert.Contains("more than 256 RPC response fragments", e.Message, StringComparison.Ordinal);
        Assert.True(pipe.Reads <= RpcLimits.Default.MaxFragments + 1, $"{pipe.Reads} reads");
    }

    [Fact]
    public async Task HugeFragments_StopAtTheStubCap()
    {
        var pipe = new HostilePipe(callId => [Response(callId, RpcPduFlags.FirstFragment, new byte[4000])], endless: callId => Response(callId, RpcPduFlags.None, new byte[4000]));

        Exception e = await RunQueryAsync(pipe);

        Assert.IsType<SmbProtocolException>(e);
        Assert.Contains("larger than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FragLengthAboveNegotiatedMaximum_ProtocolError()
    {
        var pipe = new HostilePipe(callId =>
        {
            byte[] pdu = Response(callId, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, new byte[8]);
            BinaryPrimitives.WriteUInt16LittleEndian(pdu.AsSpan(8), 65000);
            return [pdu];
        });

        Exception e = await RunQueryAsync(pipe);

        Assert.IsType<SmbProtocolException>(e);
        Assert.Contains("frag_length 65000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silence_EndsAtTheCallersDeadline_AndNotBefore()
    {
        // A fake clock: the deadline passes when the test says so, not when a loaded machine gets round to it.
        var pipe = new HostilePipe(_ => [], silent: true);
        var time = new FakeTimeProvider();
        using var deadline = new CancellationTokenSource(Deadline, time);
        var rpc = new RpcPipeClient(pipe);
        await rpc.BindAsync(RpcSyntaxId.WinReg, deadline.Token);
        Task query = new RemoteRegistryClient(rpc).QueryValueAsync(default, "KEY", "Value", deadline.Token);

        time.Advance(Deadline - TimeSpan.FromMilliseconds(1));
        await Task.Delay(100);
        Assert.False(query.IsCompleted, "the call ended before its deadline");

        time.Advance(TimeSpan.FromMilliseconds(1));
        Exception? e = await Record.ExceptionAsync(() => query.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsAssignableFrom<OperationCanceledException>(e);
    }

    [Fact]
    public async Task Fault_OpRangeError_ClearMessage()
    {
        var pipe = new HostilePipe(callId =>
        {
            byte[] fault = Response(callId, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, new byte[8]);
            fault[2] = (byte)RpcPduType.Fault;
            BinaryPrimitives.WriteUInt32LittleEndian(fault.AsSpan(24), 0x1C01_0002);
            return [fault];
        });

        Exception e = await RunQueryAsync(pipe);

        var fault = Assert.IsType<RpcFaultException>(e);
        Assert.Equal("BaseRegQueryValue: RPC fault 0x1C010002 (nca_s_op_rng_error: the server does not know this operation)", fault.Message);
    }

    [Fact]
    public async Task BindNak_ClearMessage()
    {
        var pipe = new HostilePipe(_ => [], bindReply: callId =>
        {
            byte[] nak = new byte[RpcHeader.Size + 2];
            new RpcHeader(RpcPduType.BindNak, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, (ushort)nak.Length, 0, callId).Write(nak);
            nak[RpcHeader.Size] = 4;
            return nak;
        });
        using var deadline = new CancellationTokenSource(Deadline);

        var e = await Assert.ThrowsAsync<RpcFaultException>(() => new RpcPipeClient(pipe).BindAsync(RpcSyntaxId.WinReg, deadline.Token));

        Assert.Contains("protocol version not supported", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Bind, OpenLocalMachine is skipped: the hostile answer comes to the first BaseRegQueryValue.</summary>
    private static async Task<Exception> RunQueryAsync(HostilePipe pipe)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var rpc = new RpcPipeClient(pipe);
        await rpc.BindAsync(RpcSyntaxId.WinReg, deadline.Token);
        var registry = new RemoteRegistryClient(rpc);
        Exception? e = await Record.ExceptionAsync(() => registry.QueryValueAsync(default, "KEY", "Value", deadline.Token));
        Assert.NotNull(e);
        return e;
    }

    private static byte[] Response(uint callId, RpcPduFlags flags, byte[] stub)
    {
        byte[] pdu = new byte[RpcHeader.Size + 8 + stub.Length];
        new RpcHeader(RpcPduType.Response, flags, (ushort)pdu.Length, 0, callId).Write(pdu);
        stub.CopyTo(pdu, RpcHeader.Size + 8);
        return pdu;
    }

    /// <summary>A pipe that binds correctly, then answers each call with <c>reply</c>'s chunks (one per transceive/read),
    /// then <c>endless</c> forever, empty reads, or silence until cancelled.</summary>
    private sealed class HostilePipe(Func<uint, byte[][]> reply, Func<uint, byte[]>? endless = null, bool silent = false, Func<uint, byte[]>? bindReply = null) : IRpcPipeTransport
    {
        private readonly Queue<byte[]> _queue = new();
        private uint _callId;

        public int Reads { get; private set; }

        public async Task<PipeChunk> TransceiveAsync(ReadOnlyMemory<byte> input, int maxOutput, CancellationToken cancellationToken)
        {
            RpcHeader header = RpcHeader.Read(input.Span, ushort.MaxValue);
            _callId = header.CallId;
            if (header.Type == RpcPduType.Bind)
            {
                return new PipeChunk(bindReply?.Invoke(header.CallId) ?? BindAck(header.CallId), false);
            }

            foreach (byte[] chunk in reply(header.CallId))
            {
                _queue.Enqueue(chunk);
            }

            return await NextAsync(cancellationToken);
        }

        /// <summary>Every call here fits one fragment; a leading-fragment write would be a client bug.</summary>
        public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("unexpected pipe write: these calls fit one fragment");

        public async Task<PipeChunk> ReadAsync(int maxLength, CancellationToken cancellationToken)
        {
            Reads++;
            return await NextAsync(cancellationToken);
        }

        private async Task<PipeChunk> NextAsync(CancellationToken cancellationToken)
        {
            if (_queue.TryDequeue(out byte[]? next))
            {
                return new PipeChunk(next, false);
            }

            if (silent)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return new PipeChunk(endless?.Invoke(_callId) ?? [], false);
        }

        private static byte[] BindAck(uint callId)
        {
            List<byte> body = [0xB8, 0x10, 0xB8, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
            byte[] ndr = new byte[20];
            RpcSyntaxId.Ndr20.Write(ndr);
            body.AddRange(ndr);
            byte[] pdu = new byte[RpcHeader.Size + body.Count];
            new RpcHeader(RpcPduType.BindAck, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, (ushort)pdu.Length, 0, callId).Write(pdu);
            body.ToArray().CopyTo(pdu, RpcHeader.Size);
            return pdu;
        }
    }
}
