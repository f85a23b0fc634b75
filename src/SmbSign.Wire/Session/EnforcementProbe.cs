using System.Globalization;
using SmbSign.Protocol.Smb2;

namespace SmbSign.Wire.Session;

/// <summary>Which mis-signed request an enforcement probe sends.</summary>
public enum EnforcementProbeKind
{
    /// <summary>SMB2_FLAGS_SIGNED (SMB1: SMB_FLAGS2_SMB_SECURITY_SIGNATURE) clear and a zero signature field.</summary>
    Unsigned,

    /// <summary>The flag set and a signature that does not match the message (the correct one with its first byte changed).</summary>
    BadSignature,
}

/// <summary>What the server did with a probe request.</summary>
public enum ProbeOutcome
{
    /// <summary>The server answered with an error status: it refused to act on the request.</summary>
    ErrorStatus,

    /// <summary>The server closed or reset the connection instead of answering.</summary>
    Disconnected,

    /// <summary>The server did not answer within the timeout (it dropped the request).</summary>
    NoAnswer,

    /// <summary>The server answered with a success status: it acted on a request it should have refused.</summary>
    Answered,

    /// <summary>The probe could not be sent (its session could not be set up); nothing was learnt.</summary>
    NotRun,
}

/// <summary>One active enforcement check: after an authenticated session is up on its own connection, one request that
/// must be signed ([MS-SMB2] 3.3.5.2.4 / 3.3.5.2.9; [MS-CIFS] 3.3.5.2) is sent unsigned or with a wrong signature.
/// A server that enforces signing refuses it ([MS-SMB2]: STATUS_ACCESS_DENIED, or a disconnect).</summary>
/// <param name="Kind">Unsigned, or with a wrong signature.</param>
/// <param name="Command">The request sent, e.g. "ECHO" or "TREE_CONNECT_ANDX".</param>
/// <param name="Outcome">What the server did.</param>
/// <param name="Status">The NTSTATUS of the answer; null when there was none.</param>
/// <param name="Detail">One sentence for people; never contains secrets.</param>
public sealed record EnforcementProbe(EnforcementProbeKind Kind, string Command, ProbeOutcome Outcome, uint? Status, string Detail)
{
    /// <summary>True when the server did not act on the request: an error status, a disconnect, or no answer.</summary>
    public bool Rejected => Outcome is ProbeOutcome.ErrorStatus or ProbeOutcome.Disconnected or ProbeOutcome.NoAnswer;

    /// <summary>"unsigned" or "bad-signature", as in reports.</summary>
    public string KindName => Kind == EnforcementProbeKind.Unsigned ? "unsigned" : "bad-signature";

    internal static EnforcementProbe FromStatus(EnforcementProbeKind kind, string command, uint status)
    {
        // [MS-ERREF] 2.3: severity 3 (0xC...) is an error, 2 (0x8...) a warning; both mean the server did not carry the request out.
        bool error = (status >> 30) >= 2;
        string what = kind == EnforcementProbeKind.Unsigned ? "an unsigned" : "a wrongly signed";
        return error
            ? new EnforcementProbe(kind, command, ProbeOutcome.ErrorStatus, status,
                $"the server refused {what} {command} request with {NtStatusNames.Describe(status)}")
            : new EnforcementProbe(kind, command, ProbeOutcome.Answered, status,
                $"the server answered {what} {command} request with {NtStatusNames.Describe(status)}: it does not enforce signing");
    }
}

/// <summary>Names of the NTSTATUS values a session meets ([MS-ERREF] 2.3.1), for messages people read.</summary>
public static class NtStatusNames
{
    /// <summary>"STATUS_ACCESS_DENIED (0xC0000022)", or the bare hex for a value without a name here.</summary>
    public static string Describe(uint status)
    {
        string hex = "0x" + status.ToString("X8", CultureInfo.InvariantCulture);
        return Name(status) is { } name ? $"{name} ({hex})" : $"status {hex}";
    }

    /// <summary>The symbolic name, or null.</summary>
    public static string? Name(uint status) => status switch
    {
        NtStatus.Success => "STATUS_SUCCESS",
        NtStatus.Pending => "STATUS_PENDING",
        NtStatus.MoreProcessingRequired => "STATUS_MORE_PROCESSING_REQUIRED",
        NtStatus.InvalidParameter => "STATUS_INVALID_PARAMETER",
        NtStatus.AccessDenied => "STATUS_ACCESS_DENIED",
        NtStatus.ObjectNameNotFound => "STATUS_OBJECT_NAME_NOT_FOUND",
        NtStatus.LogonFailure => "STATUS_LOGON_FAILURE",
        NtStatus.BadNetworkName => "STATUS_BAD_NETWORK_NAME",
        NtStatus.NotSupported => "STATUS_NOT_SUPPORTED",
        NtStatus.UserSessionDeleted => "STATUS_USER_SESSION_DELETED",
        NtStatus.NoMoreFiles => "STATUS_NO_MORE_FILES",
        NtStatus.InvalidSignature => "STATUS_INVALID_SIGNATURE",
        0xC000_0064 => "STATUS_NO_SUCH_USER",
        0xC000_006E => "STATUS_ACCOUNT_RESTRICTION",
        0xC000_0070 => "STATUS_INVALID_WORKSTATION",
        0xC000_0071 => "STATUS_PASSWORD_EXPIRED",
        0xC000_0072 => "STATUS_ACCOUNT_DISABLED",
        0xC000_0193 => "STATUS_ACCOUNT_EXPIRED",
        0xC000_0234 => "STATUS_ACCOUNT_LOCKED_OUT",
        0xC000_0205 => "STATUS_INSUFF_SERVER_RESOURCES",
        0xC000_0008 => "STATUS_INVALID_HANDLE",
        0xC000_0010 => "STATUS_INVALID_DEVICE_REQUEST",
        0xC000_0002 => "STATUS_NOT_IMPLEMENTED",
        0xC000_009A => "STATUS_INSUFFICIENT_RESOURCES",
        0xC000_035C => "STATUS_NETWORK_SESSION_EXPIRED",
        _ => null,
    };
}
