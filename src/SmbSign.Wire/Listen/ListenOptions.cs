using System.Net;

namespace SmbSign.Wire.Listen;

/// <summary>How the listener answers once a client has authenticated.</summary>
public enum ListenTestMode
{
    /// <summary>Completes the session normally and signs as [MS-SMB2] 3.3.4.1.1 requires.</summary>
    Observe,

    /// <summary>Answers the requests after TREE_CONNECT without a signature.</summary>
    Unsigned,

    /// <summary>Answers the requests after TREE_CONNECT with a wrong signature.</summary>
    BadSignature,
}

/// <summary>What a <see cref="ListenServer"/> listens on and serves. The password is passed separately and never stored here.</summary>
public sealed record ListenOptions
{
    public IPAddress Address { get; init; } = IPAddress.Any;

    /// <summary>TCP port; 0 picks a free one.</summary>
    public int Port { get; init; } = 445;

    public ListenTestMode Mode { get; init; } = ListenTestMode.Observe;

    /// <summary>The one disk share served (case-insensitive).</summary>
    public string Share { get; init; } = "probe";

    /// <summary>The user whose NTLMv2 response is verified; null offers guest logons only (no session key, no signing).</summary>
    public string? User { get; init; }

    /// <summary>NetBIOS name the server announces in NTLM target info.</summary>
    public string ServerName { get; init; } = "SMBSIGN-LISTEN";

    /// <summary>NetBIOS domain the server announces.</summary>
    public string DomainName { get; init; } = "SMBSIGN";

    /// <summary>Connections served at once; further clients are closed right after accept.</summary>
    public int MaxConcurrentConnections { get; init; } = 16;

    /// <summary>Deadline for a whole connection, from accept to close.</summary>
    public TimeSpan ConnectionDeadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest silence between two requests before the connection is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Largest request frame accepted (no request of the read-only share needs more).</summary>
    public int MaxFrameSize { get; init; } = 128 * 1024;

    /// <summary>Open handles per connection.</summary>
    public int MaxOpenFiles { get; init; } = 64;
}
