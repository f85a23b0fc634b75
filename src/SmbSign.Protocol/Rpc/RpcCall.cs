using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace SmbSign.Protocol.Rpc;

/// <summary>[C706] 12.6.4.9 request PDUs: one call's stub split into fragments of at most the negotiated
/// max_xmit_frag, FIRST_FRAG on the first, LAST_FRAG on the last.</summary>
public static class RpcRequest
{
    /// <summary>Header plus alloc_hint, p_cont_id and opnum.</summary>
    public const int Overhead = RpcHeader.Size + 8;

    /// <summary>The request's fragments in send order.</summary>
    public static IReadOnlyList<byte[]> Write(ReadOnlySpan<byte> stub, ushort contextId, ushort opnum, uint callId, int maxTransmitFragment)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTransmitFragment, Overhead + 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxTransmitFragment, ushort.MaxValue);

        // Every fragment but the last carries a multiple of 8 stub bytes, so NDR alignment never straddles a boundary oddly.
        int perFragment = (maxTransmitFragment - Overhead) & ~7;
        List<byte[]> fragments = [];
        int offset = 0;
        do
        {
            int chunk = Math.Min(perFragment, stub.Length - offset);
            RpcPduFlags flags = (offset == 0 ? RpcPduFlags.FirstFragment : 0) | (offset + chunk == stub.Length ? RpcPduFlags.LastFragment : 0);
            byte[] pdu = new byte[Overhead + chunk];
            new RpcHeader(RpcPduType.Request, flags, (ushort)pdu.Length, 0, callId).Write(pdu);
            BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(16), (uint)(stub.Length - offset)); // alloc_hint
            BinaryPrimitives.WriteUInt16LittleEndian(pdu.AsSpan(20), contextId);
            BinaryPrimitives.WriteUInt16LittleEndian(pdu.AsSpan(22), opnum);
            stub.Slice(offset, chunk).CopyTo(pdu.AsSpan(Overhead));
            fragments.Add(pdu);
            offset += chunk;
        }
        while (offset < stub.Length);
        return fragments;
    }
}

/// <summary>
/// Reassembles the response to one call from its fragments ([C706] 12.6.4.10 response, 12.6.4.7 fault). Nothing the
/// server says is trusted for sizing: alloc_hint is ignored, every fragment is checked against the call id, the
/// FIRST/LAST flags and the caps given at construction, so a hostile server can make it neither allocate beyond
/// <see cref="MaxStubLength"/> nor accept more than <see cref="MaxFragments"/> fragments.
/// </summary>
public sealed class RpcResponseAssembler
{
    private const int ResponseOverhead = RpcHeader.Size + 8;
    private readonly ArrayBufferWriter<byte> _stub = new();
    private readonly uint _callId;
    private readonly string _operation;
    private int _fragments;

    public RpcResponseAssembler(uint callId, string operation, int maxReceiveFragment, int maxStubLength, int maxFragments)
    {
        _callId = callId;
        _operation = operation;
        MaxReceiveFragment = maxReceiveFragment;
        MaxStubLength = maxStubLength;
        MaxFragments = maxFragments;
    }

    public int MaxReceiveFragment { get; }

    public int MaxStubLength { get; }

    public int MaxFragments { get; }

    /// <summary>True once the LAST_FRAG fragment has been added.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>The reassembled stub (valid once <see cref="IsComplete"/>).</summary>
    public ReadOnlyMemory<byte> Stub => _stub.WrittenMemory;

    /// <summary>Adds one whole PDU (exactly frag_length bytes). Throws <see cref="RpcFaultException"/> for a fault PDU and
    /// <see cref="SmbProtocolException"/> for anything malformed or out of order.</summary>
    public void Add(ReadOnlySpan<byte> pdu)
    {
        if (IsComplete)
        {
            ThrowHelper.ThrowInvalid($"{_operation}: RPC fragment after the last fragment", 0);
        }

        RpcHeader header = RpcHeader.Read(pdu, MaxReceiveFragment);
        if (header.FragmentLength != pdu.Length)
        {
            ThrowHelper.ThrowInvalid(string.Create(CultureInfo.InvariantCulture, $"{_operation}: RPC frag_length {header.FragmentLength} but {pdu.Length} byte(s) given"), RpcHeader.FragmentLengthOffset);
        }

        if (header.CallId != _callId)
        {
            ThrowHelper.ThrowInvalid(string.Create(CultureInfo.InvariantCulture, $"{_operation}: RPC response for call {header.CallId}; expected call {_callId}"), 12);
        }

        if (header.AuthLength != 0)
        {
            ThrowHelper.ThrowInvalid($"{_operation}: RPC response carries an authentication verifier although the bind asked for none", 10);
        }

        if (header.Type == RpcPduType.Fault)
        {
            uint status = pdu.Length >= ResponseOverhead + 4 ? BinaryPrimitives.ReadUInt32LittleEndian(pdu[ResponseOverhead..]) : 0;
            throw new RpcFaultException(status, _operation);
        }

        if (header.Type != RpcPduType.Response)
        {
            ThrowHelper.ThrowInvalid(string.Create(CultureInfo.InvariantCulture, $"{_operation}: RPC PDU type {(byte)header.Type}; expected a response (2)"), 2);
        }

        if (pdu.Length < ResponseOverhead)
        {
            ThrowHelper.ThrowTruncated($"{_operation}: RPC response", pdu.Length, ResponseOverhead - pdu.Length, 0);
        }

        if (header.IsFirst != (_fragments == 0))
        {
            ThrowHelper.ThrowInvalid(_fragments == 0 ? $"{_operation}: first RPC response fragment lacks PFC_FIRST_FRAG" : $"{_operation}: PFC_FIRST_FRAG in the middle of a response", 3);
        }

        if (++_fragments > MaxFragments)
        {
            ThrowHelper.ThrowInvalid(string.Create(CultureInfo.InvariantCulture, $"{_operation}: more than {MaxFragments} RPC response fragments"), 3);
        }

        ReadOnlySpan<byte> stub = pdu[ResponseOverhead..];
        if ((long)_stub.WrittenCount + stub.Length > MaxStubLength)
        {
            ThrowHelper.ThrowInvalid(string.Create(CultureInfo.InvariantCulture, $"{_operation}: RPC response larger than {MaxStubLength} bytes"), ResponseOverhead);
        }

        stub.CopyTo(_stub.GetSpan(stub.Length));
        _stub.Advance(stub.Length);
        IsComplete = header.IsLast;
    }
}
