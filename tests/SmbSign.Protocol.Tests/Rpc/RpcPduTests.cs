using System.Buffers.Binary;
using SmbSign.Protocol.Rpc;
using SmbSign.Protocol.Rpc.Rrp;

namespace SmbSign.Protocol.Tests.Rpc;

/// <summary>DCE/RPC connection-oriented PDUs, NDR and MS-RRP stubs as bytes ([C706] ch. 12 and 14, [MS-RRP] 3.1.5).</summary>
public sealed class RpcPduTests
{
    [Fact]
    public void Bind_Winreg_LayoutPerC706()
    {
        byte[] pdu = RpcBind.Write(RpcSyntaxId.WinReg, callId: 7, 4280, 4280);

        Assert.Equal(RpcBind.Length, pdu.Length);
        Assert.Equal("05000B031000000048000000" + "07000000", Convert.ToHexString(pdu[..16]));
        Assert.Equal(4280, BinaryPrimitives.ReadUInt16LittleEndian(pdu.AsSpan(16)));
        Assert.Equal(1, pdu[24]); // n_context_elem
        Assert.Equal(1, pdu[30]); // n_transfer_syn
        Assert.Equal("01D08C334422F131AAAA900038001003" + "01000000", Convert.ToHexString(pdu[32..52])); // 338cd001-2244-31f1-aaaa-900038001003 v1.0
        Assert.Equal("045D888AEB1CC9119FE808002B104860" + "02000000", Convert.ToHexString(pdu[52..72])); // NDR 2.0
    }

