using SmbSign.Protocol;
using SmbSign.Wire.Session.Kerberos;

namespace SmbSign.Wire.Session;

/// <summary>What a verification session connects to and how it negotiates. The password is passed separately and never stored here.</summary>
public sealed record SmbClientOptions
{
    /// <summary>Host name or IP address.</summary>
    public required string Host { get; init; }

    public int Port { get; init; } = 445;

    /// <summary>Connect to this address instead of resolving <see cref="Host"/>, which still names the server (the
    /// Kerberos SPN <c>cifs/HOST</c> and the tree-connect path); null resolves <see cref="Host"/>.</summary>
    public string? TargetAddress { get; init; }

    /// <summary>Log on with Kerberos (SPNEGO, ticket for <c>cifs/HOST</c>) instead of NTLMv2; null uses NTLMv2. The
    /// password passed to the session, when not empty, obtains the ticket; otherwise a credential cache does.</summary>
    public KerberosOptions? Kerberos { get; init; }

    /// <summary>NTLM logon with the account's NT hash (MD4 of the UTF-16LE password, 16 bytes) instead of the password,
    /// as impacket and NetExec allow; null uses the password. Never logged or reported.</summary>
    public ReadOnlyMemory<byte>? NtHash { get; init; }

    /// <summary>Share to connect to; IPC$ by default.</summary>
    public string Share { get; init; } = "IPC$";

    public required string User { get; init; }

    /// <summary>NTLM domain; empty for a local account.</summary>
    public string Domain { get; init; } = string.Empty;

    /// <summary>Workstation name sent in the NTLM AUTHENTICATE message.</summary>
    public string Workstation { get; init; } = "SMBSIGN";

    /// <summary>The dialect to ask for; null offers every SMB2/3 dialect and takes the server's best.
    /// <see cref="Protocol.Dialect.Smb1"/> speaks NT LM 0.12.</summary>
    public Dialect? Dialect { get; init; }

    /// <summary>At 3.1.1: the only signing algorithm offered in SIGNING_CAPABILITIES; null offers GMAC, CMAC and HMAC.</summary>
    public SigningAlgorithm? SigningAlgorithm { get; init; }

    /// <summary>Set SIGNING_REQUIRED in NEGOTIATE and SESSION_SETUP (the client's RequireMessageSigning).</summary>
    public bool RequireSigning { get; init; }

    /// <summary>A file to open and read (first 64 KiB) on a disk share, relative to the share root; null lists the root instead.</summary>
    public string? ReadPath { get; init; }

    /// <summary>After the session, check that the server refuses mis-signed requests: one unsigned and one wrongly signed
    /// request, each on its own connection (see <see cref="EnforcementProbe"/>). Without it the verdict cannot be "enforced".</summary>
    public bool ProbeEnforcement { get; init; } = true;

    /// <summary>Deadline for each operation (connect, and each request/response exchange).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The target as <c>//host:port/share</c> (IPv6 hosts in brackets).</summary>
    public string DisplayTarget => $"//{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port}/{Share}";
}
