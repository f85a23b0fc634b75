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

    /// <summary>The ids of <see cref="All"/>.</summary>
    public static IEnumerable<string> Ids => All.Select(p => p.Id);

    /// <summary>The client profile used when none is given: Windows 11 24H2 Pro.</summary>
    public static OsProfile DefaultClient => Get("win11-24h2-pro");

    /// <summary>The server profile used when none is given: Windows Server 2025.</summary>
    public static OsProfile DefaultServer => Get("server2025");

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
        OsProfilesFileDto file;
        try
        {
            file = JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.OsProfilesFileDto)
                ?? throw new InvalidDataException($"{ResourceName}: empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{ResourceName}: {e.Message}", e);
        }

        ImmutableArray<OsProfile> all = [.. file.Profiles.Select(ToProfile)];
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
