using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using System.Text.Json;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Sources;
using Spectre.Console;

namespace SmbSign.Cli.Rendering;

/// <summary>Console and JSON output of <c>smbsign explain</c>.</summary>
internal static class ExplainRendering
{
    public static void WriteIndex(IAnsiConsole console, SettingsCatalog catalog)
    {
        Table table = new Table().Border(TableBorder.Rounded).AddColumn("Setting").AddColumn("Side").AddColumn("What").AddColumn("Registry value");
        foreach (SettingDefinition s in catalog.Settings)
        {
            table.AddRow(Markup.Escape(s.Id), Markup.Escape(Side(s.Side)), Markup.Escape(s.Title), Markup.Escape(s.ValueName));
        }

        console.Write(table);
        console.MarkupLine(Markup.Escape($"{catalog.Settings.Length} settings. 'smbsign explain SETTING' explains one; 'smbsign explain --all' explains all."));
    }

    public static void WriteSetting(IAnsiConsole console, SettingDefinition s)
    {
        console.Write(new Rule("[bold]" + Markup.Escape(s.Id) + "[/]").LeftJustified());
        console.MarkupLine("[bold]" + Markup.Escape(s.Title) + "[/]");
        console.WriteLine(s.Summary);
        console.WriteLine();

        Grid grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        void Row(string label, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                grid.AddRow(new Text(label, new Style(decoration: Decoration.Bold)), new Text(value));
            }
        }

        Row("Side", Side(s.Side));
        Row("Dialects", Dialects(s.Dialects));
        if (s.Gpo is { } gpo)
        {
            Row("GPO", $"{gpo.Path} › {gpo.DisplayName}");
            Row(string.Empty, (gpo.Kind == GpoKind.SecurityOption ? "Security Option (GptTmpl.inf [Registry Values])" : "Administrative Template (Registry.pol)") + (gpo.Note is null ? string.Empty : "; " + gpo.Note));
        }

        Row("Registry", $"{s.Registry.FullPath} ({s.ValueType.ToRegName()}, {KindText(s.Registry.Kind)})" + (s.Registry.Note is null ? string.Empty : "; " + s.Registry.Note));
        foreach (RegistryLocation alt in s.AlternateRegistry)
        {
            Row("  also", $"{alt.FullPath} ({KindText(alt.Kind)})" + (alt.Note is null ? string.Empty : "; " + alt.Note));
        }

        Row("Values", ValuesText(s.Values));
        if (s.Csp is { } csp)
        {
            Row("Intune CSP", $"{csp.OmaUri} ({csp.DataType}{(csp.Since is null ? string.Empty : ", since " + csp.Since)}) [{Confidence(csp.Confidence)}]" + (csp.Note is null ? string.Empty : "; " + csp.Note));
            Row("  recorded at", csp.PolicyManagerLocation.FullPath);
        }

        if (s.SettingsCatalog is { } sc)
        {
            Row("Settings Catalog", $"{sc.DefinitionId} ({sc.Kind.ToString().ToLowerInvariant()}) [{Confidence(sc.Confidence)}]");
            if (sc.EnabledOptionId is not null)
            {
                Row("  enable with", sc.EnabledOptionId);
            }

            foreach (SettingsCatalogOption option in sc.Options)
            {
                Row("  value " + option.Value, option.OptionId);
            }

            Row("  note", sc.Note);
        }

        if (s.PowerShell is { } ps)
        {
            Row("PowerShell", $"{ps.Cmdlet} -{ps.Property} ({ps.Type})" + (ps.Note is null ? string.Empty : "; " + ps.Note));
        }

        if (s.Samba is { } samba)
        {
            Row("Samba", ConfText(samba));
        }

        if (s.MacOs is { } mac)
        {
            Row("macOS", ConfText(mac));
        }

        foreach (BaselineReference baseline in s.Baselines)
        {
            Row("Baseline", $"{baseline.Name}: {baseline.Recommended}" + (baseline.Note is null ? string.Empty : " (" + baseline.Note + ")"));
        }

