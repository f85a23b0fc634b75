using System.Globalization;
using SmbSign.Policy.Remediation;
using Spectre.Console;

namespace SmbSign.Cli.Rendering;

/// <summary>The human output of <c>smbsign fix</c>: per machine the settings changed, the files written, what was left out, and the impact.</summary>
internal static class FixTableRenderer
{
    public static void Render(IAnsiConsole console, FixReport report, IReadOnlyList<(RemediationPlan Plan, ImpactReport Impact)> plans)
    {
        console.MarkupLine($"[bold]smbsign fix[/] from {Markup.Escape(report.Source)} -> {Markup.Escape(report.OutputDirectory)}");
        for (int i = 0; i < report.Machines.Count; i++)
        {
            FixMachineRow machine = report.Machines[i];
            ImpactReport impact = plans[i].Impact;
            console.WriteLine();
            string title = machine.Name is null ? "Baseline " + (report.Benchmark ?? string.Empty) : "Machine " + machine.Name + (machine.Os is null ? string.Empty : " (" + machine.Os + ")");
            console.MarkupLine($"[bold]{Markup.Escape(title)}[/]");
            if (machine.Settings.Count == 0)
            {
                console.MarkupLine("  Nothing to fix" + (machine.Skipped.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({machine.Skipped.Count} result(s) left alone, see below)") : string.Empty) + ".");
            }
            else
            {
                var table = new Table().AddColumn("Setting").AddColumn("Value").AddColumn("Was").AddColumn("Rule").AddColumn("Why");
                foreach (FixSettingRow s in machine.Settings)
                {
                    table.AddRow(Markup.Escape(s.Setting), Markup.Escape(s.Value), Markup.Escape(s.Previous), Markup.Escape(s.Rule ?? "-"), Markup.Escape(s.Reason));
                }

                console.Write(table);
                console.MarkupLine(Markup.Escape($"  Wrote {machine.Files.Count} file(s) to {machine.Directory}: {string.Join(", ", machine.Files.Select(f => f.Path))}"));
            }

            foreach (string warning in machine.ImpactWarnings)
            {
                console.MarkupLine("  [bold]warning[/] (--level 2): " + Markup.Escape(warning));
            }

            if (machine.NotRestored.Count > 0)
            {
                // One line: the values are listed in rollback.reg, README.md and the JSON.
                console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"  rollback.reg does not restore {machine.NotRestored.Count} value(s) whose previous state the audit did not show: {string.Join(", ", machine.NotRestored.Select(n => n.Setting))} (listed in rollback.reg and README.md); use {FixRows.RestoreHint}")));
            }

            foreach (string note in machine.Notes)
            {
                console.MarkupLine("  note: " + Markup.Escape(note));
            }

            foreach (FixNotWrittenRow n in machine.NotWritten)
            {
                console.MarkupLine(Markup.Escape($"  not in {n.Target}: {n.Setting}: {n.Reason}"));
            }

            foreach (FixPatchEditRow e in machine.PatchEdits)
            {
                console.MarkupLine(Markup.Escape(e.Kind switch
                {
                    "changed" => $"  smb.conf line {e.Line}: {e.Parameter} = {e.OldValue} -> {e.NewValue}",
                    "added" => $"  smb.conf: added {e.Parameter} = {e.NewValue} to [global]",
                    _ => $"  smb.conf line {e.Line}: {e.Parameter} = {e.OldValue} already complies",
                }));
            }

            foreach (FixSkippedRow s in machine.Skipped)
            {
                console.MarkupLine(Markup.Escape($"  left alone: {s.Setting}{(s.Rule is null ? string.Empty : " (" + s.Rule + ")")}: {s.Reason}"));
            }

            if (machine.Settings.Count == 0)
            {
                continue;
            }

            console.MarkupLine("  [bold]Impact[/] (also in IMPACT.md):");
            if (impact.Sections.IsEmpty)
            {
                console.MarkupLine("    no change here can cut off a peer.");
            }

            foreach (ImpactSection section in impact.Sections)
            {
                string head = section.Note is not null
                    ? $"    {section.Change}: not checked ({section.Note})"
                    : $"    {section.Change}: {section.PeersChecked} checked, {section.Compatible} keep working, {section.Findings.Count(f => f.Level == ImpactLevel.Breaks)} break";
                console.MarkupLine(Markup.Escape(head));
                foreach (ImpactFinding f in section.Findings)
                {
                    console.MarkupLine(Markup.Escape($"      {FixRows.Level(f.Level)}: {f.Peer}: {f.Reason}"));
                }
            }

            console.MarkupLine("    " + Markup.Escape(FixRows.CostLine(impact)));
        }
    }
}
