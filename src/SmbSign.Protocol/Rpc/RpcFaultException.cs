using System.Globalization;
using SmbSign.Protocol.Errors;

namespace SmbSign.Protocol.Rpc;

/// <summary>The server answered a call or a bind with a fault or a refusal ([C706] 12.6.4.7 fault PDU, 12.6.4.5
/// bind_nak). <see cref="Status"/> is the fault status; the message says what it means.</summary>
public sealed class RpcFaultException : PeerException
{
    public RpcFaultException()
    {
    }

    public RpcFaultException(string message)
        : base(message)
    {
    }

    public RpcFaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RpcFaultException(uint status, string operation)
        : base(string.Create(CultureInfo.InvariantCulture, $"{operation}: RPC fault {Describe(status)}"))
    {
        Status = status;
    }

    /// <summary>The fault status (an nca_s_* code, a Win32 error or an NTSTATUS).</summary>
    public uint Status { get; }

    /// <summary>True when the fault says the caller lacks the right (nca_s_fault_access_denied / ERROR_ACCESS_DENIED).</summary>
    public bool IsAccessDenied => Status is 0x0000_0005 or 0x1C00_0009 or 0xC000_0022;

    /// <summary>A fault status as <c>0x1C010002 (nca_s_op_rng_error: the server does not know this operation)</c>.</summary>
    public static string Describe(uint status)
    {
        // [C706] Appendix E and [MS-RPCE] 2.2.2.10 / 3.1.1.5.5 fault codes; Windows also sends Win32 errors here.
        string? meaning = status switch
        {
            0x0000_0005 => "ERROR_ACCESS_DENIED: access is denied",
            0x0000_06F7 => "RPC_X_BAD_STUB_DATA: the server could not unmarshal the request",
            0x0000_06D1 => "RPC_S_PROCNUM_OUT_OF_RANGE: the server does not know this operation",
            0x0000_06F8 => "RPC_X_NULL_REF_POINTER",
            0x0000_0721 => "RPC_S_SEC_PKG_ERROR",
            0x1C01_0002 => "nca_s_op_rng_error: the server does not know this operation",
            0x1C01_0003 => "nca_s_unk_if: the server does not know this interface",
            0x1C01_0006 => "nca_s_wrong_boot_time",
            0x1C01_0009 => "nca_s_you_crashed",
            0x1C01_000B => "nca_s_proto_error: protocol error",
            0x1C01_0013 => "nca_s_out_args_too_big",
            0x1C01_0014 => "nca_s_server_too_busy",
            0x1C01_0017 => "nca_s_unsupported_type",
            0x1C00_0009 => "nca_s_fault_access_denied: access is denied",
            0x1C00_0011 => "nca_s_fault_invalid_tag",
            0x1C00_0012 => "nca_s_fault_invalid_bound",
            0x1C00_0001 => "nca_s_fault_int_div_by_zero",
            0x1C00_0017 => "nca_s_fault_remote_no_memory",
            0x1C00_001C => "nca_s_fault_context_mismatch: the handle is not valid on the server",
            0x1C00_0020 => "nca_s_fault_ndr: the server could not unmarshal the request",
            0xC000_0022 => "STATUS_ACCESS_DENIED: access is denied",
            _ => null,
        };
        string hex = "0x" + status.ToString("X8", CultureInfo.InvariantCulture);
        return meaning is null ? hex : $"{hex} ({meaning})";
    }
}
