using System.Collections.Immutable;
using SmbSign.Policy.Defaults;

namespace SmbSign.Policy.Rules;

/// <summary>When a rule applies to a machine. A rule that does not apply is reported <c>not-applicable</c>, never <c>fail</c>.</summary>
public sealed record RuleApplicability
{
    /// <summary>Every role.</summary>
    public static RuleApplicability Always { get; } = new();

    /// <summary>The roles the rule applies to; empty means every role (CIS server benchmarks mark items "MS only" or "DC only").</summary>
    public ImmutableArray<OsRole> Roles { get; init; } = [];

    /// <summary>
    /// A server-side item: moot when the Server service is disabled (<c>LanmanServer\Start</c> = 4, CIS Level 2 item
    /// 5.26.1 / 5.23.1 on workstations), because nothing is served.
    /// </summary>
    public bool RequiresServerService { get; init; }

    /// <summary>
    /// An SMB1-only setting (the two "if client/server agrees" signing settings): moot on a machine whose sources show SMB1
    /// removed on that side (client: <c>mrxsmb10\Start</c> = 4; server: <c>LanmanServer\Parameters\SMB1</c> = 0).
    /// </summary>
    public bool Smb1Only { get; init; }

    /// <summary>True when <paramref name="role"/> is one of <see cref="Roles"/> (or the list is empty).</summary>
    public bool AppliesToRole(OsRole role) => Roles.IsEmpty || Roles.Contains(role);
}
