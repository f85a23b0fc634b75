using System.Buffers.Binary;
using System.Globalization;

namespace SmbSign.Protocol.Rpc;

/// <summary>[C706] 12.6.4 connection-oriented PDU types (PTYPE).</summary>
public enum RpcPduType : byte
{
    Request = 0,
    Response = 2,
    Fault = 3,
    Bind = 11,
    BindAck = 12,
    BindNak = 13,
    AlterContext = 14,
    AlterContextResponse = 15,
    Shutdown = 17,
}

/// <summary>[C706] 12.6.3.1 pfc_flags.</summary>
[Flags]
public enum RpcPduFlags : byte
{
    None = 0,
    FirstFragment = 0x01,
    LastFragment = 0x02,
    PendingCancel = 0x04,
    ConcurrentMultiplexing = 0x10,
    DidNotExecute = 0x20,
    Maybe = 0x40,
    ObjectUuid = 0x80,
}

/// <summary>
/// [C706] 12.6.3.1 common header of every connection-oriented PDU (16 bytes): rpc_vers 5, rpc_vers_minor 0, PTYPE,
/// pfc_flags, packed_drep, frag_length, auth_length, call_id. SmbSign speaks only little-endian integers, ASCII
/// characters and IEEE floats (drep 0x10 0x00 0x00 0x00), which is what every Windows and Samba peer sends.
/// </summary>
public readonly record struct RpcHeader(RpcPduType Type, RpcPduFlags Flags, ushort FragmentLength, ushort AuthLength, uint CallId)
{
    public const int Size = 16;

    /// <summary>Offset of frag_length in the header.</summary>
    public const int FragmentLengthOffset = 8;

    public bool IsFirst => (Flags & RpcPduFlags.FirstFragment) != 0;

    public bool IsLast => (Flags & RpcPduFlags.LastFragment) != 0;

    public void Write(Span<byte> destination)
    {
        destination[0] = 5;
        destination[1] = 0;
        destination[2] = (byte)Type;
        destination[3] = (byte)Flags;
        destination[4] = 0x10; // little-endian, ASCII
        destination[5] = 0; // IEEE floating point
        destination[6] = 0;
        destination[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], FragmentLength);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], AuthLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], CallId);
    }

    /// <summary>Reads and checks a header: version 5.0, little-endian data representation, a frag_length that covers
    /// at least the header and at most <paramref name="maxFragment"/>.</summary>
    public static RpcHeader Read(ReadOnlySpan<byte> pdu, int maxFragment)
    {
        if (pdu.Length < Size)
        {
            ThrowHelper.ThrowTruncated("RPC PDU header", 0, Size, pdu.Length);
        }

        if (pdu[0] != 5 || pdu[1] != 0)
        {
            ThrowHelper.ThrowInvalid(string.Create(CultureInfo.InvariantCulture, $"RPC PDU: version {pdu[0]}.{pdu[1]}; expected 5.0 (connection-oriented DCE/RPC)"), 0);
        }

        if ((pdu[4] & 0xF0) != 0x10)
        {
            ThrowHelper.ThrowInvalid(string.Create(CultureInfo.InvariantCulture, $"RPC PDU: data representation 0x{pdu[4]:X2}; only little-endian is supported"), 4);
        }

        ushort fragmentLength = BinaryPrimitives.ReadUInt16LittleEndian(pdu[8..]);
        if (fragmentLength < Size || fragmentLength > maxFragment)
        {
            ThrowHelper.ThrowInvalid(string.Create(CultureInfo.InvariantCulture, $"RPC PDU: frag_length {fragmentLength} outside {Size}..{maxFragment}"), FragmentLengthOffset);
        }

        return new RpcHeader(
            (RpcPduType)pdu[2],
            (RpcPduFlags)pdu[3],
            fragmentLength,
            BinaryPrimitives.ReadUInt16LittleEndian(pdu[10..]),
            BinaryPrimitives.ReadUInt32LittleEndian(pdu[12..]));
    }

    /// <summary>How many bytes of <paramref name="buffer"/> the next PDU needs: 0 when fewer than 16 bytes are there
    /// (not known yet), else its frag_length (checked as in <see cref="Read"/>).</summary>
    public static int PeekFragmentLength(ReadOnlySpan<byte> buffer, int maxFragment) =>
        buffer.Length < Size ? 0 : Read(buffer, maxFragment).FragmentLength;
}

/// <summary>A DCE/RPC interface or transfer syntax: UUID and version ([C706] 12.6.3.1 p_syntax_id_t).</summary>
public readonly record struct RpcSyntaxId(Guid Uuid, ushort Major, ushort Minor)
{
    public const int Size = 20;

    /// <summary>[C706] Appendix I: NDR 2.0 transfer syntax 8a885d04-1ceb-11c9-9fe8-08002b104860 v2.</summary>
    public static RpcSyntaxId Ndr20 { get; } = new(new Guid("8a885d04-1ceb-11c9-9fe8-08002b104860"), 2, 0);

    /// <summary>[MS-RRP] 1.9: the winreg interface 338cd001-2244-31f1-aaaa-900038001003 v1.0.</summary>
    public static RpcSyntaxId WinReg { get; } = new(new Guid("338cd001-2244-31f1-aaaa-900038001003"), 1, 0);

    public void Write(Span<byte> destination)
    {
        Uuid.TryWriteBytes(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[16..], Major);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[18..], Minor);
    }

    public static RpcSyntaxId Read(ReadOnlySpan<byte> source) =>
        new(new Guid(source[..16]), BinaryPrimitives.ReadUInt16LittleEndian(source[16..]), BinaryPrimitives.ReadUInt16LittleEndian(source[18..]));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Uuid} v{Major}.{Minor}");
}
