using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using SmbSign.Policy.Catalog;
using SmbSign.Protocol;

namespace SmbSign.Policy.Defaults;

/// <summary>
/// The built-in OS profiles (embedded <c>Defaults/os-profiles.json</c>): <c>win10</c>, <c>win11-23h2</c>,
/// <c>win11-24h2-home|pro|enterprise|education</c>, <c>server2016</c> … <c>server2025</c>, <c>samba</c>.
/// A domain controller is a server profile with <see cref="OsProfile.WithRole"/>(<see cref="OsRole.DomainController"/>).
/// </summary>
public static class OsProfiles
{
    private const string ResourceName = "SmbSign.Policy.Defaults.os-profiles.json";
    private static readonly Lazy<(ImmutableArray<OsProfile> All, FrozenDictionary<string, OsProfile> ById)> s_profiles = new(Load);

    /// <summary>Every built-in profile, in listing order.</summary>
    public static ImmutableArray<OsProfile> All => s_profiles.Value.All;

    /// <summary>
    /// The ids of <see cref="All"/>, in order. Written out rather than read from the file so that command-line help can
    /// list them without parsing the profiles at every start; loading the file checks that it has exactly these ids.
    /// </summary>
    public static ImmutableArray<string> Ids { get; } =
    [
        "win10", "win10-enterprise", "win11-23h2", "win11-23h2-enterprise", "win11-24h2-home", DefaultClientId,
        "win11-24h2-enterprise", "win11-24h2-education", "server2016", "server2019", "server2022", DefaultServerId, "samba",
    ];

    /// <summary>The id of <see cref="DefaultClient"/>: a constant, so help text can name it without loading the profiles.</summary>
    public const string DefaultClientId = "win11-24h2-pro";

    /// <summary>The id of <see cref="DefaultServer"/>.</summary>
    public const string DefaultServerId = "server2025";

    /// <summary>The client profile used when none is given: Windows 11 24H2 Pro.</summary>
    public static OsProfile DefaultClient => Get(DefaultClientId);

    /// <summary>The server profile used when none is given: Windows Server 2025.</summary>
    public static OsProfile DefaultServer => Get(DefaultServerId);

    public static bool TryGet(string id, [NotNullWhen(true)] out OsProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(id);
        return s_profiles.Value.ById.TryGetValue(id.Trim(), out profile);
    }

    /// <summary>The profile with this id; <see cref="KeyNotFoundException"/> listing the known ids otherwise.</summary>
    public static OsProfile Get(string id) => TryGet(id, out OsProfile? profile)
        ? profile
        : throw new KeyNotFoundException($"Unknown OS profile '{id}'. Known: {string.Join(", ", Ids)}.");

    private static (ImmutableArray<OsProfile>, FrozenDictionary<string, OsProfile>) Load()
    {
        using Stream stream = typeof(OsProfiles).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the build.");
        ReadOnlyMemory<byte> utf8 = CatalogJsonReader.ReadAllBytes(stream);
        OsProfilesFileDto file;
        try
        {
            file = CatalogJsonReader.ReadOsProfiles(utf8);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{ResourceName}: {e.Message}", e);
        }

        ImmutableArray<OsProfile> all = [.. file.Profiles.Select(ToProfile)];
        if (!all.Select(p => p.Id).SequenceEqual(Ids, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"{ResourceName}: the profiles ({string.Join(", ", all.Select(p => p.Id))}) are not OsProfiles.Ids ({string.Join(", ", Ids)}).");
        }

        return (all, all.ToFrozenDictionary(p => p.Id, StringComparer.OrdinalIgnoreCase));
    }

    private static OsProfile ToProfile(OsProfileDto dto) => new()
    {
        Id = dto.Id,
        DisplayName = dto.DisplayName,
        Family = dto.Family,
        Build = dto.Build,
        Version = dto.Version,
        Edition = dto.Edition,
        Role = dto.Role,
        SigningAlgorithms = [.. dto.SigningAlgorithms.Select(text => SigningAlgorithmInfo.TryParse(text, out SigningAlgorithm a)
            ? a
            : throw new InvalidDataException($"{ResourceName}: profile '{dto.Id}': unknown signing algorithm '{text}'."))],
        SigningAlgorithmsSource = dto.SigningAlgorithmsSource,
        SigningAlgorithmsConfidence = dto.SigningAlgorithmsConfidence,
        AlgorithmSelection = dto.AlgorithmSelection,
    };
}
