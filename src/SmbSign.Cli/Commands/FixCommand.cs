using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Policy.Remediation;
using SmbSign.Protocol.Errors;
using Spectre.Console;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign fix (--from AUDIT.json | --baseline ID) [--machine NAME] [--strict] [--level 1|2] --target reg|powershell|intune-custom|
/// intune-catalog|gpo|smbconf|all -o DIR [--scan SCAN.json] [--patch smb.conf] [--force] [--format table|json]</c>:
/// writes the remediation for the failing settings of an audit (or a whole baseline) in the forms administrators
/// deploy, with rollback and an impact report. Exit codes: 0 written, 1 written but the impact report lists peers the
/// change would break, 2 usage or input error. docs/cli/fix.md.
/// </summary>
internal static class FixCommand
{
    public static Command Create(CliServices services)
    {
        Option<FileInfo?> from = new("--from") { Description = "An audit result (smbsign audit --format json): fix its failing settings.", HelpName = "AUDIT.json" };
        Option<string?> baseline = new("--baseline") { Description = "Write a whole baseline instead: signing, or a benchmark id (see --list-baselines).", HelpName = "ID" };
        Option<string?> machine = new("--machine", "-m") { Description = "Only this machine of the audit (default: every machine, one sub-folder each).", HelpName = "NAME" };
        Option<bool> strict = new("--strict") { Description = "Also set the settings the audit found not configured (CIS wants them set explicitly)." };
        Option<int> level = new("--level")
        {
            Description = "1 (default): leave out changes that stop a service or cut off clients (Server service off, SMB1 off where SMB1-only clients were seen, CIS Level 2 items) and list them; 2: write them too, each with an impact warning.",
            HelpName = "1|2",
            DefaultValueFactory = _ => 1,
        };
        Option<string[]> target = new("--target", "-t")
        {
            Description = "What to write: " + string.Join(", ", RemediationTargets.Names) + " (repeatable or comma-separated).",
            HelpName = "TARGET",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        Option<DirectoryInfo?> output = new("--output", "-o") { Description = "Output folder; must be new or empty unless --force.", HelpName = "DIR" };
        Option<FileInfo?> scan = new("--scan") { Description = "Scan result (smbsign scan --format json|jsonl) of the servers the clients use, for the impact report.", HelpName = "SCAN.json" };
        Option<FileInfo?> patch = new("--patch") { Description = "An smb.conf to copy into DIR with the settings changed in place (comments and order kept).", HelpName = "smb.conf" };
        Option<bool> force = new("--force") { Description = "Write into a folder that is not empty (files of the same name are replaced atomically)." };
        Option<bool> listBaselines = new("--list-baselines") { Description = "List the baselines --baseline accepts, then exit." };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);

        Command command = new("fix", "Write remediation for failing settings (or a whole baseline) as .reg, PowerShell, Intune Graph JSON, a GPO folder or smb.conf lines, with rollback and an impact report. Exit 0 written, 1 written but peers would break (see IMPACT.md), 2 usage or input error.")
        {
            from, baseline, machine, strict, level, target, output, scan, patch, force, listBaselines, format,
        };
        command.SetAction(parseResult =>
        {
            if (parseResult.GetValue(listBaselines))
            {
                return ListBaselines(services, parseResult.GetValue(format));
            }

            var settings = new FixSettings(
                parseResult.GetValue(from),
                parseResult.GetValue(baseline),
                parseResult.GetValue(machine),
                parseResult.GetValue(strict),
                parseResult.GetValue(level),
                ParseTargets(parseResult.GetValue(target) ?? []),
                parseResult.GetValue(output) ?? throw new CliException("fix: give the output folder with -o DIR."),
                parseResult.GetValue(scan),
                parseResult.GetValue(patch),
                parseResult.GetValue(force),
                parseResult.GetValue(format));
            return Run(services, settings);
        });
        return command;
    }

    private sealed record FixSettings(
        FileInfo? From, string? Baseline, string? Machine, bool Strict, int Level, RemediationTarget Targets, DirectoryInfo Output,
        FileInfo? Scan, FileInfo? Patch, bool Force, OutputFormat Format);

