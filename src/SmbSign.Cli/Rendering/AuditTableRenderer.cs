using System.Globalization;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Rules;
using Spectre.Console;

namespace SmbSign.Cli.Rendering;

/// <summary>
/// <c>smbsign audit</c> (table): one row per machine per rule, coloured by status, then the fleet summary (counts per rule)
/// and the totals. Every string from a file goes through <see cref="Markup.Escape"/>.
/// </summary>
internal static class AuditTableRenderer
{
    /// <summary>
    /// Machines per drawn table. Spectre keeps every cell of a table until it is drawn (about 270 KB per machine), so a
    /// large fleet is drawn as consecutive tables of this many machines instead of one table held whole.
    /// </summary>
    internal const int MachinesPerTable = 25;

    public static void Render(IAnsiConsole console, AuditReport report)
    {
        for (int first = 0; first < Math.Max(report.Machines.Count, 1); first += MachinesPerTable)
        {
            Table table = NewTable(report.Strict, titled: first == 0);
            for (int i = first; i < Math.Min(first + MachinesPerTable, report.Machines.Count); i++)
            {
                AddMachine(table, report.Machines[i]);
            }

            console.Write(table);
        }

        console.WriteLine();
        RenderSummary(console, report);
    }

    private static Table NewTable(bool strict, bool titled)
    {
        Table table = new Table()
            .Border(TableBorder.Rounded)
            .AddColumn("Machine")
            .AddColumn("Rule")
            .AddColumn("Setting")
            .AddColumn("Status")
            .AddColumn("Expected")
            .AddColumn("Effective")
            .AddColumn("Source")
            .AddColumn("Why");
        return titled ? table.Title("SMB signing audit" + (strict ? " (strict)" : string.Empty)) : table;
    }

    private static void AddMachine(Table table, MachineAudit machine)
    {
        string[] header =
        [
            $"[bold]{Markup.Escape(machine.Name)}[/]",
            $"[dim]{Markup.Escape(AuditFormatting.Os(machine))}[/]",
            $"[dim]{Markup.Escape(machine.Benchmark.Id)}[/]",
        ];
        int row = 0;
        foreach (AuditFinding f in machine.Findings)
        {
            table.AddRow(
                new Markup(row < header.Length ? header[row] : string.Empty),
                new Markup(Markup.Escape(f.Rule.Id)),
                new Markup(Markup.Escape(f.Rule.Setting.Id)),
                new Markup(Status(f)),
                new Markup(Markup.Escape(f.Rule.Operator == RuleOperator.HardenedUncFlags ? "has " + Compact(f.Rule.Target) : f.Rule.DescribeExpected())),
                new Markup(Effective(f)),
                new Markup(Markup.Escape(AuditFormatting.ShortSource(f.Source))),
                new Markup($"[dim]{Markup.Escape(Why(f))}[/]"));
            row++;
        }

        for (; row < header.Length; row++)
        {
            table.AddRow(new Markup(header[row]), new Markup(string.Empty), new Markup(string.Empty), new Markup(string.Empty), new Markup(string.Empty), new Markup(string.Empty), new Markup(string.Empty), new Markup(string.Empty));
        }

        table.AddEmptyRow();
    }

    private static void RenderSummary(IAnsiConsole console, AuditReport report)
    {
        Table summary = new Table()
            .Border(TableBorder.Rounded)
            .Title("Fleet summary")
            .AddColumn("Benchmark")
            .AddColumn("Rule")
            .AddColumn("Setting")
            .AddColumn(new TableColumn("Pass").RightAligned())
            .AddColumn(new TableColumn("Fail").RightAligned())
            .AddColumn(new TableColumn("Not configured (effective non-compliant)").RightAligned())
            .AddColumn(new TableColumn("N/A").RightAligned())
            .AddColumn(new TableColumn("Error").RightAligned());
        foreach (RuleSummary r in report.Summary.Rules)
        {
            summary.AddRow(
                new Markup(Markup.Escape(r.Benchmark)),
                new Markup(Markup.Escape(r.Rule.Id)),
                new Markup(Markup.Escape(r.Rule.Setting.Id)),
                new Markup(Count(r.Pass, "green")),
                new Markup(Count(r.Fail, "red")),
                new Markup(r.NotConfigured == 0 ? "[dim]0[/]" : $"[yellow]{r.NotConfigured.ToString(CultureInfo.InvariantCulture)} ({r.NotConfiguredNonCompliant.ToString(CultureInfo.InvariantCulture)})[/]"),
                new Markup(Count(r.NotApplicable, "grey")),
                new Markup(Count(r.Error, "magenta")));
        }

        console.Write(summary);
        FleetSummary s = report.Summary;
        console.MarkupLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{s.Machines} machine(s), [red]{s.MachinesFailing} with failures[/], {s.MachinesWithUnreadableSources} with unreadable sources: [green]{s.Pass} pass[/], [red]{s.Fail} fail[/], [yellow]{s.NotConfigured} not configured[/] ({s.StrictFailures} strict failure(s){(report.Strict ? ", counted as fail" : "; --strict counts them as fail")}), [grey]{s.NotApplicable} not applicable[/], [magenta]{s.Error} error[/]."));
    }

    private static string Count(int n, string colour) => n == 0 ? "[dim]0[/]" : $"[{colour}]{n.ToString(CultureInfo.InvariantCulture)}[/]";

    private static string Status(AuditFinding f) => f.Status switch
    {
        AuditStatus.Pass => "[green]pass[/]",
        AuditStatus.Fail => "[bold red]fail[/]",
        AuditStatus.NotConfigured => f.EffectiveCompliant == false ? "[darkorange]not-configured[/]" : "[yellow]not-configured[/]",
        AuditStatus.NotApplicable => "[grey]not-applicable[/]",
        _ => "[magenta]error[/]",
    };

    private static string Effective(AuditFinding f)
    {
        string text = Markup.Escape(Compact(f.Effective) + (f.Status is AuditStatus.NotConfigured or AuditStatus.Error && f.Effective is not null ? " (default)" : string.Empty));
        return f.EffectiveCompliant switch
        {
            true => $"[green]{text}[/]",
            false => $"[red]{text}[/]",
            _ => text,
        };
    }

    /// <summary>The short reason (the table stays narrow; JSON has the whole note).</summary>
    private static string Why(AuditFinding f) => f.Reason ?? string.Empty;

    /// <summary>Hardened UNC flags shortened for the table: "mutual+integrity+privacy"; other values as they are.</summary>
    private static string Compact(SettingValue? value)
    {
        if (value is { Kind: SettingValueKind.Text, Text: { } text } && HardenedPathValue.TryParse(text, out HardenedPathValue? flags, out _))
        {
            List<string> parts = [];
            if (flags.RequireMutualAuthentication == true)
            {
                parts.Add("mutual");
            }

            if (flags.RequireIntegrity == true)
            {
                parts.Add("integrity");
            }

            if (flags.RequirePrivacy == true)
            {
                parts.Add("privacy");
            }

            return parts.Count == 0 ? "(none)" : string.Join("+", parts);
        }

        return AuditFormatting.Value(value);
    }
}
