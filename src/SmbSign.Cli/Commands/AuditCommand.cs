using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Cli.Rendering;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;
using Spectre.Console;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign audit PATH... [--benchmark ID] [--os ID] [--role dc|member|workstation] [--strict] [--machine NAME=FILES]
/// [--live] [--list-benchmarks] [--format table|json|csv|sarif] [-o FILE]</c>: audits configuration exports (one machine or a fleet)
/// against a CIS benchmark or the Microsoft baseline. Exit codes: 0 no failures, 1 failures found, 2 usage error or
/// unreadable input (the other inputs are still audited and reported). docs/cli/audit.md.
/// </summary>
internal static class AuditCommand
{
    /// <summary>Machines from which a progress bar is shown on an interactive terminal.</summary>
    private const int ProgressThreshold = 20;

    /// <summary>Machines from which the audit runs on several threads (smaller fleets finish faster on one; bench/AuditBenchmarks).</summary>
    private const int ParallelThreshold = 256;

    /// <summary>Table width when stdout is not a terminal.</summary>
    private const int RedirectedTableWidth = 160;

    public static Command Create(CliServices services)
    {
        Argument<string[]> paths = new("paths")
        {
            Description = "Export files or folders. A folder is a fleet: files are grouped into machines by file-name stem (ws-01.reg + ws-01.smbclient.json), a sub-folder or GPO folder is one machine, machines.json sets OS/role/benchmark per machine.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        Option<string?> benchmark = new("--benchmark", "-b")
        {
            Description = "Rule pack id (see --list-benchmarks) or a rule pack .json file, for every machine. Default: per machine, from machines.json or the machine's OS.",
            HelpName = "ID",
        };
        Option<string?> os = new("--os")
        {
            Description = "OS profile for every machine, for resolving defaults of unconfigured values: " + string.Join(", ", OsProfiles.Ids) + ".",
            HelpName = "ID",
        };
        Option<string?> role = new("--role")
        {
            Description = "Role for every machine: dc, member or workstation.",
            HelpName = "ROLE",
        };
        Option<bool> strict = new("--strict")
        {
            Description = "Count a not-configured value as a failure when the benchmark wants it set explicitly (the CIS reading), even if the OS default complies.",
        };
        Option<string[]> machine = new("--machine", "-m")
        {
            Description = "A machine and its files: NAME=FILE[,FILE...]. Repeatable. These files are not grouped by stem.",
            HelpName = "NAME=FILES",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        Option<bool> live = new("--live")
        {
            Description = "Also audit this computer from its live registry (Parameters and Policies keys; Windows only). The machine is named after the computer; give --os for its defaults.",
        };
        Option<bool> listBenchmarks = new("--list-benchmarks")
        {
            Description = "List the built-in benchmarks (rule packs) and the OS each is the default for, then exit.",
        };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json, OutputFormat.Csv, OutputFormat.Sarif);
        Option<FileInfo?> output = CommonOptions.Output();
        RemoteAuditOptions remote = new();

        Command command = new("audit", "Audit SMB signing and hardening settings in exports (.reg, GptTmpl.inf, Registry.pol, GPO folders, Get-Smb*Configuration JSON, Intune JSON, smb.conf, nsmb.conf) against CIS benchmarks or the Microsoft baseline. Exit 0 no failures, 1 failures, 2 usage error or unreadable input.")
        {
            paths, benchmark, os, role, strict, machine, live, listBenchmarks, format, output,
        };
        remote.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            OutputFormat outputFormat = parseResult.GetValue(format);
            FileInfo? outputFile = parseResult.GetValue(output);
            if (parseResult.GetValue(listBenchmarks))
            {
                string list = outputFormat == OutputFormat.Json ? RenderBenchmarkListJson() : string.Empty;
                if (outputFormat == OutputFormat.Json)
                {
                    await WriteAsync(services, outputFile, list).ConfigureAwait(false);
                }
                else
                {
                    RenderBenchmarkList(services.Console);
                }

                return ExitCodes.Success;
            }

            string[] inputPaths = parseResult.GetValue(paths) ?? [];
            string[] machineSpecs = parseResult.GetValue(machine) ?? [];
            bool auditLive = parseResult.GetValue(live);
            if (auditLive && !OperatingSystem.IsWindows())
            {
                throw new CliException("audit --live reads this computer's registry and runs only on Windows; here, audit exports instead (reg export, secedit /export, Get-SmbServerConfiguration | ConvertTo-Json).");
            }

            RemoteAuditRequest? remoteRequest = AuditRemote.Parse(services, parseResult, remote, inputPaths, machineSpecs.Length > 0 || auditLive);
            if (inputPaths.Length == 0 && machineSpecs.Length == 0 && !auditLive && remoteRequest is null)
            {
                throw new CliException("audit: give at least one PATH (a file or a fleet folder) or --machine NAME=FILE[,FILE...]; try 'smbsign audit samples/fleet'.");
            }

            AuditOptions options = new()
            {
                Benchmark = ResolveBenchmark(parseResult.GetValue(benchmark)),
                Os = ResolveOs(parseResult.GetValue(os)),
                Role = ResolveRole(parseResult.GetValue(role)),
                Strict = parseResult.GetValue(strict),
            };

            List<ExplicitMachine> explicitMachines = [];
            foreach (string spec in machineSpecs)
            {
                explicitMachines.Add(ExplicitMachine.TryParse(spec, out string? error) ?? throw new CliException(error!));
            }

            FleetPlan plan = remoteRequest is null ? FleetLayout.Discover(inputPaths, explicitMachines) : new FleetPlan([], [], [], []);
            if (auditLive)
            {
                MachineInput local = new() { Name = Environment.MachineName, Paths = [MachineSourceReader.LiveRegistryPath], Grouping = MachineGrouping.CommandLine };
                plan = plan with { Machines = [.. plan.Machines, local] };
            }
            if (outputFile is not null)
            {
                string target = Path.GetFullPath(outputFile.FullName);
                StringComparison comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                if (plan.InputFiles.Any(input => string.Equals(input, target, comparison))
                    || inputPaths.Any(p => string.Equals(Path.GetFullPath(p), target, comparison)))
                {
                    throw new CliException($"audit: -o {outputFile.FullName} is one of the inputs; refusing to overwrite it. Choose another output file.");
                }

                if (File.Exists(target) || Directory.Exists(target))
                {
                    throw new CliException($"audit: -o {outputFile.FullName} already exists; SmbSign writes reports only to new files and never replaces one. Remove it or choose another name.");
                }
            }

            if (plan.Machines.Count == 0 && plan.Problems.Count == 0 && remoteRequest is null)
            {
                throw new CliException("audit: no source file found under " + string.Join(", ", inputPaths) + "; expected .reg, .inf, .pol, .json or smb.conf/nsmb.conf files (README/*.md/machines.json are not sources).");
            }

            MachineAudit[] audits = remoteRequest is null
                ? await AuditAsync(services, plan, options, cancellationToken).ConfigureAwait(false)
                : await AuditRemote.RunAsync(services, remoteRequest, options, cancellationToken).ConfigureAwait(false);
            FleetSummary summary = FleetSummary.Of(audits);
            AuditReport report = new(
                DescribeBenchmark(options, audits),
                options.Strict,
                audits,
                summary,
                plan.Problems,
                plan.Warnings,
                typeof(AuditCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");

            await ReportProblemsAsync(services, report).ConfigureAwait(false);
            if (outputFormat == OutputFormat.Table)
            {
                if (outputFile is null)
                {
                    if (!services.IsInteractive && services.Console.Profile.Width < RedirectedTableWidth)
                    {
                        // Redirected output has no terminal width (Spectre assumes 80, which wraps every cell).
                        services.Console.Profile.Width = RedirectedTableWidth;
                    }

                    AuditTableRenderer.Render(services.Console, report);
                }
                else
                {
                    using StringWriter writer = new(CultureInfo.InvariantCulture);
                    IAnsiConsole fileConsole = AnsiConsole.Create(new AnsiConsoleSettings
                    {
                        Ansi = AnsiSupport.No,
                        ColorSystem = ColorSystemSupport.NoColors,
                        Interactive = InteractionSupport.No,
                        Out = new AnsiConsoleOutput(writer),
                    });
                    fileConsole.Profile.Width = 240;
                    AuditTableRenderer.Render(fileConsole, report);
                    await WriteAsync(services, outputFile, writer.ToString()).ConfigureAwait(false);
                }
            }
            else if (outputFormat == OutputFormat.Csv)
            {
                await WriteAsync(
                    services,
                    outputFile,
                    stream =>
                    {
                        using StreamWriter writer = new(stream, new System.Text.UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
                        AuditCsvRenderer.Render(report, writer);
                    },
                    trailingNewline: false).ConfigureAwait(false);
            }
            else
            {
                // JSON and SARIF are serialized straight to the file or stdout: a 10,000-machine report is hundreds of
                // megabytes as text, and building it as one string would dwarf the audit's own memory.
                Action<Stream> render = outputFormat == OutputFormat.Sarif
                    ? stream => AuditSarifRenderer.Render(report, stream)
                    : stream => AuditJsonRenderer.Render(report, stream);
                await WriteAsync(services, outputFile, render, trailingNewline: true).ConfigureAwait(false);
            }

            if (plan.Problems.Count > 0 || audits.Any(a => a.HasUnreadableSource))
            {
                return ExitCodes.UsageOrInput;
            }

            return summary.Fail > 0 ? ExitCodes.Findings : ExitCodes.Success;
        });
        return command;
    }

    private static async Task<MachineAudit[]> AuditAsync(CliServices services, FleetPlan plan, AuditOptions options, CancellationToken cancellationToken)
    {
        int threads = plan.Machines.Count >= ParallelThreshold ? Environment.ProcessorCount : 1;
        if (!services.IsInteractive || plan.Machines.Count < ProgressThreshold)
        {
            return await Task.Run(() => FleetAuditor.AuditParallel(plan.Machines, options, threads, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        // Decoration only: the report carries everything; a non-interactive console prints no progress at all.
        MachineAudit[] audits = [];
        await services.Console.Progress()
            .AutoClear(true)
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask($"Auditing {plan.Machines.Count.ToString(CultureInfo.InvariantCulture)} machines", maxValue: plan.Machines.Count);
                audits = await Task.Run(() => FleetAuditor.AuditParallel(plan.Machines, options, threads, _ => task.Increment(1), cancellationToken), cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return audits;
    }

    private static async Task ReportProblemsAsync(CliServices services, AuditReport report)
    {
        foreach (string problem in report.Problems)
        {
            await services.Error.WriteLineAsync("smbsign: " + problem).ConfigureAwait(false);
        }

        foreach (string warning in report.Warnings)
        {
            await services.Error.WriteLineAsync("smbsign: warning: " + warning).ConfigureAwait(false);
        }

        foreach (MachineAudit machine in report.Machines)
        {
            foreach (SourceDiagnostic diagnostic in machine.Diagnostics)
            {
                if (diagnostic.Severity != DiagnosticSeverity.Info)
                {
                    await services.Error.WriteLineAsync($"smbsign: {diagnostic}").ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task WriteAsync(CliServices services, FileInfo? outputFile, string text)
    {
        if (outputFile is null)
        {
            await services.Out.WriteAsync(text).ConfigureAwait(false);
            if (!text.EndsWith('\n'))
            {
                await services.Out.WriteLineAsync().ConfigureAwait(false);
            }

            return;
        }

        byte[] bytes = new System.Text.UTF8Encoding(false).GetBytes(text);
        await WriteAsync(services, outputFile, stream => stream.Write(bytes), trailingNewline: false).ConfigureAwait(false);
    }

    /// <summary>Writes to stdout, or to a new file (temp file + rename that never replaces an existing file).</summary>
    private static async Task WriteAsync(CliServices services, FileInfo? outputFile, Action<Stream> write, bool trailingNewline)
    {
        if (outputFile is null)
        {
            using (TextWriterStream stream = new(services.Out))
            {
                write(stream);
            }

            if (trailingNewline)
            {
                await services.Out.WriteLineAsync().ConfigureAwait(false);
            }

            await services.Out.FlushAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            AtomicFile.CreateNew(outputFile.FullName, stream =>
            {
                write(stream);
                if (trailingNewline)
                {
                    stream.WriteByte((byte)'\n');
                }
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"audit: cannot write {outputFile.FullName}: {(e is UnauthorizedAccessException ? "access is denied" : File.Exists(outputFile.FullName) ? "it already exists (reports are written only to new files)" : "I/O error")}.");
        }

        await services.Error.WriteLineAsync($"smbsign: wrote {outputFile.FullName}").ConfigureAwait(false);
    }

    private static RulePack? ResolveBenchmark(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (RulePacks.TryGet(text, out RulePack? pack))
        {
            return pack;
        }

        if (text.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(text))
        {
            RulePackLoadResult result = RulePackLoader.LoadFile(text);
            if (!result.IsValid)
            {
                throw new CliException("audit: the rule pack is not valid:" + Environment.NewLine + string.Join(Environment.NewLine, result.Problems.Select(p => "  " + p)));
            }

            return result.Pack!;
        }

        throw new CliException($"audit: unknown benchmark '{text}'; expected one of {string.Join(", ", RulePacks.Ids)} or a rule pack .json file (see --list-benchmarks).");
    }

    private static OsProfile? ResolveOs(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return OsProfiles.TryGet(text, out OsProfile? profile)
            ? profile
            : throw new CliException($"audit: unknown OS profile '{text}'; expected one of {string.Join(", ", OsProfiles.Ids)}.");
    }

    private static OsRole? ResolveRole(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return RulePackLoader.TryParseRole(text, out OsRole role)
            ? role
            : throw new CliException($"audit: unknown role '{text}'; expected dc, member or workstation.");
    }

    private static string DescribeBenchmark(AuditOptions options, IReadOnlyList<MachineAudit> audits)
    {
        if (options.Benchmark is not null)
        {
            return options.Benchmark.Id;
        }

        string[] ids = [.. audits.Select(a => a.Benchmark.Id).Distinct(StringComparer.Ordinal)];
        return ids.Length == 1 ? ids[0] : "per-machine";
    }

    private static void RenderBenchmarkList(IAnsiConsole console)
    {
        Table table = new Table().Border(TableBorder.Rounded).Title("Benchmarks (rule packs)")
            .AddColumn("Id").AddColumn("Benchmark").AddColumn("Generation").AddColumn(new TableColumn("Rules").RightAligned()).AddColumn("Default for");
        foreach (RulePack pack in RulePacks.BuiltIn)
        {
            table.AddRow(
                Markup.Escape(pack.Id),
                Markup.Escape(pack.DisplayName),
                Markup.Escape(pack.Generation),
                pack.Rules.Length.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(DefaultForText(pack)));
        }

        console.Write(table);
    }

    private static string DefaultForText(RulePack pack)
    {
        if (pack.Id == FleetAuditor.IntuneBenchmarkId)
        {
            return "machines whose sources are all Intune exports";
        }

        string[] profiles = [.. OsProfiles.All.Where(p => RulePacks.DefaultFor(p)?.Id == pack.Id).Select(p => p.Id)];
        return profiles.Length == 0 ? "(explicit only)" : string.Join(", ", profiles);
    }

    private static string RenderBenchmarkListJson() => JsonSerializer.Serialize(
        new BenchmarkListDto([.. RulePacks.BuiltIn.Select(p => new BenchmarkDto(p.Id, p.Title, p.Publisher, p.Version, p.Generation, p.Rules.Length, DefaultForText(p), p.Sources))]),
        AuditCommandJsonContext.Default.BenchmarkListDto);
}

internal sealed record BenchmarkListDto(IReadOnlyList<BenchmarkDto> Benchmarks);

internal sealed record BenchmarkDto(string Id, string Title, string Publisher, string Version, string Generation, int Rules, string DefaultFor, IReadOnlyList<string> Sources);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BenchmarkListDto))]
internal sealed partial class AuditCommandJsonContext : JsonSerializerContext;
