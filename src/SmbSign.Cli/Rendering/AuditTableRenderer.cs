using System.Globalization;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Rules;
using Spectre.Console;

namespace SmbSign.Cli.Rendering;

/// <summary>
/// <c>smbsign audit</c> (text): one verdict line per machine and, by default, one compact line per failing item, so the
/// report reads at 80 columns; <c>--verbose</c> adds every item with full detail (status, expected, effective, source,
/// reason, note). Every row is one line and is never wrapped inside a token: on a terminal (or with <c>COLUMNS</c>) a
/// compact line longer than the width is cut at a space and ends with "…"; redirected output without <c>COLUMNS</c> is
/// never cut. Machines are written as they are audited; the fleet summary follows, and its last line names the failing
/// machines. Every string from a file goes through <see cref="Markup.Escape"/>.
/// </summary>
internal static class AuditTableRenderer
{
    /// <summary>Width used when nothing says otherwise on a terminal.</summary>
    public const int DefaultWidth = 80;

    /// <summary>Renders through Spectre (colour) on a terminal.</summary>
    public static void Render(IAnsiConsole console, AuditReport report, int? width)
    {
        ArgumentNullException.ThrowIfNull(console);
        Render(line => console.Write(new Markup(line + "\n")), report, width);
    }

    /// <summary>Renders plain text (no markup, no colour) to <paramref name="output"/>: redirected stdout or a file.</summary>
    public static void Render(TextWriter output, AuditReport report, int? width)
    {
        ArgumentNullException.ThrowIfNull(output);
        Render(line => output.Write(Markup.Remove(line) + "\n"), report, width);
    }

    /// <param name="writeLine">Writes one line given as Spectre markup.</param>
    /// <param name="report">The report; its machines are read once, as they are audited.</param>
    /// <param name="width">Columns a compact line may use; null: unlimited (redirected output without COLUMNS).</param>
    public static void Render(Action<string> writeLine, AuditReport report, int? width)
    {
        ArgumentNullException.ThrowIfNull(writeLine);
        ArgumentNullException.ThrowIfNull(report);
        writeLine($"[bold]SMB signing audit{(report.Strict ? " (strict)" : string.Empty)}[/]{(report.FailuresOnly ? " [dim](failing machines and items only)[/]" : string.Empty)}");
        foreach (MachineAudit machine in report.Machines)
        {
            if (!report.Shows(machine))
            {
                continue;
            }

            writeLine(Fit(MachineLine(machine), width));
            foreach (AuditFinding f in machine.Findings)
            {
                if (report.Verbose && report.Shows(f))
                {
                    writeLine(VerboseLine(f));
                    if (f.Note is not null)
                    {
                        writeLine("      [dim]" + Markup.Escape(f.Note) + "[/]");
                    }
                }
                else if (!report.Verbose && f.IsFailing)
                {
                    writeLine(Fit(CompactLine(f), width));
                }
            }
        }

        writeLine(string.Empty);
        RenderSummary(writeLine, report, width);
    }

    private static string MachineLine(MachineAudit machine)
    {
        int failing = machine.FailingFindings.Count();
        string verdict = machine.Passed
            ? "[green]PASS[/]"
            : string.Create(CultureInfo.InvariantCulture, $"[bold red]FAIL[/] ({failing} of {machine.Findings.Count} items)");
        return $"{verdict} [bold]{Markup.Escape(machine.Name)}[/] [dim]{Markup.Escape(AuditFormatting.Os(machine))} {Markup.Escape(machine.Benchmark.Id)}[/]";
    }

    /// <summary>"  2.3.8.1 client.RequireSecuritySignature: 0 (default), want = 1; not-configured".</summary>
    private static string CompactLine(AuditFinding f)
    {
        string effective = f.Effective is null ? "unknown" : Compact(f.Effective) + (f.NotConfigured ? " (default)" : string.Empty);
        string reason = f.Reason is null ? string.Empty : "; " + f.Reason;
        return $"  {StatusMark(f)} {Markup.Escape(f.Rule.Id)} {Markup.Escape(f.Rule.Setting.Id)}: [red]{Markup.Escape(effective)}[/], want {Markup.Escape(Expected(f.Rule))}[dim]{Markup.Escape(reason)}[/]";
    }

    private static string VerboseLine(AuditFinding f)
    {
        string effective = Compact(f.Effective) + (f.NotConfigured && f.Effective is not null ? " (default)" : string.Empty);
        string colour = f.EffectiveCompliant switch { true => "green", false => "red", _ => "default" };
        return $"  {StatusMark(f)} {Markup.Escape(f.Rule.Id)} {Markup.Escape(f.Rule.Setting.Id)} {Status(f)} expected {Markup.Escape(Expected(f.Rule))}"
            + $" effective [{colour}]{Markup.Escape(effective)}[/] source {Markup.Escape(AuditFormatting.ShortSource(f.Source))}"
            + (f.Reason is null ? string.Empty : $" [dim]reason {Markup.Escape(f.Reason)}[/]");
    }