        console.Write(grid);
        console.WriteLine();

        Table defaults = new Table().Border(TableBorder.Rounded).Title("Defaults when not configured").AddColumn("OS profile").AddColumn("Value").AddColumn("Source");
        // Profiles that share a value and a rule are one row.
        foreach (var group in DefaultRows(s).GroupBy(r => (r.Value.Value?.ToString(), r.Value.Rule)))
        {
            DefaultValue value = group.First().Value;
            string valueText = value.Value is null ? "(not available)" : value.Value.ToString();
            string source = value.Rule is null ? "no default known" : $"{value.Rule.Source} [{Confidence(value.Rule.Confidence)}]" + (value.Rule.Note is null ? string.Empty : " " + value.Rule.Note);
            defaults.AddRow(Markup.Escape(string.Join(", ", group.Select(r => r.Os.Label))), Markup.Escape(valueText), Markup.Escape(source));
        }

        console.Write(defaults);

        if (!s.Cis.IsEmpty)
        {
            Table cis = new Table().Border(TableBorder.Rounded).Title("CIS items").AddColumn("Item").AddColumn("Generation").AddColumn("Benchmarks").AddColumn("Level").AddColumn("Recommended");
            foreach (CisReference c in s.Cis)
            {
                string recommended = $"{c.Operator} {c.Recommended}".Trim() + (c.Confidence is SmbSign.Policy.Catalog.Confidence.List ? string.Empty : $" [{Confidence(c.Confidence)}]") + (c.Note is null ? string.Empty : " (" + c.Note + ")");
                cis.AddRow(Markup.Escape(c.Item), Markup.Escape(c.Generation), Markup.Escape(string.Join("; ", c.Benchmarks)), Markup.Escape(c.Level ?? string.Empty), Markup.Escape(recommended));
            }

            console.Write(cis);
        }

        if (!s.Notes.IsEmpty)
        {
            console.MarkupLine("[bold]Notes[/]");
            foreach (string note in s.Notes)
            {
                console.MarkupLine("  • " + Markup.Escape(note));
            }
        }

