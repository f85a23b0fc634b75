using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Sources;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Rules;

/// <summary>
/// Loads rule packs from JSON (<c>rules/*.json</c>, embedded in this assembly and shipped as files). Never throws for bad
/// content: every problem (unknown setting, unknown operator, a type that is not explicit, an expected value of the
/// wrong kind) is returned with the file and the rule. Semantic checks against the catalog run in
/// <see cref="RulePackValidator"/>, which <see cref="Load"/> calls.
/// </summary>
public static class RulePackLoader
{
    /// <summary>Largest rule file accepted (real packs are a few kilobytes).</summary>
    public const int MaxFileSize = 4 * 1024 * 1024;

    /// <summary>Loads and validates a pack from a JSON stream named <paramref name="origin"/> in messages.</summary>
    public static RulePackLoadResult Load(Stream json, string origin, SettingsCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(origin);
        catalog ??= SettingsCatalog.Default;
        RulePackFileDto? file;
        try
        {
            using MemoryStream buffer = new();
            byte[] chunk = new byte[81920];
            int read;
            while ((read = json.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffer.Length + read > MaxFileSize)
                {
                    return Failed(origin, $"the file is larger than {MaxFileSize / (1024 * 1024)} MiB; a rule pack is a few kilobytes");
                }

                buffer.Write(chunk, 0, read);
            }

            file = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), RulePackJsonContext.Default.RulePackFileDto);
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}") : string.Empty;
            return Failed(origin, $"invalid rule pack JSON{where}: expected the rule pack schema (schemaVersion 1); {FirstSentence(e.Message)}");
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            return Failed(origin, $"cannot read the rule pack: {e.Message}");
        }

        if (file is null)
        {
            return Failed(origin, "empty rule pack; expected an object with schemaVersion, id, title and rules");
        }

        return Build(file, origin, catalog);
    }

    /// <summary>Loads and validates a pack file.</summary>
    public static RulePackLoadResult LoadFile(string path, SettingsCatalog? catalog = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using FileStream stream = File.OpenRead(path);
            return Load(stream, path, catalog);
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            return Failed(path, "cannot read the rule pack file: " + e.Message);
        }
    }

    private static RulePackLoadResult Failed(string origin, string message) => new(null, [new RulePackProblem(origin, null, message)]);

    private static string FirstSentence(string message)
    {
        int path = message.IndexOf(" Path:", StringComparison.Ordinal);
        return path > 0 ? message[..path] : message;
    }

    private static RulePackLoadResult Build(RulePackFileDto file, string origin, SettingsCatalog catalog)
    {
        List<RulePackProblem> problems = [];
        void Problem(string? rule, string message) => problems.Add(new RulePackProblem(origin, rule, message));

        if (file.SchemaVersion != 1)
        {
            Problem(null, string.Create(CultureInfo.InvariantCulture, $"schemaVersion {file.SchemaVersion} is not supported; expected 1"));
        }

        foreach ((string? value, string name) in new[] { (file.Id, "id"), (file.Title, "title"), (file.Publisher, "publisher"), (file.Version, "version"), (file.Generation, "generation") })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Problem(null, $"'{name}' is missing");
            }
        }

        List<PackDefaultCondition> defaultFor = [];
        foreach (PackDefaultDto d in file.DefaultFor ?? [])
        {
            List<OsFamily> families = [];
            foreach (string family in d.Families ?? [])
            {
                if (Enum.TryParse(family, ignoreCase: true, out OsFamily f))
                {
                    families.Add(f);
                }
                else
                {
                    Problem(null, $"defaultFor: unknown OS family '{family}'; expected windowsClient, windowsServer or samba");
                }
            }

            if (families.Count == 0)
            {
                Problem(null, "defaultFor: each condition needs at least one OS family");
            }

            defaultFor.Add(new PackDefaultCondition { Families = [.. families], MinBuild = d.MinBuild, MaxBuild = d.MaxBuild });
        }

        List<AuditRule> rules = [];
        int index = 0;
        foreach (RuleDto dto in file.Rules ?? [])
        {
            index++;
            AuditRule? rule = BuildRule(dto, index, catalog, Problem);
            if (rule is not null)
            {
                rules.Add(rule);
            }
        }

        if (rules.Count == 0)
        {
            Problem(null, "the pack has no usable rule");
        }

        RulePack pack = new()
        {
            Id = file.Id ?? string.Empty,
            Title = file.Title ?? string.Empty,
            Publisher = file.Publisher ?? string.Empty,
            Version = file.Version ?? string.Empty,
            Generation = file.Generation ?? string.Empty,
            NotConfiguredIsFailure = file.NotConfiguredIsFailure ?? true,
            DefaultFor = [.. defaultFor],
            Sources = [.. file.Sources ?? []],
            Rules = [.. rules],
            Origin = origin,
        };
        problems.AddRange(RulePackValidator.Validate(pack, catalog));
        return new RulePackLoadResult(pack, problems);
    }

    private static AuditRule? BuildRule(RuleDto dto, int index, SettingsCatalog catalog, Action<string?, string> problem)
    {
        string ruleId = string.IsNullOrWhiteSpace(dto.Id) ? string.Create(CultureInfo.InvariantCulture, $"#{index}") : dto.Id.Trim();
        bool ok = true;
        void Fail(string message)
        {
            problem(ruleId, message);
            ok = false;
        }

        if (string.IsNullOrWhiteSpace(dto.Id))
        {
            Fail("'id' is missing");
        }

        if (string.IsNullOrWhiteSpace(dto.Title))
        {
            Fail("'title' is missing");
        }

        BenchmarkLevel level = BenchmarkLevel.None;
        if (dto.Level is not null && !Enum.TryParse(dto.Level, ignoreCase: true, out level))
        {
            Fail($"unknown level '{dto.Level}'; expected L1 or L2 (or omit it)");
        }

        SettingDefinition? setting = null;
        if (string.IsNullOrWhiteSpace(dto.Setting))
        {
            Fail("'setting' (a catalog setting id such as client.RequireSecuritySignature) is missing");
        }
        else if (!catalog.TryGetById(dto.Setting, out setting))
        {
            Fail($"setting '{dto.Setting}' is not in the settings catalog");
        }

        RuleRegistryValue? registry = null;
        if (dto.Registry is not { Key: { Length: > 0 } key, Value: { } valueName })
        {
            Fail("'registry' needs 'key', 'value' and 'type'");
        }
        else if (!RegistryValueTypeInfo.TryParse(dto.Registry.Type, out RegistryValueType type) || string.IsNullOrWhiteSpace(dto.Registry.Type))
        {
            Fail($"registry type '{dto.Registry.Type}' is not explicit or not known; expected REG_DWORD, REG_SZ or REG_MULTI_SZ");
        }
        else
        {
            registry = new RuleRegistryValue(key, valueName, type);
        }

        RuleOperator op = RuleOperator.EqualTo;
        if (!RuleOperatorInfo.TryParse(dto.Operator, out op))
        {
            Fail($"unknown operator '{dto.Operator}'; expected equals, at-least, at-most, one-of, not-equals or hardened-unc-flags");
        }

        ImmutableArray<SettingValue> expected = [];
        if (registry is not null && ok)
        {
            expected = ReadExpected(dto.Expected, registry.Type, op, out string? error);
            if (error is not null)
            {
                Fail(error);
            }
        }

        List<OsRole> roles = [];
        foreach (string role in dto.AppliesTo?.Roles ?? [])
        {
            if (TryParseRole(role, out OsRole r))
            {
                roles.Add(r);
            }
            else
            {
                Fail($"unknown role '{role}'; expected workstation, member or dc");
            }
        }

        Confidence confidence = Confidence.List;
        if (dto.Confidence is not null && !Enum.TryParse(dto.Confidence, ignoreCase: true, out confidence))
        {
            Fail($"unknown confidence '{dto.Confidence}'; expected doc, list, impl, inferred or unconfirmed");
        }

        if (!ok || setting is null || registry is null || expected.IsDefaultOrEmpty)
        {
            return null;
        }

        return new AuditRule
        {
            Id = ruleId,
            Item = string.IsNullOrWhiteSpace(dto.Item) ? null : dto.Item.Trim(),
            Title = dto.Title!.Trim(),
            Level = level,
            Setting = setting,
            Registry = registry,
            Operator = op,
            Expected = expected,
            AppliesTo = new RuleApplicability
            {
                Roles = [.. roles],
                RequiresServerService = dto.AppliesTo?.RequiresServerService ?? false,
                Smb1Only = dto.AppliesTo?.Smb1Only ?? false,
            },
            Note = dto.Note,
            Confidence = confidence,
        };
    }

    /// <summary>Parses a role token: <c>workstation</c>, <c>member</c> (member or standalone server), <c>dc</c>.</summary>
    public static bool TryParseRole(string? text, out OsRole role)
    {
        OsRole? parsed = text?.Trim().ToLowerInvariant() switch
        {
            "workstation" or "client" => OsRole.Workstation,
            "member" or "memberserver" or "member-server" or "server" or "ms" => OsRole.MemberServer,
            "dc" or "domaincontroller" or "domain-controller" => OsRole.DomainController,
            _ => null,
        };
        role = parsed ?? default;
        return parsed is not null;
    }

    /// <summary>The token for a role: workstation, member, dc.</summary>
    public static string RoleToken(OsRole role) => role switch
    {
        OsRole.Workstation => "workstation",
        OsRole.MemberServer => "member",
        OsRole.DomainController => "dc",
        _ => role.ToString(),
    };

    private static ImmutableArray<SettingValue> ReadExpected(JsonElement element, RegistryValueType type, RuleOperator op, out string? error)
    {
        error = null;
        if (element.ValueKind == JsonValueKind.Undefined || element.ValueKind == JsonValueKind.Null)
        {
            error = "'expected' is missing";
            return [];
        }

        if (op == RuleOperator.OneOf)
        {
            if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() == 0)
            {
                error = "one-of needs 'expected' as a non-empty array of allowed values";
                return [];
            }

            List<SettingValue> values = [];
            foreach (JsonElement item in element.EnumerateArray())
            {
                SettingValue? v = ReadSingle(item, type, out error);
                if (v is null)
                {
                    return [];
                }

                values.Add(v);
            }

            return [.. values];
        }

        SettingValue? single = ReadSingle(element, type, out error);
        return single is null ? [] : [single];
    }

    private static SettingValue? ReadSingle(JsonElement element, RegistryValueType type, out string? error)
    {
        error = null;
        switch (type)
        {
            case RegistryValueType.DWord or RegistryValueType.QWord:
                if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long n) && n >= 0)
                {
                    return SettingValue.FromNumber(n);
                }

                error = $"expected value {element.GetRawText()} does not fit {type.ToRegName()}; expected a non-negative JSON number";
                return null;
            case RegistryValueType.String or RegistryValueType.ExpandString:
                if (element.ValueKind == JsonValueKind.String)
                {
                    return SettingValue.FromText(element.GetString()!);
                }

                error = $"expected value {element.GetRawText()} does not fit {type.ToRegName()}; expected a JSON string";
                return null;
            case RegistryValueType.MultiString:
                if (element.ValueKind == JsonValueKind.Array && element.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                {
                    return SettingValue.FromList(element.EnumerateArray().Select(e => e.GetString()!));
                }

                error = $"expected value {element.GetRawText()} does not fit REG_MULTI_SZ; expected a JSON array of strings";
                return null;
            default:
                error = $"registry type {type.ToRegName()} is not supported by rules; expected REG_DWORD, REG_SZ or REG_MULTI_SZ";
                return null;
        }
    }
}
