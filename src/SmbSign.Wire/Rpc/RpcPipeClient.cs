using System.Globalization;
using SmbSign.Protocol;
using SmbSign.Protocol.Rpc;

namespace SmbSign.Wire.Rpc;

/// <summary>Caps on what one RPC association accepts from the server.</summary>
/// <param name="MaxFragment">max_recv_frag and max_xmit_frag offered in the bind ([C706] 12.6.3.1; 4280 is what
/// Windows uses on named pipes). Requests are split into fragments of at most this and the server's max_recv_frag.</param>
/// <param name="MaxStub">Largest reassembled response stub.</param>
/// <param name="MaxFragments">Most fragments in one response, and in one request.</param>
/// <param name="MaxReads">Most pipe reads for one response: a server dribbling bytes or sending empty reads stops here.</param>
internal sealed record RpcLimits(int MaxFragment = 4280, int MaxStub = 256 * 1024, int MaxFragments = 256, int MaxReads = 1024)
{
    public static RpcLimits Default { get; } = new();
}

/// <summary>
/// A connection-oriented DCE/RPC client over one named pipe ([MS-RPCE] 2.1.1.2 ncacn_np): bind to one interface with
/// NDR 2.0, then calls whose requests are split into fragments of the negotiated size and whose responses are
/// reassembled from fragments however the server splits them over pipe reads.
/// Not thread-safe: one call at a time, as on a pipe.
/// </summary>
internal sealed class RpcPipeClient(IRpcPipeTransport transport, RpcLimits? limits = null)
{
    private readonly RpcLimits _limits = limits ?? RpcLimits.Default;
    private byte[] _pending = [];
    private int _pendingLength;
    private uint _nextCallId = 1;
    private int _maxTransmit;
    private bool _messageContinues;

    /// <summary>The interface bound, once <see cref="BindAsync"/> succeeded.</summary>
    public RpcSyntaxId? Interface { get; private set; }