    private static int Run(CliServices services, FixSettings settings)
    {
        if ((settings.From is null) == (settings.Baseline is null))
        {
            throw new CliException("fix: give exactly one of --from AUDIT.json or --baseline ID.");
        }

        if (settings.Machine is not null && settings.From is null)
        {
            throw new CliException("fix: --machine selects a machine of an audit; it needs --from AUDIT.json.");
        }

        if (settings.Level is < 1 or > DisruptiveChanges.MaxLevel)
        {
            throw new CliException($"fix: --level {settings.Level.ToString(CultureInfo.InvariantCulture)} is not 1 or 2.");
        }

        if (settings.Patch is not null && !settings.Targets.HasFlag(RemediationTarget.SmbConf))
        {
            throw new CliException("fix: --patch changes an smb.conf; it needs --target smbconf (or all).");
        }

        string outputDirectory = Path.GetFullPath(settings.Output.FullName);
        CheckOutputDirectory(outputDirectory, settings.Force);
        OutputFileGuard inputs = new OutputFileGuard(outputDirectory).AddInput("--from file", settings.From?.FullName).AddInput("--scan file", settings.Scan?.FullName).AddInput("--patch file", settings.Patch?.FullName);

        AuditDocument? audit = null;
        IReadOnlyList<RemediationPlan> plans;
        var planner = new RemediationPlanner();
        try
        {
            if (settings.From is not null)
            {
                audit = AuditDocumentReader.Read(settings.From.FullName);
                plans = planner.FromAudit(audit, settings.Machine, settings.Strict, settings.Level);
            }
            else
            {
                plans = [planner.FromBaseline(BaselineCatalog.Default.Get(settings.Baseline!), settings.Level)];
            }
        }
        catch (RemediationInputException e)
        {
            throw new CliException("fix: " + e.Message);
        }

        IReadOnlyList<ScannedServer>? servers = settings.Scan is null ? null : FixScanInput.Read(settings.Scan.FullName);
        (string FileName, string Text)? patchInput = settings.Patch is null ? null : (settings.Patch.Name, ReadText(settings.Patch.FullName));
        (SigningCost? cost, string? costUnavailable) = FixSigningCost.Measure(services.Time, plans);

        bool perMachine = plans.Count > 1;
        var usedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        List<FixMachineRow> rows = [];
        List<(RemediationPlan Plan, ImpactReport Impact, RemediationArtifactSet Artifacts, string Directory)> written = [];
        foreach (RemediationPlan planned in plans)
        {
            RemediationPlan plan = planned;
            string directory = perMachine ? Path.Combine(outputDirectory, FolderName(plan.Machine ?? "machine", usedNames)) : outputDirectory;
            RemediationTarget targets = EffectiveTargets(settings.Targets, plan, out string? targetNote);
            List<ClientPosture> clients = audit is null ? [] : [.. audit.Machines.Where(m => !string.Equals(m.Name, plan.Machine, StringComparison.OrdinalIgnoreCase)).Select(ClientPosture.FromAudit)];
            ImpactReport impact = ImpactAnalyzer.Analyze(plan, servers, audit is null ? null : clients, cost, costUnavailable);
            // SMB1 off where SMB1-only clients were seen cuts them off: only --level 2 writes it (with a warning).
            RemediationPlan gated = DisruptiveChanges.WithholdClientCutoffs(plan, impact, settings.Level);
            if (!ReferenceEquals(gated, plan))
            {
                plan = gated;
                impact = ImpactAnalyzer.Analyze(plan, servers, audit is null ? null : clients, cost, costUnavailable);
            }

            RemediationArtifactSet artifacts = plan.IsEmpty
                ? new RemediationArtifactSet([], [], [], [])
                : RemediationArtifactBuilder.Build(plan, targets, patchInput, services.Time.GetUtcNow());
            List<FixFileRow> files = [];
            if (!plan.IsEmpty)
            {
                foreach (RemediationArtifact artifact in artifacts.Artifacts)
                {
                    files.Add(Write(directory, artifact.File.PathSegments, artifact.File.Content, artifact.Target.ToName(), artifact.Purpose, inputs));
                }

                files.Add(Write(directory, ["IMPACT.md"], Encoding.UTF8.GetBytes(FixMarkdown.Impact(plan, impact, settings.Scan?.FullName, clients.Count)), "impact", "who the change would cut off, and the signing cost", inputs));
                files.Add(Write(directory, ["README.md"], Encoding.UTF8.GetBytes(FixMarkdown.Readme(plan, artifacts)), "readme", "the settings, the files, how to deploy and roll back", inputs));
            }

            List<string> notes = [.. artifacts.Notes];
            if (targetNote is not null)
            {
                notes.Insert(0, targetNote);
            }

            rows.Add(new FixMachineRow(
                plan.Machine,
                plan.Os,
                directory,
                [.. plan.Items.Select(FixRows.Setting)],
                [.. plan.Skipped.Select(s => new FixSkippedRow(s.Setting, s.RuleId, s.Reason))],
                files,
                [.. artifacts.NotWritten.Select(n => new FixNotWrittenRow(n.Target.ToName(), n.Setting, n.Reason))],
                [.. artifacts.PatchEdits.Select(e => new FixPatchEditRow(e.Kind.ToString().ToLowerInvariant(), e.Parameter, e.OldValue, e.NewValue, e.Line))],
                notes,
                [.. DisruptiveChanges.Warnings(plan)],
                targets.HasFlag(RemediationTarget.Reg) && !plan.IsEmpty ? [.. RegistryChanges.NotRestored(plan).Select(FixRows.NotRestored)] : [],
                FixRows.Impact(impact)));
            written.Add((plan, impact, artifacts, directory));
        }

        int breaking = written.Sum(w => w.Plan.IsEmpty ? 0 : w.Impact.Breaking);
        int uncertain = written.Sum(w => w.Plan.IsEmpty ? 0 : w.Impact.Uncertain);
        var report = new FixReport(
            1,
            plans[0].Source,
            plans[0].Benchmark,
            settings.Strict,
            settings.Level,
            [.. RemediationTargets.Names.Where(n => n != "all" && RemediationTargets.TryParse(n, out RemediationTarget t) && settings.Targets.HasFlag(t))],
            outputDirectory,
            rows,
            breaking,
            uncertain);
        if (settings.Format == OutputFormat.Json)
        {
            services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(report, FixJsonContext.Default.FixReport), services.Time));
        }
        else
        {
            FixTableRenderer.Render(services.Console, report, written.Select(w => (w.Plan, w.Impact)).ToList());
        }

        return breaking > 0 ? ExitCodes.Findings : ExitCodes.Success;
    }

    /// <summary>"all" skips the Windows forms for Samba machines and smb.conf for Windows machines; explicit targets are kept.</summary>
    private static RemediationTarget EffectiveTargets(RemediationTarget requested, RemediationPlan plan, out string? note)
    {
        note = null;
        if (requested != RemediationTarget.All || plan.Os is null)
        {
            return requested;
        }

        if (plan.Os.Contains("samba", StringComparison.OrdinalIgnoreCase))
        {
            note = "target all on a Samba machine: only smbconf is written (name the Windows targets explicitly to get them)";
            return RemediationTarget.SmbConf;
        }

        note = "target all on a Windows machine: smbconf is not written (name it explicitly to get it)";
        return RemediationTarget.All & ~RemediationTarget.SmbConf;
    }

    private static RemediationTarget ParseTargets(string[] values)
    {
        RemediationTarget targets = RemediationTarget.None;
        foreach (string token in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!RemediationTargets.TryParse(token, out RemediationTarget t))
            {
                throw new CliException($"fix: --target '{token}' is not one of {string.Join(", ", RemediationTargets.Names)}.");
            }

            targets |= t;
        }

        return targets == RemediationTarget.None
            ? throw new CliException($"fix: give --target ({string.Join("|", RemediationTargets.Names)}).")
            : targets;
    }

    private static void CheckOutputDirectory(string directory, bool force)
    {
        if (File.Exists(directory))
        {
            throw new CliException($"fix: -o {directory} is a file; give a folder (new or empty).");
        }

        if (!force && Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new CliException($"fix: {directory} is not empty; choose a new folder, empty it, or pass --force to write into it.");
        }
    }

    private static FixFileRow Write(string directory, ImmutableArray<string> segments, byte[] content, string target, string purpose, OutputFileGuard inputs)
    {
        // Never an input (by file identity), never through a linked folder out of -o; --force documents replacing others.
        string path = inputs.CheckFile("fix: -o", Path.Combine([directory, .. segments]), replaceExisting: true);

        try
        {
            AtomicFile.WriteAllBytes(path, content);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            throw new CliException($"fix: cannot write {path}: {e.Message}");
        }

        return new FixFileRow(Path.GetRelativePath(directory, path).Replace('\\', '/'), target, content.Length, purpose);
    }

    private static string ReadText(string path)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            return bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
                ? Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3)
                : Encoding.UTF8.GetString(bytes);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            throw new CliException($"fix: --patch {path}: cannot read the file: {e.Message}");
        }
    }

    /// <summary>A folder name from a machine name: letters, digits, '-', '_' and '.' kept, the rest '_'; unique.</summary>
    internal static string FolderName(string machine, HashSet<string> used)
    {
        string name = new(machine.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        name = name.Trim('.');
        if (name.Length == 0)
        {
            name = "machine";
        }

        string candidate = name;
        for (int i = 2; !used.Add(candidate); i++)
        {
            candidate = name + "-" + i.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private static int ListBaselines(CliServices services, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartArray();
                foreach (Baseline b in BaselineCatalog.Default.Baselines)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", b.Id);
                    writer.WriteString("title", b.Title);
                    writer.WriteNumber("settings", b.Settings.Count(s => !s.Level2));
                    writer.WriteNumber("level2", b.Settings.Count(s => s.Level2));
                    writer.WriteNumber("excluded", (b.Excluded.IsDefault ? 0 : b.Excluded.Length) + b.Settings.Count(s => s.Level2));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            services.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
            return ExitCodes.Success;
        }

        var table = new Table().AddColumn("Baseline").AddColumn("Settings").AddColumn("Level 2").AddColumn("Excluded at level 1").AddColumn("Title");
        foreach (Baseline b in BaselineCatalog.Default.Baselines)
        {
            table.AddRow(
                Markup.Escape(b.Id),
                b.Settings.Count(s => !s.Level2).ToString(CultureInfo.InvariantCulture),
                b.Settings.Count(s => s.Level2).ToString(CultureInfo.InvariantCulture),
                ((b.Excluded.IsDefault ? 0 : b.Excluded.Length) + b.Settings.Count(s => s.Level2)).ToString(CultureInfo.InvariantCulture),
                Markup.Escape(b.Title));
        }

        services.Console.Write(table);
        return ExitCodes.Success;
    }
}
