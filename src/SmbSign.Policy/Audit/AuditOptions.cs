using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;

namespace SmbSign.Policy.Audit;

/// <summary>What the command line says for every machine; null members leave the choice to the manifest or to inference.</summary>
public sealed record AuditOptions
{
    /// <summary><c>--benchmark</c>: one pack for every machine.</summary>
    public RulePack? Benchmark { get; init; }

    /// <summary><c>--os</c>: one OS profile for every machine (the role is applied separately).</summary>
    public OsProfile? Os { get; init; }

    /// <summary><c>--role</c>: one role for every machine.</summary>
    public OsRole? Role { get; init; }

    /// <summary><c>--strict</c>: a not-configured value the benchmark wants set is a failure.</summary>
    public bool Strict { get; init; }

    /// <summary>The settings catalog (the built-in one by default).</summary>
    public SettingsCatalog? Catalog { get; init; }
}
