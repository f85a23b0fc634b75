using System.Globalization;
using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Rpc;

/// <summary>[C706] 12.6.4.3 bind PDU with one presentation context (one abstract syntax, NDR 2.0 as the only transfer
/// syntax) and no authentication: over an SMB named pipe the SMB session already authenticates and signs.</summary>
public static class RpcBind
{
    /// <summary>Length of the bind PDU written by <see cref="Write"/>.</summary>
    public const int Length = RpcHeader.Size + 8 + 4 + 4 + RpcSyntaxId.Size + RpcSyntaxId.Size;

    public static byte[] Write(RpcSyntaxId abstractSyntax, uint callId, ushort maxTransmitFragment, ushort maxReceiveFragment, ushort contextId = 0)
    {
        byte[] pdu = new byte[Length];
        new RpcHeader(RpcPduType.Bind, RpcPduFlags.FirstFragment | RpcPduFlags.LastFragment, Length, 0, callId).Write(pdu);
        var writer = new SmbWriter(pdu.AsSpan(RpcHeader.Size));
        writer.WriteUInt16(maxTransmitFragment);
        writer.WriteUInt16(maxReceiveFragment);
        writer.WriteUInt32(0); // assoc_group_id: a new association
        writer.WriteByte(1); // n_context_elem
        writer.WriteByte(0);
        writer.WriteUInt16(0);
        writer.WriteUInt16(contextId);
        writer.WriteByte(1); // n_transfer_syn
        writer.WriteByte(0);
        abstractSyntax.Write(writer.Reserve(RpcSyntaxId.Size));
        RpcSyntaxId.Ndr20.Write(writer.Reserve(RpcSyntaxId.Size));
        return pdu;
    }
}

/// <summary>[C706] 12.6.4.4 bind_ack, reduced to what the client needs: the negotiated fragment sizes and whether the
/// first presentation context was accepted with NDR 2.0.</summary>
public sealed record RpcBindAck(ushort MaxTransmitFragment, ushort MaxReceiveFragment, uint AssocGroupId, string SecondaryAddress, ushort Result, ushort Reason, RpcSyntaxId TransferSyntax)
{
    /// <summary>p_cont_def_result_t acceptance.</summary>
    public bool Accepted => Result == 0 && TransferSyntax == RpcSyntaxId.Ndr20;

    /// <summary>Why the context was refused, in words ([C706] 12.6.3.1 p_cont_def_result_t / p_provider_reason_t).</summary>
    public string Describe() => (Result, Reason) switch
    {
        (0, _) when TransferSyntax != RpcSyntaxId.Ndr20 => $"the server accepted transfer syntax {TransferSyntax}, which was not offered",
        (0, _) => "accepted",
        (_, 1) => "abstract syntax (interface) not supported",
        (_, 2) => "proposed transfer syntaxes not supported",
        (_, 3) => "local limit exceeded",
        _ => string.Create(CultureInfo.InvariantCulture, $"presentation context rejected (result {Result}, reason {Reason})"),
    };

    /// <summary>Parses a whole bind_ack PDU (header included).</summary>
    public static RpcBindAck Parse(ReadOnlySpan<byte> pdu)
    {
        RpcHeader header = RpcHeader.Read(pdu, ushort.MaxValue);
        if (header.FragmentLength > pdu.Length)
        {
            ThrowHelper.ThrowTruncated("RPC bind_ack", pdu.Length, header.FragmentLength - pdu.Length, 0);
        }

        var reader = new SmbReader(pdu[..header.FragmentLength], "RPC bind_ack", RpcHeader.Size);
        ushort maxTransmit = reader.ReadUInt16();
        ushort maxReceive = reader.ReadUInt16();
        uint assocGroup = reader.ReadUInt32();
        ushort addressLength = reader.ReadUInt16();
        ReadOnlySpan<byte> address = reader.ReadBytes(addressLength);
        reader.AlignTo(4);
        byte results = reader.ReadByte();
        reader.Skip(3);
        if (results == 0)
        {
            ThrowHelper.ThrowInvalid("RPC bind_ack: no presentation context result", reader.Position - 4);
        }

        ushort result = reader.ReadUInt16();
        ushort reason = reader.ReadUInt16();
        RpcSyntaxId transfer = RpcSyntaxId.Read(reader.ReadBytes(RpcSyntaxId.Size));
        string secondary = System.Text.Encoding.ASCII.GetString(address).TrimEnd('\0');
        return new RpcBindAck(maxTransmit, maxReceive, assocGroup, secondary, result, reason, transfer);
    }

    /// <summary>[C706] 12.6.4.5 bind_nak provider_reject_reason in words.</summary>
    public static string DescribeNak(ReadOnlySpan<byte> pdu)
    {
        var reader = new SmbReader(pdu, "RPC bind_nak", RpcHeader.Size);
        ushort reason = reader.Remaining >= 2 ? reader.ReadUInt16() : (ushort)0xFFFF;
        return reason switch
        {
            0 => "reason not specified",
            1 => "temporary congestion",
            2 => "local limit exceeded",
            3 => "called paddr unknown",
            4 => "protocol version not supported",
            5 => "default context not supported",
            6 => "user data not readable",
            7 => "no PSAP available",
            8 => "authentication type not recognized",
            9 => "invalid checksum",
            _ => string.Create(CultureInfo.InvariantCulture, $"reason {reason}"),
        };
    }
}