    [Fact]
    public void Request_LargeStub_FragmentsWithFlagsAndAllocHint()
    {
        byte[] stub = [.. Enumerable.Range(0, 10_000).Select(i => (byte)i)];

        IReadOnlyList<byte[]> fragments = RpcRequest.Write(stub, contextId: 0, opnum: 17, callId: 3, maxTransmitFragment: 4280);

        Assert.Equal(3, fragments.Count);
        Assert.Equal(RpcPduFlags.FirstFragment, (RpcPduFlags)fragments[0][3]);
        Assert.Equal(RpcPduFlags.None, (RpcPduFlags)fragments[1][3]);
        Assert.Equal(RpcPduFlags.LastFragment, (RpcPduFlags)fragments[2][3]);
        Assert.All(fragments, f => Assert.True(f.Length <= 4280 && BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(8)) == f.Length));
        Assert.All(fragments.Take(2), f => Assert.Equal(0, (f.Length - RpcRequest.Overhead) % 8));
        Assert.Equal(10_000u, BinaryPrimitives.ReadUInt32LittleEndian(fragments[0].AsSpan(16)));
        Assert.Equal(17, BinaryPrimitives.ReadUInt16LittleEndian(fragments[2].AsSpan(22)));
        Assert.Equal(stub, fragments.SelectMany(f => f[RpcRequest.Overhead..]).ToArray());
    }

    [Fact]
    public void Request_SmallStub_OneFragmentFirstAndLast()
    {
        byte[] pdu = Assert.Single(RpcRequest.Write([1, 2, 3, 4], 0, 2, 1, 4280));

        Assert.Equal(RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, (RpcPduFlags)pdu[3]);
        Assert.Equal(28, pdu.Length);
    }

    [Fact]
    public void Assembler_ThreeFragments_ReassemblesStub()
    {
        var assembler = new RpcResponseAssembler(5, "test", 4280, 1 << 16, 16);

        assembler.Add(Response(5, RpcPduFlags.FirstFragment, [1, 2, 3]));
        assembler.Add(Response(5, RpcPduFlags.None, [4]));
        Assert.False(assembler.IsComplete);
        assembler.Add(Response(5, RpcPduFlags.LastFragment, [5, 6]));

        Assert.True(assembler.IsComplete);
        Assert.Equal([1, 2, 3, 4, 5, 6], assembler.Stub.ToArray());
    }

    [Theory]
    [InlineData("wrong call id", 6, (byte)RpcPduFlags.FirstFragment, 2)]
    [InlineData("first fragment without PFC_FIRST_FRAG", 5, (byte)RpcPduFlags.LastFragment, 2)]
    [InlineData("a bind_ack where a response belongs", 5, (byte)(RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment), 12)]
    public void Assembler_OutOfOrderOrForeignPdu_ProtocolError(string description, uint callId, byte flags, byte type)
    {
        var assembler = new RpcResponseAssembler(5, "test", 4280, 1 << 16, 16);
        byte[] pdu = Response(callId, (RpcPduFlags)flags, [1]);
        pdu[2] = type;

        var e = Assert.Throws<SmbProtocolException>(() => assembler.Add(pdu));
        Assert.False(string.IsNullOrEmpty(e.Message), description);
    }

    [Fact]
    public void Assembler_FragmentsBeyondCap_ProtocolErrorNotUnboundedGrowth()
    {
        var assembler = new RpcResponseAssembler(1, "test", 4280, 1 << 20, maxFragments: 8);
        assembler.Add(Response(1, RpcPduFlags.FirstFragment, [0]));
        for (int i = 0; i < 7; i++)
        {
            assembler.Add(Response(1, RpcPduFlags.None, [0]));
        }

        var e = Assert.Throws<SmbProtocolException>(() => assembler.Add(Response(1, RpcPduFlags.None, [0])));
        Assert.Contains("more than 8 RPC response fragments", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assembler_StubBeyondCap_ProtocolError()
    {
        var assembler = new RpcResponseAssembler(1, "test", 4280, maxStubLength: 100, 16);

        var e = Assert.Throws<SmbProtocolException>(() => assembler.Add(Response(1, RpcPduFlags.FirstFragment, new byte[101])));
        Assert.Contains("larger than 100 bytes", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x1C01_0002u, "nca_s_op_rng_error")]
    [InlineData(0x0000_0005u, "access is denied")]
    [InlineData(0x1C01_0003u, "nca_s_unk_if")]
    public void Assembler_Fault_MappedToClearError(uint status, string expected)
    {
        var assembler = new RpcResponseAssembler(1, "BaseRegOpenKey", 4280, 1 << 16, 16);
        byte[] fault = Response(1, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, new byte[8]);
        fault[2] = (byte)RpcPduType.Fault;
        BinaryPrimitives.WriteUInt32LittleEndian(fault.AsSpan(24), status);

        var e = Assert.Throws<RpcFaultException>(() => assembler.Add(fault));

        Assert.Equal(status, e.Status);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("BaseRegOpenKey: RPC fault 0x", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version 4.0", "04000203100000001800000001000000")]
    [InlineData("big-endian data representation", "05000203000000001800000001000000")]
    [InlineData("frag_length below the header", "05000203100000000800000001000000")]
    [InlineData("frag_length above the cap", "0500020310000000FFFF000001000000")]
    public void Header_Invalid_ProtocolErrorWithOffset(string description, string hex)
    {
        var e = Assert.Throws<SmbProtocolException>(() => RpcHeader.Read(Convert.FromHexString(hex), 4280));
        Assert.True(e.Offset is not null, description);
    }

    [Fact]
    public void BindAck_AcceptedNdr_Parsed()
    {
        // bind_ack: max_xmit 4280, max_recv 4280, assoc 0x1234, sec_addr "\PIPE\winreg" (13 bytes with NUL), pad, 1 result accepted NDR.
        byte[] address = [.. "\\PIPE\\winreg"u8, 0];
        List<byte> body = [0xB8, 0x10, 0xB8, 0x10, 0x34, 0x12, 0, 0, (byte)address.Length, 0, .. address];
        while ((RpcHeader.Size + body.Count) % 4 != 0)
        {
            body.Add(0);
        }

        body.AddRange([1, 0, 0, 0, 0, 0, 0, 0]);
        byte[] ndr = new byte[20];
        RpcSyntaxId.Ndr20.Write(ndr);
        body.AddRange(ndr);
        byte[] pdu = new byte[RpcHeader.Size + body.Count];
        new RpcHeader(RpcPduType.BindAck, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, (ushort)pdu.Length, 0, 1).Write(pdu);
        body.ToArray().CopyTo(pdu, RpcHeader.Size);

        RpcBindAck ack = RpcBindAck.Parse(pdu);

        Assert.True(ack.Accepted);
        Assert.Equal(4280, ack.MaxReceiveFragment);
        Assert.Equal(0x1234u, ack.AssocGroupId);
        Assert.Equal("\\PIPE\\winreg", ack.SecondaryAddress);
    }

    [Theory]
    [InlineData("offset + actual_count above max_count", 4u, 2u, 4u, 16)]
    [InlineData("actual_count above the cap", 0x7FFF_FFFFu, 0u, 0x7FFF_FFFFu, 16)]
    [InlineData("actual_count beyond the stub", 100u, 0u, 100u, 16)]
    public void QueryValue_AbsurdArrayCounts_ProtocolErrorBeforeAllocating(string description, uint maxCount, uint offset, uint actual, int present)
    {
        var ndr = new NdrWriter();
        ndr.WriteUInt32Pointer(4); // lpType REG_DWORD
        ndr.WritePointer(true); // lpData
        ndr.WriteUInt32(maxCount);
        ndr.WriteUInt32(offset);
        ndr.WriteUInt32(actual);
        ndr.WriteBytes(new byte[present]);

        var e = Assert.Throws<SmbProtocolException>(() => RrpMessages.ParseQueryValue(ndr.ToArray(), maxData: 1024));
        Assert.Contains("lpData", e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Fact]
    public void QueryValue_Dword_Parsed()
    {
        var ndr = new NdrWriter();
        ndr.WriteUInt32Pointer(4);
        ndr.WritePointer(true);
        ndr.WriteUInt32(1024);
        ndr.WriteUInt32(0);
        ndr.WriteUInt32(4);
        ndr.WriteBytes([1, 0, 0, 0]);
        ndr.WriteUInt32Pointer(4);
        ndr.WriteUInt32Pointer(4);
        ndr.WriteUInt32(0);

        RrpValueResult result = RrpMessages.ParseQueryValue(ndr.ToArray(), 1024);

        Assert.Equal(4u, result.Type);
        Assert.Equal([1, 0, 0, 0], result.Data);
        Assert.Equal(Win32Error.Success, result.Error);
    }

    [Fact]
    public void EnumValue_NameLengthAboveMaximumLength_ProtocolError()
    {
        var ndr = new NdrWriter();
        ndr.WriteUInt16(40); // Length
        ndr.WriteUInt16(10); // MaximumLength < Length
        ndr.WritePointer(true);
        ndr.WriteUInt32(20);
        ndr.WriteUInt32(0);
        ndr.WriteUInt32(20);
        ndr.WriteBytes(new byte[40]);

        var e = Assert.Throws<SmbProtocolException>(() => RrpMessages.ParseEnumValue(ndr.ToArray(), 1024));
        Assert.Contains("lpValueNameOut", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenKey_Stub_LayoutPerMsRrp()
    {
        var handle = new RpcContextHandle(0, new Guid("00112233-4455-6677-8899-aabbccddeeff"));

        byte[] stub = RrpMessages.OpenKey(handle, "AB");

        // handle(20) | Length 6, MaximumLength 6, referent | max 3, offset 0, actual 3, "AB\0" UTF-16 | pad 2 | dwOptions 0 | samDesired KEY_READ
        Assert.Equal(20 + 8 + 12 + 6 + 2 + 4 + 4, stub.Length);
        Assert.Equal("06000600", Convert.ToHexString(stub[20..24]));
        Assert.Equal("030000000000000003000000" + "410042000000", Convert.ToHexString(stub[28..46]));
        Assert.Equal(RrpMessages.KeyRead, BinaryPrimitives.ReadUInt32LittleEndian(stub.AsSpan(stub.Length - 4)));
    }

    private static byte[] Response(uint callId, RpcPduFlags flags, byte[] stub)
    {
        byte[] pdu = new byte[RpcHeader.Size + 8 + stub.Length];
        new RpcHeader(RpcPduType.Response, flags, (ushort)pdu.Length, 0, callId).Write(pdu);
        stub.CopyTo(pdu, RpcHeader.Size + 8);
        return pdu;
    }
}
