using System.Buffers.Binary;
using SmbSign.Protocol;
using SmbSign.Protocol.Rpc;
using SmbSign.Wire.Rpc;

namespace SmbSign.Wire.Tests.Rpc;

/// <summary>
/// Multi-fragment requests against an in-process server that checks every fragment the way [C706] 12.6.4.9 and
/// [MS-RPCE] 2.1.1.2 say a server receives them: pipe writes for all but the last fragment, the last in the
/// transceive, FIRST/LAST flags, one call id, alloc_hint, and no fragment above the max_recv_frag the server's
/// bind_ack announced. The server's own bind_ack sets the fragment size, so a hostile one is tried too.
/// </summary>
public sealed class RpcRequestFragmentationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task QueryValue_LongName_SentInFragmentsOfTheServersSize_AnswerReassembled()
    {
        string name = new('N', 3000); // 6 KB of UTF-16 in the stub: five fragments of 1432
        var server = new FragmentCheckingServer(maxReceiveFragment: 1432);
        using var deadline = new CancellationTokenSource(Deadline);
        var rpc = new RpcPipeClient(server);
        await rpc.BindAsync(RpcSyntaxId.WinReg, deadline.Token);

        RawRegistryValue? value = await new RemoteRegistryClient(rpc).QueryValueAsync(default, "KEY", name, deadline.Token);

        Assert.Equal(4u, value?.Type);
        Assert.Equal(new byte[] { 1, 0, 0, 0 }, value?.Data);
        Assert.Null(server.Violation);
        Assert.True(server.Writes >= 4, $"{server.Writes} pipe writes before the transceive");
        Assert.All(server.FragmentLengths, length => Assert.InRange(length, RpcRequest.Overhead + 8, 1432));
        byte[] encoded = System.Text.Encoding.Unicode.GetBytes(name);
        Assert.True(server.Stub.AsSpan().IndexOf(encoded) > 0, "the reassembled stub carries the whole value name");
    }

    [Fact]
    public async Task SingleFragmentRequest_NoPipeWrite()
    {
        var server = new FragmentCheckingServer(maxReceiveFragment: 4280);
        using var deadline = new CancellationTokenSource(Deadline);
        var rpc = new RpcPipeClient(server);
        await rpc.BindAsync(RpcSyntaxId.WinReg, deadline.Token);

        await new RemoteRegistryClient(rpc).QueryValueAsync(default, "KEY", "RequireSecuritySignature", deadline.Token);

        Assert.Null(server.Violation);
        Assert.Equal(0, server.Writes);
        Assert.Single(server.FragmentLengths);
    }

    [Fact]
    public async Task TinyMaxRecvFrag_TooManyFragments_ProtocolErrorBeforeAnyWrite()
    {
        // 40 bytes leave 16 stub bytes per fragment: a 6 KB stub would take ~380 pipe writes, above the 256 cap.
        var server = new FragmentCheckingServer(maxReceiveFragment: 40);
        using var deadline = new CancellationTokenSource(Deadline);
        var rpc = new RpcPipeClient(server);
        await rpc.BindAsync(RpcSyntaxId.WinReg, deadline.Token);

        var e = await Assert.ThrowsAsync<SmbProtocolException>(() => new RemoteRegistryClient(rpc).QueryValueAsync(default, "KEY", new string('N', 3000), deadline.Token));

        Assert.Contains("max_recv_frag 40, more than 256", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Writes);
    }

    [Fact]
    public async Task ResponseSplitAcrossOverflowedReads_Reassembled()
    {
        // The answer comes as two fragments, each cut across pipe reads flagged STATUS_BUFFER_OVERFLOW.
        var server = new FragmentCheckingServer(maxReceiveFragment: 1432, responseFragments: 2, chunk: 10);
        using var deadline = new CancellationTokenSource(Deadline);
        var rpc = new RpcPipeClient(server);
        await rpc.BindAsync(RpcSyntaxId.WinReg, deadline.Token);

        RawRegistryValue? value = await new RemoteRegistryClient(rpc).QueryValueAsync(default, "KEY", new string('N', 3000), deadline.Token);

        Assert.Equal(new byte[] { 1, 0, 0, 0 }, value?.Data);
        Assert.Null(server.Violation);
        Assert.True(server.Reads > 1, $"{server.Reads} reads");
    }

    [Fact]
    public async Task ResponseCompleteButPipeMessageContinues_ProtocolError()
    {
        // The last fragment ends, yet the read that carried it says STATUS_BUFFER_OVERFLOW: bytes of no call remain.
        var server = new FragmentCheckingServer(maxReceiveFragment: 1432, overflowOnLast: true);
        using var deadline = new CancellationTokenSource(Deadline);
        var rpc = new RpcPipeClient(server);
        await rpc.BindAsync(RpcSyntaxId.WinReg, deadline.Token);

        var e = await Assert.ThrowsAsync<SmbProtocolException>(() => new RemoteRegistryClient(rpc).QueryValueAsync(default, "KEY", "Value", deadline.Token));

        Assert.Contains("continues (STATUS_BUFFER_OVERFLOW) after the last RPC fragment", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Receives request fragments as a server would and answers a well-formed BaseRegQueryValue (REG_DWORD 1).</summary>
    private sealed class FragmentCheckingServer(ushort maxReceiveFragment, int responseFragments = 1, int chunk = int.MaxValue, bool overflowOnLast = false) : IRpcPipeTransport
    {
        private readonly List<byte> _stub = [];
        private readonly Queue<(byte[] Data, bool More)> _out = new();
        private uint? _callId;

        public int Writes { get; private set; }

        public int Reads { get; private set; }

        public List<int> FragmentLengths { get; } = [];

        public byte[] Stub => [.. _stub];

        /// <summary>The first rule a fragment broke, or null.</summary>
        public string? Violation { get; private set; }

        public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            Writes++;
            if (Receive(data.Span))
            {
                Violation ??= "LAST_FRAG in a pipe write: the server would answer into a write";
            }

            return Task.CompletedTask;
        }

        public Task<PipeChunk> TransceiveAsync(ReadOnlyMemory<byte> input, int maxOutput, CancellationToken cancellationToken)
        {
            RpcHeader header = RpcHeader.Read(input.Span, ushort.MaxValue);
            if (header.Type == RpcPduType.Bind)
            {
                return Task.FromResult(new PipeChunk(BindAck(header.CallId, maxReceiveFragment), false));
            }

            if (!Receive(input.Span))
            {
                Violation ??= "the transceive carried a fragment without LAST_FRAG";
            }

            foreach (byte[] pdu in Answer(header.CallId))
            {
                for (int offset = 0; offset < pdu.Length; offset += Math.Min(chunk, maxOutput))
                {
                    int length = Math.Min(Math.Min(chunk, maxOutput), pdu.Length - offset);
                    _out.Enqueue((pdu[offset..(offset + length)], offset + length < pdu.Length || overflowOnLast));
                }
            }

            return Task.FromResult(Next());
        }

        public Task<PipeChunk> ReadAsync(int maxLength, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(Next());
        }

        private PipeChunk Next() => _out.TryDequeue(out (byte[] Data, bool More) next) ? new PipeChunk(next.Data, next.More) : new PipeChunk(Array.Empty<byte>(), false);

        /// <summary>Checks one request fragment; returns whether it was the last.</summary>
        private bool Receive(ReadOnlySpan<byte> pdu)
        {
            RpcHeader header = RpcHeader.Read(pdu, ushort.MaxValue);
            FragmentLengths.Add(pdu.Length);
            bool first = _stub.Count == 0 && _callId is null;
            uint allocHint = BinaryPrimitives.ReadUInt32LittleEndian(pdu[16..]);
            if (header.Type != RpcPduType.Request)
            {
                Violation ??= $"PDU type {header.Type}";
            }
            else if (pdu.Length > maxReceiveFragment || header.FragmentLength != pdu.Length)
            {
                Violation ??= $"fragment of {pdu.Length} bytes (frag_length {header.FragmentLength}) above max_recv_frag {maxReceiveFragment}";
            }
            else if (header.IsFirst != first)
            {
                Violation ??= $"PFC_FIRST_FRAG {header.IsFirst} on fragment {FragmentLengths.Count}";
            }
            else if (!first && header.CallId != _callId)
            {
                Violation ??= $"call id {header.CallId} after {_callId}";
            }
            else if (!header.IsLast && (pdu.Length - RpcRequest.Overhead) % 8 != 0)
            {
                Violation ??= "a middle fragment's stub is not a multiple of 8";
            }

            _callId = header.CallId;
            int before = _stub.Count;
            _stub.AddRange(pdu[RpcRequest.Overhead..].ToArray());
            if (header.IsLast)
            {
                // alloc_hint of each fragment was the stub still to come; checked once the total is known.
                _callId = null;
            }

            _allocHints.Add((before, allocHint));
            if (header.IsLast && _allocHints.Any(h => h.Hint != _stub.Count - h.Offset))
            {
                Violation ??= "alloc_hint is not the remaining stub length";
            }

            return header.IsLast;
        }

        private readonly List<(int Offset, uint Hint)> _allocHints = [];

        private byte[][] Answer(uint callId)
        {
            var ndr = new NdrWriter();
            ndr.WriteUInt32Pointer(4);
            ndr.WritePointer(true);
            ndr.WriteUInt32(4);
            ndr.WriteUInt32(0);
            ndr.WriteUInt32(4);
            ndr.WriteBytes([1, 0, 0, 0]);
            ndr.WriteUInt32Pointer(4);
            ndr.WriteUInt32Pointer(4);
            ndr.WriteUInt32(0);
            byte[] stub = ndr.ToArray();
            int per = (stub.Length + responseFragments - 1) / responseFragments;
            return [.. Enumerable.Range(0, responseFragments).Select(i =>
            {
                byte[] part = stub[Math.Min(i * per, stub.Length)..Math.Min((i + 1) * per, stub.Length)];
                RpcPduFlags flags = (i == 0 ? RpcPduFlags.FirstFragment : 0) | (i == responseFragments - 1 ? RpcPduFlags.LastFragment : 0);
                byte[] pdu = new byte[RpcHeader.Size + 8 + part.Length];
                new RpcHeader(RpcPduType.Response, flags, (ushort)pdu.Length, 0, callId).Write(pdu);
                part.CopyTo(pdu, RpcHeader.Size + 8);
                return pdu;
            })];
        }

        private static byte[] BindAck(uint callId, ushort maxReceive)
        {
            byte[] body = new byte[20 + 20];
            BinaryPrimitives.WriteUInt16LittleEndian(body, 4280); // max_xmit_frag
            BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(2), maxReceive); // max_recv_frag: the size we must send in
            body[12] = 1; // one result, accepted, NDR 2.0
            RpcSyntaxId.Ndr20.Write(body.AsSpan(20));
            byte[] pdu = new byte[RpcHeader.Size + body.Length];
            new RpcHeader(RpcPduType.BindAck, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, (ushort)pdu.Length, 0, callId).Write(pdu);
            body.CopyTo(pdu, RpcHeader.Size);
            return pdu;
        }
    }
}
