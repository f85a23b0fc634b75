using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;
using Spectre.Console;

namespace SmbSign.Cli.Rendering;

/// <summary>Console and JSON output of <c>smbsign evaluate</c>.</summary>
internal static class EvaluateRendering
{
    public static void Write(IAnsiConsole console, SigningOutcome outcome, OsProfile client, OsProfile server)
    {
        string verdict = outcome.Result switch
        {
            SigningResult.Signed => "[green]signed[/]",
            SigningResult.NotSigned => "[yellow]not signed[/]",
            _ => "[red]fails[/]",
        };
        Grid grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        grid.AddRow(new Markup("[bold]Outcome[/]"), new Markup(verdict + (outcome.Encrypted ? " (encrypted)" : string.Empty)));
        if (outcome.FailureReason is not null)
        {
            grid.AddRow(new Markup("[bold]Why[/]"), new Text(outcome.FailureReason));
        }

        grid.AddRow(new Markup("[bold]Dialect[/]"), new Text(outcome.Dialect.ToDisplayString()));
        grid.AddRow(new Markup("[bold]Algorithm[/]"), new Text(outcome.Algorithm?.ToDisplayString() ?? "none"));
        grid.AddRow(new Markup("[bold]Session[/]"), new Text(outcome.Session.ToDisplayString() + (outcome.Path is null ? string.Empty : " to " + outcome.Path)));
        grid.AddRow(new Markup("[bold]Client[/]"), new Text($"{client.Label} ({client.DisplayName})"));
        grid.AddRow(new Markup("[bold]Server[/]"), new Text($"{server.Label} ({server.DisplayName})"));
        string decided = outcome.DecidedBy.IsEmpty
            ? "-"
            : string.Join(", ", outcome.DecidedBy.Select(d => outcome.Input(d) is { } input ? $"{d} = {input.DisplayValue}{(input.IsDefault ? " (OS default)" : string.Empty)}" : d));
        grid.AddRow(new Markup("[bold]Decided by[/]"), new Text(decided));
        console.Write(grid);
        console.WriteLine();

        console.MarkupLine("[bold]Notes[/]");
        foreach (string note in outcome.Notes)
        {
            // The failure reason is already on the "Why" line.
            if (outcome.FailureReason is { } why && note.Equals(char.ToUpperInvariant(why[0]) + why[1..] + ".", StringComparison.Ordinal))
            {
                continue;
            }

            console.MarkupLine("  • " + Markup.Escape(note));
        }

        console.WriteLine();
        Table inputs = new Table().Border(TableBorder.Rounded).Title("Inputs").AddColumn("Setting").AddColumn("Value").AddColumn("Source");
        foreach (ResolvedSetting input in outcome.Inputs)
        {
            inputs.AddRow(Markup.Escape(input.Ref), Markup.Escape(input.DisplayValue), Markup.Escape(input.IsDefault ? ShortProvenance(input.Provenance) : "configured"));
        }

        console.Write(inputs);
    }

    public static void WriteOsList(IAnsiConsole console, IEnumerable<OsProfile> profiles)
    {
        Table table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Id").AddColumn("Name").AddColumn(new TableColumn("Build").RightAligned()).AddColumn("Role").AddColumn("3.1.1 signing algorithms");
        foreach (OsProfile p in profiles)
        {
            table.AddRow(
                Markup.Escape(p.Id),
                Markup.Escape(p.DisplayName),
                p.Build.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Camel(p.Role.ToString())),
                Markup.Escape(Algorithms(p)));
        }

        console.Write(table);
        console.MarkupLine(Markup.Escape("Add --server-role dc to a Windows Server or Samba --server-os for a domain controller."));
    }

    public static EvaluateResultJson ToJson(SigningOutcome outcome, OsProfile client, OsProfile server) => new(
        outcome.Result.ToDisplayString(),
        outcome.Signed,
        outcome.Dialect.ToDisplayString(),
        outcome.Algorithm?.ToDisplayString(),
        [.. outcome.DecidedBy],
        [.. outcome.Notes],
        outcome.Session.ToDisplayString(),
        outcome.Path,
        outcome.Encrypted,
        outcome.FailureReason,
        client.Id,
        server.Id,
        server.Role == OsRole.DomainController ? "dc" : "member",
        outcome.ClientSmb1State is { } c ? Camel(c.ToString()) : null,
        outcome.ServerSmb1State is { } s ? Camel(s.ToString()) : null,
        [.. outcome.Defaulted.Select(d => d.Ref)],
        [.. outcome.Inputs.Select(i => new EvaluateInputJson(i.Ref, i.Value?.ToString(), i.IsDefault ? "default" : "configured", i.Provenance))]);

    public static EvaluateOsListJson ToJson(IEnumerable<OsProfile> profiles) => new([.. profiles.Select(p => new EvaluateOsJson(
        p.Id,
        p.DisplayName,
        Camel(p.Family.ToString()),
        p.Build,
        p.Version,
        Camel(p.Edition.ToString()),
        Camel(p.Role.ToString()),
        [.. p.SigningAlgorithms.Select(a => a.ToDisplayString())],
        Camel(p.AlgorithmSelection.ToString()),
        p.CanBeDomainController))]);

    /// <summary>"default for win11-24h2-pro [doc]": the full source is in the notes and the JSON.</summary>
    private static string ShortProvenance(string provenance)
    {
        int colon = provenance.IndexOf(": ", StringComparison.Ordinal);
        int bracket = provenance.LastIndexOf(" [", StringComparison.Ordinal);
        string head = colon < 0 ? provenance : provenance[..colon];
        return bracket > colon && colon >= 0 ? head + provenance[bracket..] : head;
    }

    private static string Algorithms(OsProfile p) =>
        p.SigningAlgorithms.IsEmpty ? "none (AES-CMAC)" : string.Join(", ", p.SigningAlgorithms.Select(a => a.ToDisplayString()));

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

internal sealed record EvaluateResultJson(
    string Outcome,
    bool Signed,
    string Dialect,
    string? Algorithm,
    IReadOnlyList<string> DecidedBy,
    IReadOnlyList<string> Notes,
    string Session,
    string? Path,
    bool Encrypted,
    string? FailureReason,
    string ClientOs,
    string ServerOs,
    string ServerRole,
    string? ClientSmb1State,
    string? ServerSmb1State,
    IReadOnlyList<string> Defaults,
    IReadOnlyList<EvaluateInputJson> Inputs);

internal sealed record EvaluateInputJson(string Setting, string? Value, string Origin, string Provenance);

internal sealed record EvaluateOsListJson(IReadOnlyList<EvaluateOsJson> Profiles);

internal sealed record EvaluateOsJson(
    string Id,
    string DisplayName,
    string Family,
    int Build,
    string Version,
    string Edition,
    string Role,
    IReadOnlyList<string> SigningAlgorithms,
    string AlgorithmSelection,
    bool CanBeDomainController);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EvaluateResultJson))]
[JsonSerializable(typeof(EvaluateOsListJson))]
internal sealed partial class EvaluateJsonContext : JsonSerializerContext
{
    /// <summary>Like <see cref="Default"/> but leaves quotes, '§' and other non-ASCII text unescaped (stdout is UTF-8 JSON, never HTML).</summary>
    public static EvaluateJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
