using System.Collections.Immutable;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Protocol;

namespace SmbSign.Policy.Outcome;

/// <summary>
/// The configured SMB settings of one side of a connection, keyed by catalog setting id, on an OS profile.
/// Settings that are not in <see cref="Settings"/> take the OS default of <see cref="Os"/> when evaluated.
/// Immutable: <c>With(id, value)</c> on <see cref="ClientPolicy"/> and <see cref="ServerPolicy"/> returns a copy.
/// </summary>
public abstract record EndpointPolicy
{
    private protected EndpointPolicy(OsProfile os)
    {
        ArgumentNullException.ThrowIfNull(os);
        Os = os;
    }

    /// <summary>The OS (family, build, edition, role) whose defaults fill unconfigured settings.</summary>
    public OsProfile Os { get; init; }

    /// <summary>Explicitly configured values by setting id (case-insensitive), e.g. <c>client.RequireSecuritySignature</c> → 1.</summary>
    public ImmutableDictionary<string, SettingValue> Settings { get; init; } = ImmutableDictionary.Create<string, SettingValue>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Samba's <c>server signing</c> / <c>client signing</c> when this side is Samba and it is set; wins over the Windows values.</summary>
    public SambaSigningMode? SambaSigning { get; init; }

    /// <summary>The 3.1.1 signing algorithms (most preferred first) when configured (Samba <c>smb3 signing algorithms</c>); null = the OS profile's list.</summary>
    public ImmutableArray<SigningAlgorithm>? SigningAlgorithms { get; init; }

    /// <summary>Which side this policy describes.</summary>
    public abstract SettingSide Side { get; }

    /// <summary>The setting ids this side accepts: its own side and <see cref="SettingSide.System"/>.</summary>
    protected bool Accepts(SettingDefinition setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return setting.Side == Side || setting.Side == SettingSide.System;
    }

    /// <summary>The configured value of <paramref name="settingId"/>, or null when it is not configured.</summary>
    public SettingValue? GetConfigured(string settingId) => Settings.TryGetValue(settingId, out SettingValue? value) ? value : null;

    private protected ImmutableDictionary<string, SettingValue> WithSetting(string settingId, SettingValue value, SettingsCatalog? catalog)
    {
        ArgumentNullException.ThrowIfNull(settingId);
        ArgumentNullException.ThrowIfNull(value);
        SettingsCatalog c = catalog ?? SettingsCatalog.Default;
        if (!c.TryGetById(settingId, out SettingDefinition? setting))
        {
            throw new ArgumentException($"Unknown setting id '{settingId}'.{c.DidYouMean(settingId)}", nameof(settingId));
        }

        if (!Accepts(setting))
        {
            throw new ArgumentException($"{setting.Id} is a {setting.Side.ToString().ToLowerInvariant()} setting; it does not belong in a {Side.ToString().ToLowerInvariant()} policy.", nameof(settingId));
        }

        if (setting.Values.Validate(value) is { } error)
        {
            throw new ArgumentException($"{setting.Id}: {error}.", nameof(value));
        }

        return Settings.SetItem(setting.Id, value);
    }
}

/// <summary>The SMB client side: LanmanWorkstation settings, Hardened UNC Paths, SMB1 driver, encryption requirement.</summary>
public sealed record ClientPolicy : EndpointPolicy
{
    public ClientPolicy(OsProfile os)
        : base(os)
    {
    }

    public override SettingSide Side => SettingSide.Client;

    /// <summary>Hardened UNC Paths entries beyond the catalog's <c>\\*\NETLOGON</c> and <c>\\*\SYSVOL</c> (e.g. <c>\\fs1\*</c>).</summary>
    public ImmutableArray<HardenedPathRule> ExtraHardenedPaths { get; init; } = [];

    /// <summary>A copy with <paramref name="settingId"/> configured; throws <see cref="ArgumentException"/> for an unknown id, a server setting or an invalid value.</summary>
    public ClientPolicy With(string settingId, SettingValue value, SettingsCatalog? catalog = null) =>
        this with { Settings = WithSetting(settingId, value, catalog) };

    /// <summary>Shortcut for a 0/1 switch.</summary>
    public ClientPolicy With(string settingId, bool value) => With(settingId, SettingValue.FromBoolean(value));
}

/// <summary>The SMB server side: LanmanServer settings, SMB1 server, encryption; a DC is a server profile with the DC role.</summary>
public sealed record ServerPolicy : EndpointPolicy
{
    public ServerPolicy(OsProfile os)
        : base(os)
    {
    }

    public override SettingSide Side => SettingSide.Server;

    /// <summary>A copy with <paramref name="settingId"/> configured; throws <see cref="ArgumentException"/> for an unknown id, a client setting or an invalid value.</summary>
    public ServerPolicy With(string settingId, SettingValue value, SettingsCatalog? catalog = null) =>
        this with { Settings = WithSetting(settingId, value, catalog) };

    /// <summary>Shortcut for a 0/1 switch.</summary>
    public ServerPolicy With(string settingId, bool value) => With(settingId, SettingValue.FromBoolean(value));
}
