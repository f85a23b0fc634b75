using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Policy.Rules;

namespace SmbSign.Policy.Remediation;

/// <summary>One setting of a baseline: the catalog setting id, the value to write (as text, parsed with the setting's
/// value spec) and the rule or benchmark item that asks for it. <paramref name="Level2"/>: a CIS Level 2 item, written
/// only with <c>--level 2</c>.</summary>
public sealed record BaselineSetting(string Setting, string Value, string? Rule, bool Level2 = false);

/// <summary>A named set of settings that <c>smbsign fix --baseline ID</c> writes in full.</summary>
/// <param name="Excluded">Rules of the source that the baseline does not write, and why (Level 2, "not equal" rules).</param>
public sealed record Baseline(string Id, string Title, ImmutableArray<BaselineSetting> Settings, ImmutableArray<SkippedSetting> Excluded = default)
{
    /// <summary>The baseline of an audit rule pack: every rule's remediation value (its first expected value, the
    /// bound for at-least/at-most), except "not equal" rules (they name no value to write). Level 2 rules (they disable
    /// features, e.g. the Server service) are marked <see cref="BaselineSetting.Level2"/>: written only with --level 2.</summary>
    public static Baseline FromRulePack(RulePack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        List<BaselineSetting> settings = [];
        List<SkippedSetting> excluded = [];
        foreach (AuditRule rule in pack.Rules)
        {
            if (rule.Operator == RuleOperator.NotEqualTo)
            {
                excluded.Add(new SkippedSetting(rule.Setting.Id, rule.Id, "the rule only names a value to avoid"));
            }
            else
            {
                settings.Add(new BaselineSetting(rule.Setting.Id, rule.Target.ToString(), rule.Id, rule.Level == BenchmarkLevel.L2));
            }
        }

        return new Baseline(pack.Id, pack.DisplayName, [.. settings], [.. excluded]);
    }
}

/// <summary>The built-in baselines: the audit rule packs (<c>rules/*.json</c>, one per benchmark) plus the extra ones in the
/// embedded <c>Remediation/baselines.json</c> (the four signing settings); data, not code.</summary>
public sealed class BaselineCatalog
{
    private const string ResourceName = "SmbSign.Policy.Remediation.baselines.json";
    private static readonly Lazy<BaselineCatalog> s_default = new(() =>
    {
        using Stream stream = typeof(BaselineCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the build.");
        BaselineCatalog extra = Load(stream, ResourceName);
        return new BaselineCatalog([.. extra.Baselines, .. RulePacks.BuiltIn.Select(Baseline.FromRulePack)]);
    });

    private BaselineCatalog(ImmutableArray<Baseline> baselines)
    {
        Baselines = baselines;
    }

    /// <summary>The built-in baselines.</summary>
    public static BaselineCatalog Default => s_default.Value;

    /// <summary>Every baseline in file order.</summary>
    public ImmutableArray<Baseline> Baselines { get; }

    /// <summary>Loads baselines from JSON in the embedded format; throws <see cref="InvalidDataException"/> naming <paramref name="sourceName"/>.</summary>
    public static BaselineCatalog Load(Stream json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        BaselineFileDto file;
        try
        {
            file = JsonSerializer.Deserialize(json, BaselineJsonContext.Default.BaselineFileDto)
                ?? throw new InvalidDataException($"{sourceName}: empty baseline file.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: {e.Message}", e);
        }

        if (file.SchemaVersion != 1)
        {
            throw new InvalidDataException($"{sourceName}: schemaVersion {file.SchemaVersion} is not supported (expected 1).");
        }

        return new BaselineCatalog([.. file.Baselines.Select(b => new Baseline(
            b.Id,
            b.Title,
            [.. b.Settings.Select(s => new BaselineSetting(s.Setting, s.Value, s.Rule))],
            []))]);
    }

    /// <summary>The baseline with this id (case-insensitive), or null.</summary>
    public Baseline? Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Baselines.FirstOrDefault(b => string.Equals(b.Id, id.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The baseline with this id; throws <see cref="RemediationInputException"/> listing the known ids.</summary>
    public Baseline Get(string id) => Find(id)
        ?? throw new RemediationInputException($"unknown baseline '{id}'; known baselines: {string.Join(", ", Baselines.Select(b => b.Id))}");
}

internal sealed class BaselineFileDto
{
    public int SchemaVersion { get; set; }

    public List<BaselineDto> Baselines { get; set; } = [];
}

internal sealed class BaselineDto
{
    public string Id { get; set; } = string.Empty;

    public string Title { get; set; } = string.Empty;

    public List<BaselineSettingDto> Settings { get; set; } = [];
}

internal sealed class BaselineSettingDto
{
    public string Setting { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;

    public string? Rule { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(BaselineFileDto))]
internal sealed partial class BaselineJsonContext : JsonSerializerContext;