    private static void RenderSummary(Action<string> writeLine, AuditReport report, int? width)
    {
        FleetSummary s = report.Summary;
        bool header = false;
        foreach (RuleSummary r in s.Rules)
        {
            if (!report.Verbose && r.Fail == 0 && r.Error == 0)
            {
                continue;
            }

            if (!header)
            {
                writeLine(report.Verbose ? "[bold]Fleet summary[/] (per rule)" : "[bold]Fleet summary[/] (rules that fail somewhere)");
                header = true;
            }

            string line = string.Create(
                CultureInfo.InvariantCulture,
                $"  {Markup.Escape(r.Benchmark)} {Markup.Escape(r.Rule.Id)} {Markup.Escape(r.Rule.Setting.Id)}: fail {Count(r.Fail, "red")}, pass {Count(r.Pass, "green")}, n/a {Count(r.NotApplicable, "grey")}, error {Count(r.Error, "magenta")}")
                + (report.Verbose ? string.Create(CultureInfo.InvariantCulture, $" (not configured: {r.FailNotConfigured} fail, {r.PassByDefault} pass by default)") : string.Empty);
            writeLine(report.Verbose ? line : Fit(line, width));
        }

        if (!header)
        {
            writeLine("[bold]Fleet summary[/]: no rule fails on any machine");
        }

        writeLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{s.Machines} machine(s): [red]{s.MachinesFailing} fail[/], [green]{s.MachinesPassing} pass[/]; {s.MachinesWithUnreadableSources} with unreadable sources."));
        writeLine(Fit(
            string.Create(CultureInfo.InvariantCulture, $"Items: [green]{s.Pass} pass[/], [red]{s.Fail} fail[/], [grey]{s.NotApplicable} n/a[/], [magenta]{s.Error} error[/]; {s.NotConfigured} not configured."),
            width));
        if (s.StrictFailures > 0)
        {
            writeLine(Fit(
                string.Create(CultureInfo.InvariantCulture, $"{s.StrictFailures} pass only by a default the benchmark wants set{(report.Strict ? "." : " (--strict fails them).")}"),
                width));
        }

        writeLine(FailingLine(s, width));
    }

    /// <summary>
    /// The last line: the failing machines by name (the first ten, then a count). With a width, only the names that fit
    /// are listed and the rest counted; a name is never cut.
    /// </summary>
    internal static string FailingLine(FleetSummary s, int? width)
    {
        if (s.MachinesFailing == 0)
        {
            return "[green]No machine fails.[/]";
        }

        const string Prefix = "Failing machines: ";
        List<string> names = [];
        int length = Prefix.Length;
        foreach (string name in s.FailingMachines)
        {
            int rest = s.MachinesFailing - names.Count - 1;
            string tail = rest > 0 ? string.Create(CultureInfo.InvariantCulture, $" and {rest} more.") : ".";
            int added = (names.Count == 0 ? 0 : 2) + name.Length;
            if (width is { } w && names.Count > 0 && length + added + tail.Length > w)
            {
                break;
            }

            names.Add(name);
            length += added;
        }

        int more = s.MachinesFailing - names.Count;
        string list = string.Join(", ", names) + (more > 0 ? string.Create(CultureInfo.InvariantCulture, $" and {more} more") : string.Empty);
        return $"[red]Failing machines:[/] {Markup.Escape(list)}.";
    }

    /// <summary>Cuts a line longer than <paramref name="width"/> at the last space that fits and ends it with "…".</summary>
    internal static string Fit(string markup, int? width)
    {
        if (width is not { } w || Markup.Remove(markup).Length <= w)
        {
            return markup;
        }

        string plain = Markup.Remove(markup);
        int cut = plain.LastIndexOf(' ', Math.Max(0, w - 2));
        if (cut <= 0)
        {
            cut = Math.Max(1, w - 1);
        }

        // The cut line loses its colour: markup cannot be cut safely inside a tag.
        return Markup.Escape(plain[..cut].TrimEnd()) + " …";
    }

    private static string Count(int n, string colour) => n == 0 ? "0" : $"[{colour}]{n.ToString(CultureInfo.InvariantCulture)}[/]";

    private static string StatusMark(AuditFinding f) => f.Status switch
    {
        AuditStatus.Pass => "[green]ok[/]",
        AuditStatus.Fail => "[bold red]x[/]",
        AuditStatus.NotApplicable => "[grey]-[/]",
        _ => "[magenta]?[/]",
    };

    private static string Status(AuditFinding f) => f.Status switch
    {
        AuditStatus.Pass => "[green]pass[/]",
        AuditStatus.Fail => "[bold red]fail[/]",
        AuditStatus.NotApplicable => "[grey]not-applicable[/]",
        _ => "[magenta]error[/]",
    };

    private static string Expected(AuditRule rule) => rule.Operator == RuleOperator.HardenedUncFlags ? "has " + Compact(rule.Target) : rule.DescribeExpected();

    /// <summary>Hardened UNC flags shortened: "mutual+integrity+privacy"; other values as they are.</summary>
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
