using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Cli.Rendering;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;
using SmbSign.Protocol.Errors;
using Spectre.Console;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign audit PATH... [--benchmark ID] [--os ID] [--role dc|member|workstation] [--strict] [--machine NAME=FILES]
/// [--live] [--failures-only] [--verbose] [--list-benchmarks] [--format table|json|csv|sarif] [-o FILE]</c>: audits
/// configuration exports (one machine or a fleet) against a CIS benchmark or the Microsoft baseline; the effective value
/// decides. Exit codes: 0 every machine passes, 1 a machine fails, 2 usage error or unreadable input (the other inputs
/// are still audited and reported). docs/cli/audit.md.
/// </summary>
internal static class AuditCommand
{
    /// <summary>Machines from which the audit runs on several threads (smaller fleets finish faster on one; bench/AuditBenchmarks).</summary>
    private const int ParallelThreshold = 256;

    /// <summary>Machines audited together (in parallel on a large fleet) before they are written and released: bounds
    /// memory at any fleet size while the report streams.</summary>
    private const int AuditWindow = 256;

    /// <summary>Machines from which the heap is compacted once between fleet discovery and the audit (below it the dead
    /// discovery data is at most a few MB, about 0.6 KB a file, not worth a full collection).</summary>
    private const int CompactAfterDiscovery = 10_000;

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
            Description = "Fail a not-configured value even when its OS default complies, where the benchmark wants it set explicitly (the CIS-literal reading). Without it, the effective value decides.",
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
        Option<bool> failuresOnly = new("--failures-only")
        {
            Description = "Show only failing machines and their failing items (every format; the summary still counts every machine).",
        };
        Option<bool> verbose = new("--verbose", "-v")
        {
            Description = "Table: every item of every machine with full detail (status, expected, effective, source, reason, note); by default one compact line per failing item.",
        };
        Option<bool> listBenchmarks = new("--list-benchmarks")
        {
            Description = "List the built-in benchmarks (rule packs) and the OS each is the default for, then exit.",
        };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json, OutputFormat.Csv, OutputFormat.Sarif);
        Option<FileInfo?> output = CommonOptions.Output();
        RemoteAuditOptions remote = new();
        RunStore store = new();

        Command command = new("audit", "Audit SMB signing and hardening settings in exports (.reg, GptTmpl.inf, Registry.pol, GPO folders, Get-Smb*Configuration JSON, Intune JSON, smb.conf, nsmb.conf) against CIS benchmarks or the Microsoft baseline. Exit 0 every machine passes, 1 a machine fails, 2 usage error or unreadable input.")
        {
            paths, benchmark, os, role, strict, machine, live, failuresOnly, verbose, listBenchmarks, format, output,
        };
        remote.AddTo(command);
        store.AddTo(command);

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

            // Before any work: a bad --db (or one with a password in it) fails here, not after a fleet was audited.
            Reporting.Store.StoreLocation? storeLocation = await store.ResolveAsync(services, parseResult, cancellationToken).ConfigureAwait(false);

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

            FleetPlan plan = remoteRequest is null ? FleetLayout.Discover(inputPaths, explicitMachines) : new FleetPlan([], [], []);
            if (auditLive)
            {
                MachineInput local = new() { Name = Environment.MachineName, Paths = [MachineSourceReader.LiveRegistryPath], Grouping = MachineGrouping.CommandLine };
                plan = plan with { Machines = [.. plan.Machines, local] };
            }

            if (remoteRequest is null && plan.Machines.Count >= CompactAfterDiscovery)
            {
                // Discovery of a large fleet leaves tens of MB of dead objects in gen2 (the folder listing, the manifest,
                // the grouping tables: they live across several collections, so they are promoted), and auditing
                // allocates only short-lived objects, so the GC may never collect gen2 again: the dead set then stays
                // committed for the whole run, or, when it is collected, leaves gen2 fragmented around the plan. One
                // compacting collection at this phase change keeps the plan and gives the rest back, whatever the
                // timing (bench/audit-memory.sh, docs/cli/audit.md).
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }

            // Reports go only to new files, never over an input (compared by file identity, through links too).
            new OutputFileGuard().AddInputs("input", plan.InputFiles).AddInputs("input", inputPaths).CheckFile("audit: -o", outputFile, replaceExisting: false);

            if (plan.Machines.Count == 0 && plan.Problems.Count == 0 && remoteRequest is null)
            {
                throw new CliException("audit: no source file found under " + string.Join(", ", inputPaths) + "; expected .reg, .inf, .pol, .json or smb.conf/nsmb.conf files (README/*.md/machines.json are not sources).");
            }

            // stderr: one line per problem file, repeated kinds of problem summarised (DiagnosticDigest).
            DiagnosticDigest digest = new(services.Error);
            digest.WritePlan(plan.Problems, plan.Warnings);

            // Machines are audited in windows of AuditWindow and written as they come: no renderer holds the fleet.
            // A remote audit reads every target first (bounded concurrency) and then streams the same way.
            bool unreadable = false;
            ProgressTask? progress = null;
            void OnAudited(MachineAudit machineAudit)
            {
                progress?.Increment(1);
                unreadable |= machineAudit.HasUnreadableSource;
                digest.WriteMachine(machineAudit.Diagnostics);
            }

            IEnumerable<MachineAudit> stream = remoteRequest is null
                ? AuditStream(plan.Machines, options, OnAudited, cancellationToken)
                : Observed(await AuditRemote.RunAsync(services, remoteRequest, options, cancellationToken).ConfigureAwait(false), OnAudited);
            if (storeLocation is not null)
            {
                // The store keeps the whole JSON document besides the chosen format, so the audits are kept for a second
                // rendering: memory grows with the fleet only when --db is given.
                stream = stream.ToList();
            }

            AuditReport report = new(
                stream,
                options.Strict,
                options.Benchmark?.Id,
                plan.Problems,
                plan.Warnings,
                services.Time,
                parseResult.GetValue(failuresOnly),
                parseResult.GetValue(verbose));
            IReadOnlyList<RulePack> packs = options.Benchmark is { } only ? [only] : RulePacks.BuiltIn;

            Action<Stream> render = outputFormat switch
            {
                OutputFormat.Csv => s =>
                {
                    using StreamWriter writer = new(s, new System.Text.UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
                    AuditCsvRenderer.Render(report, writer);
                },
                OutputFormat.Sarif => s => AuditSarifRenderer.Render(report, packs, s),
                OutputFormat.Json => s => AuditJsonRenderer.Render(report, s),
                _ => s =>
                {
                    using StreamWriter writer = new(s, new System.Text.UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
                    AuditTableRenderer.Render(writer, report, TableWidth(services, toFile: true));
                },
            };

            if (outputFormat == OutputFormat.Table && outputFile is null && services.IsInteractive)
            {
                await Task.Run(() => AuditTableRenderer.Render(services.Console, report, TableWidth(services, toFile: false)), cancellationToken).ConfigureAwait(false);
            }
            else if (outputFormat == OutputFormat.Table && outputFile is null)
            {
                await Task.Run(() => AuditTableRenderer.Render(services.Out, report, TableWidth(services, toFile: false)), cancellationToken).ConfigureAwait(false);
                await services.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (services.IsInteractive && outputFile is not null && remoteRequest is null && plan.Machines.Count >= ParallelThreshold)
            {
                // A large fleet written to a file: a bar on the terminal (a table to the terminal shows its own progress,
                // redirected output gets none; the remote audit has its own bar).
                await services.Console.Progress()
                    .AutoClear(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        progress = context.AddTask("Auditing", maxValue: plan.Machines.Count);
                        await WriteAsync(services, outputFile, render, trailingNewline: outputFormat is OutputFormat.Json or OutputFormat.Sarif).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }
            else
            {
                await WriteAsync(services, outputFile, render, trailingNewline: outputFormat is OutputFormat.Json or OutputFormat.Sarif).ConfigureAwait(false);
            }

            digest.WriteSummary();
            if (storeLocation is not null)
            {
                // Every machine and item, whatever --failures-only or --format showed.
                AuditReport whole = new(stream, options.Strict, options.Benchmark?.Id, plan.Problems, plan.Warnings, services.Time);
                using MemoryStream json = new();
                AuditJsonRenderer.Render(whole, json);
                List<string> inputs = remoteRequest is null
                    ? [.. inputPaths.Select(Path.GetFullPath), .. machineSpecs.Select(m => "--machine " + m)]
                    : ["--remote", .. inputPaths];
                await RunStore.RecordAsync(services, storeLocation, Reporting.Records.RunKind.Audit, System.Text.Encoding.UTF8.GetString(json.ToArray()), inputs, cancellationToken).ConfigureAwait(false);
            }

            if (plan.Problems.Count > 0 || unreadable)
            {
                return ExitCodes.UsageOrInput;
            }

            return report.Summary.MachinesFailing > 0 ? ExitCodes.Findings : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Columns for compact table lines: <c>COLUMNS</c> when set (the POSIX convention), else the terminal's width; redirected
    /// output and files without <c>COLUMNS</c> are not cut (one row per line, whatever its length).
    /// </summary>
    private static int? TableWidth(CliServices services, bool toFile)
    {
        if (int.TryParse(services.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out int columns) && columns >= 20)
        {
            return columns;
        }

        return !toFile && services.IsInteractive ? Math.Max(services.Console.Profile.Width, 20) : null;
    }

    /// <summary>The machines audited in order, <see cref="AuditWindow"/> at a time (in parallel on a large fleet).</summary>
    private static IEnumerable<MachineAudit> AuditStream(IReadOnlyList<MachineInput> machines, AuditOptions options, Action<MachineAudit> onAudited, CancellationToken cancellationToken)
    {
        int threads = machines.Count >= ParallelThreshold ? Environment.ProcessorCount : 1;
        for (int first = 0; first < machines.Count; first += AuditWindow)
        {
            cancellationToken.ThrowIfCancellationRequested();
            MachineAudit[] window = FleetAuditor.AuditParallel(
                new WindowList(machines, first, Math.Min(AuditWindow, machines.Count - first)),
                options,
                threads,
                cancellationToken: cancellationToken);
            foreach (MachineAudit audit in window)
            {
                onAudited(audit);
                yield return audit;
            }
        }
    }

    /// <summary>The audits in order, each passed to <paramref name="onAudited"/> as it is consumed.</summary>
    private static IEnumerable<MachineAudit> Observed(IEnumerable<MachineAudit> audits, Action<MachineAudit> onAudited)
    {
        foreach (MachineAudit audit in audits)
        {
            onAudited(audit);
            yield return audit;
        }
    }

    /// <summary>A slice of the plan without copying it.</summary>
    private sealed class WindowList(IReadOnlyList<MachineInput> all, int first, int count) : IReadOnlyList<MachineInput>
    {
        public MachineInput this[int index] => (uint)index < (uint)count ? all[first + index] : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => count;

        public IEnumerator<MachineInput> GetEnumerator()
        {
            for (int i = 0; i < count; i++)
            {
                yield return all[first + i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
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
        catch (Exception e) when (IoErrors.IsFileProblem(e))
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