        console.WriteLine();
    }

    public static ExplainIndexJson ToIndex(SettingsCatalog catalog) =>
        new([.. catalog.Settings.Select(s => new ExplainIndexEntryJson(s.Id, Side(s.Side), s.Title, s.Registry.Key, s.ValueName))]);

    public static ExplainReportJson ToJson(IEnumerable<SettingDefinition> settings) => new([.. settings.Select(ToJson)]);

    private static ExplainSettingJson ToJson(SettingDefinition s) => new(
        s.Id,
        Side(s.Side),
        s.Title,
        s.Summary,
        [.. s.Aliases],
        Dialects(s.Dialects),
        s.Gpo is null ? null : new ExplainGpoJson(s.Gpo.Path, s.Gpo.DisplayName, s.Gpo.Kind == GpoKind.SecurityOption ? "securityOption" : "administrativeTemplate", s.Gpo.Note),
        new ExplainRegistryJson(s.Registry.Key, s.Registry.ValueName, s.ValueType.ToRegName(), Camel(s.Registry.Kind.ToString()), s.Registry.Note),
        [.. s.AlternateRegistry.Select(a => new ExplainRegistryJson(a.Key, a.ValueName, s.ValueType.ToRegName(), Camel(a.Kind.ToString()), a.Note))],
        new ExplainValuesJson(Camel(s.Values.Kind.ToString()), s.Values.Minimum, s.Values.Maximum, s.Values.Unit, [.. s.Values.Options.Select(o => new ExplainOptionJson(o.Value, o.Meaning))]),
        s.Csp is null ? null : new ExplainCspJson(s.Csp.OmaUri, s.Csp.DataType, s.Csp.Since, Confidence(s.Csp.Confidence), s.Csp.PolicyManagerLocation.FullPath, s.Csp.Note),
        s.SettingsCatalog is null ? null : new ExplainSettingsCatalogJson(
            s.SettingsCatalog.DefinitionId,
            Camel(s.SettingsCatalog.Kind.ToString()),
            [.. s.SettingsCatalog.Options.Select(o => new ExplainSettingsCatalogOptionJson(o.Value, o.OptionId))],
            s.SettingsCatalog.EnabledOptionId,
            s.SettingsCatalog.ChildDefinitionId,
            s.SettingsCatalog.Note),
        s.PowerShell is null ? null : new ExplainPowerShellJson(s.PowerShell.Cmdlet, s.PowerShell.Property, s.PowerShell.Type, s.PowerShell.Note),
        s.Samba is null ? null : ToJson(s.Samba),
        s.MacOs is null ? null : ToJson(s.MacOs),
        [.. DefaultRows(s).Select(r => new ExplainDefaultJson(
            r.Os.Id,
            r.Os.Role == OsRole.DomainController ? "domainController" : Camel(r.Os.Role.ToString()),
            r.Value.Value?.ToString(),
            r.Value.Rule?.Source,
            r.Value.Rule is null ? null : Confidence(r.Value.Rule.Confidence),
            r.Value.Rule?.Note))],
        [.. s.Cis.Select(c => new ExplainCisJson(c.Item, c.Generation, [.. c.Benchmarks], c.Level, c.Recommended, c.Operator, Confidence(c.Confidence), c.Note))],
        [.. s.Baselines.Select(b => new ExplainBaselineJson(b.Name, b.Recommended, b.Note))],
        [.. s.Notes]);

    private static ExplainConfJson ToJson(ConfMapping conf) =>
        new(conf.File, conf.Parameter, conf.DefaultText, Confidence(conf.Confidence), [.. conf.Values.Select(v => new ExplainConfValueJson(v.Text, v.Value, [.. v.Aliases], v.Note))], conf.Note);

    /// <summary>Every built-in profile, plus the domain-controller variant of server profiles where the default differs.</summary>
    private static IEnumerable<(OsProfile Os, DefaultValue Value)> DefaultRows(SettingDefinition s)
    {
        foreach (OsProfile os in OsProfiles.All)
        {
            DefaultValue value = OsDefaults.Resolve(s, os);
            yield return (os, value);
            if (os.CanBeDomainController && s.Side != SettingSide.Client)
            {
                OsProfile dc = os.WithRole(OsRole.DomainController);
                DefaultValue dcValue = OsDefaults.Resolve(s, dc);
                if (!Equals(dcValue.Value, value.Value))
                {
                    yield return (dc, dcValue);
                }
            }
        }
    }

    private static string ValuesText(ValueSpec spec) => spec.Kind switch
    {
        ValueKind.Integer => $"a number {spec.Minimum?.ToString(CultureInfo.InvariantCulture) ?? "-"}..{spec.Maximum?.ToString(CultureInfo.InvariantCulture) ?? "-"}" + (spec.Unit is null ? string.Empty : " " + spec.Unit),
        ValueKind.HardenedPath => "flags RequireMutualAuthentication=0|1, RequireIntegrity=0|1, RequirePrivacy=0|1 (comma separated)",
        ValueKind.StringList => "a list of names (REG_MULTI_SZ)",
        ValueKind.Text => "text",
        _ => string.Join("; ", spec.Options.Select(o => $"{o.Value.ToString(CultureInfo.InvariantCulture)} = {o.Meaning}")),
    };

    private static string ConfText(ConfMapping conf)
    {
        string values = string.Join(", ", conf.Values.Select(v => v.Value is null ? v.Text : $"{v.Text} ≈ {v.Value.Value.ToString(CultureInfo.InvariantCulture)}"));
        return $"{conf.File}: {conf.Parameter}" + (values.Length == 0 ? string.Empty : $" ({values})")
            + (conf.DefaultText is null ? string.Empty : $"; default {conf.DefaultText}")
            + $" [{Confidence(conf.Confidence)}]"
            + (conf.Note is null ? string.Empty : "; " + conf.Note);
    }

    private static string KindText(RegistryLocationKind kind) => kind switch
    {
        RegistryLocationKind.Service => "service key",
        RegistryLocationKind.Policy => "policy key",
        RegistryLocationKind.PolicyManager => "Intune PolicyManager record",
        _ => "known misplacement: Windows does not read it",
    };

    internal static string Side(SettingSide side) => side.ToString().ToLowerInvariant();

    private static string Dialects(DialectScope scope) => scope switch
    {
        DialectScope.All => "SMB1 and SMB 2/3",
        DialectScope.Smb1Only => "SMB1 only",
        DialectScope.Smb2Plus => "SMB 2/3 only",
        DialectScope.Smb3Only => "SMB 3.x only",
        _ => "not dialect-specific",
    };

    private static string Confidence(Confidence confidence) => confidence.ToString().ToLowerInvariant();

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

