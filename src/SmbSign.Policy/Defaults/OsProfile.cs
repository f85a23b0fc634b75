using System.Collections.Immutable;
using SmbSign.Policy.Catalog;
using SmbSign.Protocol;

namespace SmbSign.Policy.Defaults;

/// <summary>
/// An operating system as far as SMB defaults are concerned: family, build, edition and role, plus the 3.1.1
/// signing algorithms it offers. Built-in profiles come from <see cref="OsProfiles"/> (<c>smbsign evaluate --list-os</c>);
/// audits that know a machine's build and edition can construct their own.
/// </summary>
public sealed record OsProfile
{
    /// <summary>Stable id such as <c>win11-24h2-pro</c> or <c>server2025</c>.</summary>
    public required string Id { get; init; }

    public required string DisplayName { get; init; }

    public required OsFamily Family { get; init; }

    /// <summary>Windows build number (19045 = Windows 10 22H2, 22631 = 11 23H2, 26100 = 11 24H2 / Server 2025); Samba: major*1000+minor (4.22 = 4022).</summary>
    public required int Build { get; init; }

    /// <summary>Marketing version ("22H2", "24H2", "2022", "4.x").</summary>
    public required string Version { get; init; }

    public OsEdition Edition { get; init; }

    public OsRole Role { get; init; }

    /// <summary>The SIGNING_CAPABILITIES list this OS sends or accepts at 3.1.1, most preferred first; empty = no signing context (3.1.1 then signs with AES-CMAC).</summary>
    public ImmutableArray<SigningAlgorithm> SigningAlgorithms { get; init; } = [];

    /// <summary>Where <see cref="SigningAlgorithms"/> comes from.</summary>
    public string? SigningAlgorithmsSource { get; init; }

    public Confidence SigningAlgorithmsConfidence { get; init; } = Confidence.Unconfirmed;

    /// <summary>How this OS, as a server, chooses among the client's signing algorithms.</summary>
    public AlgorithmSelection AlgorithmSelection { get; init; } = AlgorithmSelection.ClientOrder;

    /// <summary>True when the OS can act as an SMB server in a domain-controller role.</summary>
    public bool CanBeDomainController => Family is OsFamily.WindowsServer or OsFamily.Samba;

    /// <summary>True for Windows families (registry settings apply directly).</summary>
    public bool IsWindows => Family is OsFamily.WindowsClient or OsFamily.WindowsServer;

    /// <summary>The same OS in another role (e.g. <c>server2022</c> as a domain controller).</summary>
    public OsProfile WithRole(OsRole role)
    {
        if (role == OsRole.DomainController && !CanBeDomainController)
        {
            throw new ArgumentException($"{Id} ({DisplayName}) cannot be a domain controller; use a Windows Server or Samba profile.", nameof(role));
        }

        return this with { Role = role };
    }

    /// <summary>"server2022 (domain controller)", "win11-24h2-pro".</summary>
    public string Label => Role == OsRole.DomainController ? Id + " (domain controller)" : Id;

    public override string ToString() => Label;
}