    /// <summary>Binds to <paramref name="abstractSyntax"/>; throws <see cref="RpcFaultException"/> when the server refuses.</summary>
    public async Task BindAsync(RpcSyntaxId abstractSyntax, CancellationToken cancellationToken)
    {
        uint callId = _nextCallId++;
        byte[] bind = RpcBind.Write(abstractSyntax, callId, (ushort)_limits.MaxFragment, (ushort)_limits.MaxFragment);
        Append(await transport.TransceiveAsync(bind, _limits.MaxFragment, cancellationToken).ConfigureAwait(false));
        byte[] pdu = await NextPduAsync(cancellationToken).ConfigureAwait(false);
        RpcHeader header = RpcHeader.Read(pdu, _limits.MaxFragment);
        if (header.CallId != callId)
        {
            throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"RPC bind: answer for call {header.CallId}; expected call {callId}"), 12);
        }

        switch (header.Type)
        {
            case RpcPduType.BindNak:
                throw new RpcFaultException($"RPC bind to {abstractSyntax} refused (bind_nak: {RpcBindAck.DescribeNak(pdu)})");
            case RpcPduType.Fault:
                throw new RpcFaultException(pdu.Length >= 28 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(24)) : 0, "RPC bind");
            case RpcPduType.BindAck:
                break;
            default:
                throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"RPC bind: PDU type {(byte)header.Type}; expected bind_ack (12)"), 2);
        }

        RpcBindAck ack = RpcBindAck.Parse(pdu);
        if (!ack.Accepted)
        {
            throw new RpcFaultException($"RPC bind to {abstractSyntax}: {ack.Describe()}");
        }

        // The server's max_recv_frag bounds what we send; below a request header plus 8 bytes no call fits.
        if (ack.MaxReceiveFragment < RpcRequest.Overhead + 8)
        {
            throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"RPC bind_ack: max_recv_frag {ack.MaxReceiveFragment} is too small for any request"), 18);
        }

        EnsureDrained("RPC bind");
        _maxTransmit = Math.Min(ack.MaxReceiveFragment, _limits.MaxFragment);
        Interface = abstractSyntax;
    }

    /// <summary>Calls <paramref name="opnum"/> with <paramref name="stub"/> and returns the reassembled response stub.
    /// A fault throws <see cref="RpcFaultException"/>; malformed or out-of-bounds replies throw <see cref="SmbProtocolException"/>.</summary>
    public async Task<ReadOnlyMemory<byte>> CallAsync(ushort opnum, byte[] stub, string operation, CancellationToken cancellationToken)
    {
        if (Interface is null)
        {
            throw new InvalidOperationException("bind first");
        }

        uint callId = _nextCallId++;
        IReadOnlyList<byte[]> fragments = RpcRequest.Write(stub, 0, opnum, callId, _maxTransmit);
        if (fragments.Count > _limits.MaxFragments)
        {
            // The server's max_recv_frag sets the fragment size; one too small to carry our stub in a bounded number
            // of pipe writes is refused rather than followed.
            throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture,
                $"{operation}: the {stub.Length}-byte request needs {fragments.Count} fragments of the server's max_recv_frag {_maxTransmit}, more than {_limits.MaxFragments}"));
        }

        // [MS-RPCE] 2.1.1.2: every fragment but the last is a plain pipe write (the server answers only after
        // PFC_LAST_FRAG); the last goes out in the transceive that also reads the first bytes of the reply.
        for (int i = 0; i < fragments.Count - 1; i++)
        {
            await transport.WriteAsync(fragments[i], cancellationToken).ConfigureAwait(false);
        }

        var assembler = new RpcResponseAssembler(callId, operation, _limits.MaxFragment, _limits.MaxStub, _limits.MaxFragments);
        Append(await transport.TransceiveAsync(fragments[^1], _limits.MaxFragment, cancellationToken).ConfigureAwait(false));
        int reads = 0;
        while (!assembler.IsComplete)
        {
            if (TryTakePdu(operation) is { } pdu)
            {
                assembler.Add(pdu);
                continue;
            }

            if (++reads > _limits.MaxReads)
            {
                throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"{operation}: no complete RPC response after {_limits.MaxReads} pipe reads"));
            }

            Append(await transport.ReadAsync(_limits.MaxFragment, cancellationToken).ConfigureAwait(false));
        }

        EnsureDrained(operation);
        return assembler.Stub;
    }

    private async Task<byte[]> NextPduAsync(CancellationToken cancellationToken)
    {
        for (int reads = 0; ; reads++)
        {
            if (TryTakePdu("RPC bind") is { } pdu)
            {
                return pdu;
            }

            if (reads >= _limits.MaxReads)
            {
                throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"RPC bind: no complete answer after {_limits.MaxReads} pipe reads"));
            }

            Append(await transport.ReadAsync(_limits.MaxFragment, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>One whole PDU from the bytes received so far, or null when more bytes are needed.</summary>
    private byte[]? TryTakePdu(string operation)
    {
        int length;
        try
        {
            length = RpcHeader.PeekFragmentLength(_pending.AsSpan(0, _pendingLength), _limits.MaxFragment);
        }
        catch (SmbProtocolException e)
        {
            throw new SmbProtocolException($"{operation}: {e.Message}", e);
        }

        if (length == 0 || _pendingLength < length)
        {
            return null;
        }

        byte[] pdu = _pending.AsSpan(0, length).ToArray();
        _pending.AsSpan(length, _pendingLength - length).CopyTo(_pending);
        _pendingLength -= length;
        return pdu;
    }

    /// <summary>Adds received bytes. The buffer never holds more than one fragment plus one read, both capped.</summary>
    private void Append(PipeChunk chunk)
    {
        ReadOnlySpan<byte> data = chunk.Data.Span;
        if (data.Length > _limits.MaxFragment)
        {
            throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"the pipe returned {data.Length} bytes at once, more than the {_limits.MaxFragment} asked for"));
        }

        if (_pendingLength + data.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pendingLength + data.Length, Math.Min(2 * _limits.MaxFragment, _pending.Length * 2)));
        }

        data.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += data.Length;
        _messageContinues = chunk.MoreInMessage;
    }

    private void EnsureDrained(string operation)
    {
        if (_pendingLength != 0)
        {
            throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"{operation}: {_pendingLength} unexpected byte(s) after the last RPC fragment"));
        }

        // STATUS_BUFFER_OVERFLOW on the read that completed the answer: the pipe still holds bytes of the same
        // message, which belong to no call; they would be taken as the start of the next answer.
        if (_messageContinues)
        {
            throw new SmbProtocolException($"{operation}: the pipe message continues (STATUS_BUFFER_OVERFLOW) after the last RPC fragment");
        }
    }
}
