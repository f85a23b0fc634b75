using System.Collections.Immutable;
using System.Globalization;
using SmbSign.Policy.Catalog;
using SmbSign.Protocol;

namespace SmbSign.Policy.Remediation;

/// <summary>What a scan said about one server, as plain data (the CLI reads <c>smbsign scan</c> JSON into it; Policy
/// never references Wire). Signing values: SMB2 <c>enabled</c>/<c>required</c>/<c>disabled</c>; SMB1
/// <c>disabled</c>/<c>enabled</c>/<c>required</c>; null when unknown.</summary>
/// <param name="Dialect">The highest SMB2/3 dialect the server chose ("3.1.1"), if any.</param>
/// <param name="GuestOnly">True when the server (or the share the scan looked at) offers only guest access.</param>
/// <param name="Error">Why the probe failed, for unreachable servers.</param>
public sealed record ScannedServer(
    string Target,
    int Port,
    bool Reachable,
    bool? Smb1Enabled,
    string? Smb1Signing,
    bool? Smb2Enabled,
    string? Smb2Signing,
    string? Dialect,
    bool? GuestOnly,
    string? Error)
{
    /// <summary>"host" or "host:port" when the port is not 445.</summary>
    public string Label => Port is 445 or 0 ? Target : Target + ":" + Port.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The client side of an audited machine, as far as the audit tells (null = unknown).</summary>
/// <param name="SigningDisabled">Both client signing values are 0: SMB1 "declined" on Windows (still signs when the
/// server requires it), "disabled" on Samba (never signs SMB1).</param>
/// <param name="Smb1Only">The client cannot speak SMB2 (e.g. Samba <c>client max protocol = NT1</c>).</param>
/// <param name="MaxDialect">The highest SMB2/3 dialect the client offers, as a revision number (785 = 3.1.1).</param>
/// <param name="InsecureGuest">The client allows insecure guest logons (AllowInsecureGuestAuth = 1).</param>
public sealed record ClientPosture(string Name, string? Os, bool? SigningDisabled, bool? Smb1Only, long? MaxDialect, bool? InsecureGuest)
{
    /// <summary>Reads the client settings of an audited machine from the audit's effective (else configured) values.</summary>
    public static ClientPosture FromAudit(AuditedMachine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        bool? require = Flag(machine, "client.RequireSecuritySignature");
        bool? enable = Flag(machine, "client.EnableSecuritySignature");
        string? maxText = ValueOf(machine, "client.MaxSmb2Dialect")?.Text.Trim();
        bool? smb1Only = null;
        long? maxDialect = null;
        if (maxText is not null && DialectInfo.TryParse(maxText, out Dialect dialect))
        {
            smb1Only = dialect == Dialect.Smb1;
            maxDialect = dialect.IsSmb2Family() ? (ushort)dialect : null;
        }

        return new ClientPosture(
            machine.Name,
            machine.Os,
            require is null && enable is null ? null : require == false && enable == false,
            smb1Only,
            maxDialect,
            Flag(machine, "client.AllowInsecureGuestAuth"));
    }

    private static AuditValue? ValueOf(AuditedMachine machine, string settingId) =>
        machine.Find(settingId) is { } row ? row.Effective ?? row.Configured : null;

    private static bool? Flag(AuditedMachine machine, string settingId) =>
        ValueOf(machine, settingId) is { } value ? ValueSpec.ParseBoolean(value.Text) : null;
}

/// <summary>How a peer fares after the change.</summary>
public enum ImpactLevel
{
    /// <summary>The peer will fail to connect.</summary>
    Breaks,

    /// <summary>It may fail in some cases (guest logons, SMB1 states Windows and Samba treat differently).</summary>
    AtRisk,

    /// <summary>Not enough data to tell (unreachable, no answer).</summary>
    Unknown,
}

/// <summary>One peer the change affects.</summary>
public sealed record ImpactFinding(string Peer, ImpactLevel Level, string Reason);

/// <summary>The effect of one change (e.g. "the client requires signing") on the peers that were checked.</summary>
/// <param name="Change">What the plan changes, in words.</param>
/// <param name="Settings">The setting ids behind it.</param>
/// <param name="PeersChecked">How many peers were looked at.</param>
/// <param name="Compatible">How many of them keep working.</param>
/// <param name="Note">Why nothing could be checked, when that is the case.</param>
public sealed record ImpactSection(
    string Change,
    ImmutableArray<string> Settings,
    int PeersChecked,
    int Compatible,
    ImmutableArray<ImpactFinding> Findings,
    string? Note);

/// <summary>The measured cost of signing on this machine: throughput of one algorithm at one message size.</summary>
public sealed record SigningCost(string Algorithm, int MessageBytes, double GigabytesPerSecond, string Engine, double MillisecondsMeasured);

/// <summary>The impact report written to IMPACT.md.</summary>
/// <param name="Cost">The signing cost, or null with <see cref="CostUnavailable"/> saying why.</param>
public sealed record ImpactReport(ImmutableArray<ImpactSection> Sections, SigningCost? Cost, string? CostUnavailable)
{
    /// <summary>Peers that will fail.</summary>
    public int Breaking => Sections.Sum(s => s.Findings.Count(f => f.Level == ImpactLevel.Breaks));

    /// <summary>Peers that may fail or could not be judged.</summary>
    public int Uncertain => Sections.Sum(s => s.Findings.Count(f => f.Level != ImpactLevel.Breaks));
}

/// <summary>
/// Before requiring client signing (or turning off the SMBv1 client, raising the minimum dialect, blocking insecure
/// guest logons, requiring encryption) lists the scanned servers that would stop working or cannot be judged; before
/// requiring server signing (or turning off SMBv1, raising the server's minimum dialect) lists the audited client
/// machines that would fail. Pure: plain data in, plain data out.
/// </summary>
public static class ImpactAnalyzer
{
    public static ImpactReport Analyze(
        RemediationPlan plan,
        IReadOnlyList<ScannedServer>? servers,
        IReadOnlyList<ClientPosture>? clients,
        SigningCost? cost = null,
        string? costUnavailable = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        List<ImpactSection> sections = [];
        if (Wants(plan, "client.RequireSecuritySignature", 1) is { } clientSigning)
        {
            sections.Add(ServerSection("The client requires signing", [clientSigning.Setting.Id], servers, ClientSigningImpact));
        }

        if (Wants(plan, "client.Smb1Driver", 4) is { } smb1Client)
        {
            sections.Add(ServerSection("The SMBv1 client is disabled", [smb1Client.Setting.Id], servers, s =>
                s.Smb2Enabled != true && s.Smb1Enabled == true
                    ? new ImpactFinding(s.Label, ImpactLevel.Breaks, "speaks only SMB1")
                    : null));
        }

        if (plan.Find("client.MinSmb2Dialect") is { Target.Kind: SettingValueKind.Number } minClient)
        {
            long minimum = minClient.Target.Number;
            sections.Add(ServerSection($"The client requires SMB {DialectName(minimum)} or later", [minClient.Setting.Id], servers, s => DialectImpact(s, minimum)));
        }

        if (Wants(plan, "client.AllowInsecureGuestAuth", 0) is { } guest)
        {
            sections.Add(ServerSection("Insecure guest logons are blocked", [guest.Setting.Id], servers, s =>
                s.GuestOnly == true ? new ImpactFinding(s.Label, ImpactLevel.Breaks, "offers only guest access; the client no longer logs on as guest") : null));
        }

        if (Wants(plan, "client.RequireEncryption", 1) is { } encryption)
        {
            sections.Add(ServerSection("The client requires encryption (SMB 3.0 or later)", [encryption.Setting.Id], servers, s => DialectImpact(s, 768)));
        }

        if (Wants(plan, "server.RequireSecuritySignature", 1) is { } serverSigning)
        {
            sections.Add(ClientSection("The server requires signing", [serverSigning.Setting.Id], clients, ServerSigningImpact));
        }

        if (Wants(plan, "server.SMB1", 0) is { } smb1Server)
        {
            sections.Add(ClientSection("The server refuses SMB1", [smb1Server.Setting.Id], clients, c =>
                c.Smb1Only == true ? new ImpactFinding(c.Name, ImpactLevel.Breaks, "the client speaks only SMB1") : null));
        }

        if (plan.Find("server.MinSmb2Dialect") is { Target.Kind: SettingValueKind.Number } minServer)
        {
            long minimum = minServer.Target.Number;
            sections.Add(ClientSection($"The server requires SMB {DialectName(minimum)} or later", [minServer.Setting.Id], clients, c =>
                c.Smb1Only == true ? new ImpactFinding(c.Name, ImpactLevel.Breaks, "the client speaks only SMB1")
                : c.MaxDialect is long max && max < minimum ? new ImpactFinding(c.Name, ImpactLevel.Breaks, $"the client offers at most SMB {DialectName(max)}")
                : null));
        }

        return new ImpactReport([.. sections], cost, cost is null ? costUnavailable ?? "not measured" : null);
    }

    /// <summary>Against a client that requires signing (docs/reference/policy.md §5): SMB2+ servers sign unless they advertise no
    /// signing at all; guest sessions have no key and cannot sign; SMB1-only servers with signing disabled cannot.</summary>
    internal static ImpactFinding? ClientSigningImpact(ScannedServer s)
    {
        if (s.GuestOnly == true)
        {
            return new ImpactFinding(s.Label, ImpactLevel.Breaks, "offers only guest access; a guest session has no session key and cannot sign, so the client refuses it");
        }

        if (s.Smb2Enabled == true)
        {
            return string.Equals(s.Smb2Signing, "disabled", StringComparison.OrdinalIgnoreCase)
                ? new ImpactFinding(s.Label, ImpactLevel.Breaks, "advertises no SMB2 signing (SecurityMode has neither bit); a requiring client fails with STATUS_INVALID_SIGNATURE or refuses it")
                : null;
        }

        if (s.Smb1Enabled == true)
        {
            return string.Equals(s.Smb1Signing, "disabled", StringComparison.OrdinalIgnoreCase)
                ? new ImpactFinding(s.Label, ImpactLevel.Breaks, "speaks only SMB1 and has signing disabled")
                : s.Smb1Signing is null ? new ImpactFinding(s.Label, ImpactLevel.Unknown, "speaks only SMB1 and its signing state is unknown") : null;
        }

        return new ImpactFinding(s.Label, ImpactLevel.Unknown, "answered with no SMB dialect the scan could read");
    }

    internal static ImpactFinding? ServerSigningImpact(ClientPosture c)
    {
        if (c.Smb1Only == true && c.SigningDisabled == true)
        {
            bool samba = c.Os?.Contains("samba", StringComparison.OrdinalIgnoreCase) == true;
            return samba
                ? new ImpactFinding(c.Name, ImpactLevel.Breaks, "speaks only SMB1 with client signing disabled")
                : new ImpactFinding(c.Name, ImpactLevel.AtRisk, "speaks only SMB1 with both client signing values 0 (Windows 'declined' still signs when required; other clients may not)");
        }

        if (c.InsecureGuest == true)
        {
            return new ImpactFinding(c.Name, ImpactLevel.AtRisk, "allows insecure guest logons; guest sessions cannot be signed and will be refused");
        }

        return null;
    }

    private static ImpactFinding? DialectImpact(ScannedServer s, long minimum)
    {
        if (s.Smb2Enabled != true)
        {
            return s.Smb1Enabled == true
                ? new ImpactFinding(s.Label, ImpactLevel.Breaks, "speaks only SMB1")
                : new ImpactFinding(s.Label, ImpactLevel.Unknown, "no SMB2 dialect seen");
        }

        if (s.Dialect is null || !DialectInfo.TryParse(s.Dialect.Replace("SMB ", string.Empty, StringComparison.OrdinalIgnoreCase), out Dialect dialect))
        {
            return new ImpactFinding(s.Label, ImpactLevel.Unknown, "its dialect is unknown");
        }

        return (ushort)dialect < minimum
            ? new ImpactFinding(s.Label, ImpactLevel.Breaks, $"offers at most SMB {dialect.ToDisplayString()}")
            : null;
    }

    private static ImpactSection ServerSection(string change, ImmutableArray<string> settings, IReadOnlyList<ScannedServer>? servers, Func<ScannedServer, ImpactFinding?> judge)
    {
        if (servers is null)
        {
            return new ImpactSection(change, settings, 0, 0, [], "no scan given: run 'smbsign scan --format json' over your file servers and pass it with --scan");
        }

        List<ImpactFinding> findings = [];
        foreach (ScannedServer server in servers)
        {
            ImpactFinding? finding = server.Reachable
                ? judge(server)
                : new ImpactFinding(server.Label, ImpactLevel.Unknown, "unreachable during the scan" + (server.Error is null ? string.Empty : " (" + server.Error + ")"));
            if (finding is not null)
            {
                findings.Add(finding);
            }
        }

        return new ImpactSection(change, settings, servers.Count, servers.Count - findings.Count, [.. findings], servers.Count == 0 ? "the scan holds no server" : null);
    }

    private static ImpactSection ClientSection(string change, ImmutableArray<string> settings, IReadOnlyList<ClientPosture>? clients, Func<ClientPosture, ImpactFinding?> judge)
    {
        if (clients is null || clients.Count == 0)
        {
            return new ImpactSection(change, settings, 0, 0, [], "no client machines in the input: audit the clients too and fix from that audit (--from) to check them");
        }

        List<ImpactFinding> findings = [.. clients.Select(judge).OfType<ImpactFinding>()];
        return new ImpactSection(change, settings, clients.Count, clients.Count - findings.Count, [.. findings], null);
    }

    private static RemediationItem? Wants(RemediationPlan plan, string settingId, long value) =>
        plan.Find(settingId) is { Target.Kind: SettingValueKind.Number } item && item.Target.Number == value ? item : null;

    private static string DialectName(long revision) =>
        revision is >= 0 and <= ushort.MaxValue && Enum.IsDefined((Dialect)(ushort)revision) ? ((Dialect)(ushort)revision).ToDisplayString() : RemediationValues.Invariant(revision);
}
