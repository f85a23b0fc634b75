using System.Net;
using SmbSign.Protocol;
using SmbSign.Protocol.Security.Ntlmssp;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;

namespace SmbSign.Wire.Listen;

/// <summary>How a client authenticated to the listener.</summary>
public enum ListenAuthentication
{
    /// <summary>No SESSION_SETUP completed.</summary>
    None,

    /// <summary>The NTLMv2 response matched the configured user's password: the session has keys and can be signed.</summary>
    User,

    /// <summary>Accepted as guest (no password configured): no session key, nothing can be signed.</summary>
    Guest,

    /// <summary>An anonymous (null) NTLM logon: no session key.</summary>
    Anonymous,

    /// <summary>The NTLMv2 response did not match (wrong user or password), or the client offered no NTLM.</summary>
    Failed,
}

/// <summary>Whether a client was seen to refuse unsigned or badly signed answers.</summary>
public enum ClientEnforcementVerdict
{
    /// <summary>Not tested: observe mode, or the client stopped before it received a tampered answer.</summary>
    Untested,

    /// <summary>The client dropped the connection (or logged off) instead of using a tampered answer or a guest session.</summary>
    Enforced,

    /// <summary>The client used a tampered answer or went on with a session that cannot be signed.</summary>
    NotEnforced,
}

/// <summary>What the client offered in NEGOTIATE (SMB2/3) and its 3.1.1 negotiate contexts.</summary>
public sealed record ClientNegotiateInfo(
    IReadOnlyList<Dialect> Dialects,
    Smb2SecurityMode SecurityMode,
    Smb2Capabilities Capabilities,
    Guid ClientGuid,
    IReadOnlyList<SigningAlgorithm>? SigningAlgorithms,
    IReadOnlyList<EncryptionCipher>? Ciphers,
    IReadOnlyList<CompressionAlgorithm>? Compression,
    IReadOnlyList<ushort>? RdmaTransforms,
    string? NetName,
    IReadOnlyList<PreauthHashAlgorithm>? PreauthHashAlgorithms,
    uint? TransportFlags);

/// <summary>What an SMB1 client offered in its SMB_COM_NEGOTIATE ([MS-CIFS] 2.2.4.52.1, [MS-SMB] 2.2.3.1 Flags2) and,
/// when the listener served it at NT LM 0.12, in its first SESSION_SETUP_ANDX (Flags2 and Capabilities).</summary>
public sealed record Smb1NegotiateInfo(IReadOnlyList<string> Dialects, Smb1Flags2 Flags2)
{
    /// <summary>Flags2 of the first SESSION_SETUP_ANDX request; null when none was sent.</summary>
    public Smb1Flags2? SessionSetupFlags2 { get; init; }

    /// <summary>The client's Capabilities in its first SESSION_SETUP_ANDX request ([MS-SMB] 2.2.4.6.1).</summary>
    public Smb1Capabilities? SessionSetupCapabilities { get; init; }

    /// <summary>SMB_FLAGS2_SMB_SECURITY_SIGNATURE_REQUIRED in NEGOTIATE or SESSION_SETUP_ANDX: the client requires signing.</summary>
    public bool SigningRequired => ((Flags2 | (SessionSetupFlags2 ?? Smb1Flags2.None)) & Smb1Flags2.SecuritySignatureRequired) != 0;

    /// <summary>SMB_FLAGS2_SMB_SECURITY_SIGNATURE in NEGOTIATE or SESSION_SETUP_ANDX: the client asks for signing.</summary>
    public bool SigningEnabled => ((Flags2 | (SessionSetupFlags2 ?? Smb1Flags2.None)) & Smb1Flags2.SmbSecuritySignature) != 0;

    /// <summary>Offers an SMB2 dialect string ("SMB 2.002" or "SMB 2.???").</summary>
    public bool OffersSmb2 => Dialects.Any(d => d is Smb1NegotiateRequest.Smb2002 or Smb1NegotiateRequest.Smb2Wildcard);
}

/// <summary>The NTLMSSP facts a client disclosed: NEGOTIATE flags and VERSION, and the names in AUTHENTICATE. Never
/// the responses, hashes or keys.</summary>
public sealed record ClientNtlmInfo(NtlmNegotiateFlags NegotiateFlags, NtlmVersion? Version, string? User, string? Domain, string? Workstation);

/// <summary>Everything the listener learned about one connection, produced when it ends.</summary>
public sealed record ListenClientReport
{
    public required int Connection { get; init; }

    public required IPEndPoint Remote { get; init; }

    public required DateTimeOffset Started { get; init; }

    public required TimeSpan Duration { get; init; }

    public required ListenTestMode Mode { get; init; }

    public Smb1NegotiateInfo? Smb1 { get; init; }

    public ClientNegotiateInfo? Negotiate { get; init; }

    /// <summary>SecurityMode of the (first) SESSION_SETUP request.</summary>
    public Smb2SecurityMode? SessionSetupSecurityMode { get; init; }

    public Dialect? Dialect { get; init; }

    /// <summary>The algorithm responses were (or would have been) signed with.</summary>
    public SigningAlgorithm? SigningAlgorithm { get; init; }

    public ClientNtlmInfo? Ntlm { get; init; }

    public ListenAuthentication Authentication { get; init; }

    /// <summary>True when the client advertised SIGNING_REQUIRED (SMB2 NEGOTIATE or SESSION_SETUP SecurityMode, SMB1
    /// Flags2); null when it sent no NEGOTIATE.</summary>
    public bool? RequiresSigning { get; init; }

    public ClientEnforcementVerdict Enforcement { get; init; }

    /// <summary>Why <see cref="Enforcement"/> is what it is, in plain words.</summary>
    public required string EnforcementReason { get; init; }

    /// <summary>Requests after authentication that carried a signature that verified / did not verify / no signature.</summary>
    public int SignedRequests { get; init; }

    public int BadlySignedRequests { get; init; }

    public int UnsignedRequests { get; init; }

    /// <summary>Responses the server signed correctly, and responses it sent unsigned or badly signed on purpose.</summary>
    public int SignedResponses { get; init; }

    public int TamperedResponses { get; init; }

    /// <summary>The commands the client sent, in order (after NEGOTIATE), for the report.</summary>
    public IReadOnlyList<Smb2Command> Commands { get; init; } = [];

    /// <summary>The SMB1 commands an NT LM 0.12 client sent after NEGOTIATE.</summary>
    public IReadOnlyList<Smb1Command> Smb1Commands { get; init; } = [];

    /// <summary>Whether the client read the probe file to its end.</summary>
    public bool ReadProbeFile { get; init; }

    /// <summary>How the connection ended: "client closed", "idle timeout", "deadline", "server stopping", or a protocol error.</summary>
    public required string End { get; init; }
}
