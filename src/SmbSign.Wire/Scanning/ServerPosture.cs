using System.Net;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2.Negotiate;

namespace SmbSign.Wire.Scanning;

/// <summary>SMB2 signing as the NEGOTIATE response's SecurityMode states it ([MS-SMB2] 2.2.4).</summary>
public enum Smb2SigningState
{
    /// <summary>Neither bit set: a non-conformant server (conforming servers always set ENABLED).</summary>
    Disabled,

    /// <summary>SIGNING_ENABLED only: "enabled but not required".</summary>
    Enabled,

    /// <summary>SIGNING_REQUIRED set.</summary>
    Required,
}

/// <summary>Why a probe could not complete; each is an expected outcome, reported per target.</summary>
public enum ProbeErrorKind
{
    NameResolution,
    Refused,
    Unreachable,
    Timeout,
    ConnectionReset,
    ConnectionClosed,
    FrameTooLarge,
    InvalidFraming,

    /// <summary>The peer answered with bytes that are not the SMB message expected (garbage, truncated, wrong command).</summary>
    ProtocolError,
}

/// <summary>A probe failure: kind, the step it happened in, and a one-line explanation.</summary>
public sealed record ProbeError(ProbeErrorKind Kind, string Phase, string Message)
{
    public override string ToString() => $"{Phase}: {Message}";
}

/// <summary>SMB1 as seen on the wire. <see cref="Enabled"/> null = not determined (unreachable, an error, or an SMB2
/// server that does not require signing probed without --deep: its SMB1 cannot change the relay verdict).</summary>
public sealed record Smb1Posture(bool? Enabled = null, Smb1SigningState? Signing = null, Smb1SecurityMode? SecurityMode = null)
{
    public static Smb1Posture Unknown { get; } = new();
}

/// <summary>SMB2/3 as seen on the wire. Null members are unknown or not applicable.</summary>
public sealed record Smb2Posture
{
    public static Smb2Posture Unknown { get; } = new();

    public bool? Enabled { get; init; }

    /// <summary>The dialect negotiated when offering all five.</summary>
    public Dialect? Dialect { get; init; }

    /// <summary><c>--deep</c>: each dialect the server accepted when offered alone; null otherwise.</summary>
    public IReadOnlyList<Dialect>? Dialects { get; init; }

    public Smb2SigningState? Signing { get; init; }

    public SmbSign.Protocol.Smb2.Smb2SecurityMode? SecurityMode { get; init; }

    /// <summary>The algorithm the negotiated connection signs with.</summary>
    public SigningAlgorithm? SigningAlgorithm { get; init; }

    /// <summary><c>--deep</c>: each algorithm the server selected when offered alone at 3.1.1; null otherwise.</summary>
    public IReadOnlyList<SigningAlgorithm>? SigningAlgorithms { get; init; }

    public EncryptionCipher? Cipher { get; init; }

    public Guid? ServerGuid { get; init; }

    /// <summary>SPNEGO mechanism names from the NEGOTIATE response's security buffer ([] when it was empty).</summary>
    public IReadOnlyList<string>? Mechanisms { get; init; }

    public Smb2Capabilities? Capabilities { get; init; }

    public DateTimeOffset? SystemTime { get; init; }
}

/// <summary>What the NTLM CHALLENGE (or a non-extended SMB1 NEGOTIATE) disclosed about the host.</summary>
public sealed record HostInfo(string? NetbiosName = null, string? DnsName = null, string? Domain = null, string? DnsDomain = null, string? OsVersion = null)
{
    public static HostInfo Unknown { get; } = new();
}

/// <summary>Everything one probe learned about one server.</summary>
public sealed record ServerPosture
{
    public required ScanTarget Target { get; init; }

    /// <summary>The address probed (the resolved one for names).</summary>
    public IPAddress? Address { get; init; }

    public bool Reachable { get; init; }

    public Smb1Posture Smb1 { get; init; } = Smb1Posture.Unknown;

    public Smb2Posture Smb2 { get; init; } = Smb2Posture.Unknown;

    public HostInfo Host { get; init; } = HostInfo.Unknown;

    /// <summary>True when the server answered an NTLMSSP NEGOTIATE with a CHALLENGE; false when it refused NTLM or
    /// advertised mechanisms without NTLMSSP; null when not determined.</summary>
    public bool? Ntlm { get; init; }

    public ProbeError? Error { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>True when a dialect family the server speaks does not require signing and NTLM is not known to be
    /// refused (an NTLM relay target); false when every family it speaks requires signing or NTLM is refused; null
    /// when unreachable or undetermined. Reflects what the server advertises, not what it enforces.</summary>
    public bool? RelayTarget
    {
        get
        {
            if (!Reachable)
            {
                return null;
            }

            bool smb1Open = Smb1.Enabled == true && Smb1.Signing is not null && Smb1.Signing != Smb1SigningState.Required;
            bool smb2Open = Smb2.Enabled == true && Smb2.Signing is not null && Smb2.Signing != Smb2SigningState.Required;
            if (Ntlm == false)
            {
                return false;
            }

            if (smb1Open || smb2Open)
            {
                return true;
            }

            bool smb1Known = Smb1.Enabled == false || (Smb1.Enabled == true && Smb1.Signing is not null);
            bool smb2Known = Smb2.Enabled == false || (Smb2.Enabled == true && Smb2.Signing is not null);
            bool anySpoken = Smb1.Enabled == true || Smb2.Enabled == true;
            return smb1Known && smb2Known && anySpoken ? false : null;
        }
    }
}