internal sealed record ExplainIndexJson(IReadOnlyList<ExplainIndexEntryJson> Settings);

internal sealed record ExplainIndexEntryJson(string Id, string Side, string Title, string RegistryKey, string ValueName);

internal sealed record ExplainReportJson(IReadOnlyList<ExplainSettingJson> Settings);

internal sealed record ExplainSettingJson(
    string Id,
    string Side,
    string Title,
    string Summary,
    IReadOnlyList<string> Aliases,
    string Dialects,
    ExplainGpoJson? Gpo,
    ExplainRegistryJson Registry,
    IReadOnlyList<ExplainRegistryJson> AlternateRegistry,
    ExplainValuesJson Values,
    ExplainCspJson? Csp,
    ExplainSettingsCatalogJson? SettingsCatalog,
    ExplainPowerShellJson? PowerShell,
    ExplainConfJson? Samba,
    ExplainConfJson? MacOs,
    IReadOnlyList<ExplainDefaultJson> Defaults,
    IReadOnlyList<ExplainCisJson> Cis,
    IReadOnlyList<ExplainBaselineJson> Baselines,
    IReadOnlyList<string> Notes);

internal sealed record ExplainGpoJson(string Path, string DisplayName, string Kind, string? Note);

internal sealed record ExplainRegistryJson(string Key, string ValueName, string Type, string Kind, string? Note);

internal sealed record ExplainValuesJson(string Kind, long? Minimum, long? Maximum, string? Unit, IReadOnlyList<ExplainOptionJson> Options);

internal sealed record ExplainOptionJson(long Value, string Meaning);

internal sealed record ExplainCspJson(string OmaUri, string DataType, string? Since, string Confidence, string PolicyManagerPath, string? Note);

internal sealed record ExplainSettingsCatalogJson(string DefinitionId, string Kind, IReadOnlyList<ExplainSettingsCatalogOptionJson> Options, string? EnabledOptionId, string? ChildDefinitionId, string? Note);

internal sealed record ExplainSettingsCatalogOptionJson(string Value, string OptionId);

internal sealed record ExplainPowerShellJson(string Cmdlet, string Property, string Type, string? Note);

internal sealed record ExplainConfJson(string File, string Parameter, string? Default, string Confidence, IReadOnlyList<ExplainConfValueJson> Values, string? Note);

internal sealed record ExplainConfValueJson(string Text, long? Value, IReadOnlyList<string> Aliases, string? Note);

internal sealed record ExplainDefaultJson(string Os, string Role, string? Value, string? Source, string? Confidence, string? Note);

internal sealed record ExplainCisJson(string Item, string Generation, IReadOnlyList<string> Benchmarks, string? Level, string? Recommended, string? Operator, string Confidence, string? Note);

internal sealed record ExplainBaselineJson(string Name, string Recommended, string? Note);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ExplainIndexJson))]
[JsonSerializable(typeof(ExplainReportJson))]
internal sealed partial class ExplainJsonContext : JsonSerializerContext
{
    /// <summary>Like <see cref="Default"/> but leaves quotes, '§' and other non-ASCII text unescaped (stdout is UTF-8 JSON, never HTML).</summary>
    public static ExplainJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
