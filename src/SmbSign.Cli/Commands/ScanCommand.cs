using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol.Errors;
using SmbSign.Wire.Scanning;
using Spectre.Console;

namespace SmbSign.Cli.Commands;

/// <summary><c>smbsign scan</c>: what every server advertises about SMB1 and SMB2 signing, read from the raw SecurityMode
/// bits on the wire, without credentials. See docs/cli/scan.md.</summary>
internal static class ScanCommand
{
    public static Command Create(CliServices services)
    {
        Argument<string[]> targets = new("targets")
        {
            Description = "Names, IPv4/IPv6 addresses, CIDR (10.0.0.0/24), ranges (10.0.0.1-20, 10.0.0.250-10.0.1.5); optional :PORT ([v6]:PORT).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        Option<string[]> inputLists = new("-iL", "--input-list")
        {
            Description = "Read more targets from FILE (whitespace/newline separated, '#' comments). Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
            HelpName = "FILE",
        };
        Option<int> port = new("--port", "-p") { Description = "TCP port (default 445).", DefaultValueFactory = _ => 445, HelpName = "PORT" };
        Option<bool> deep = new("--deep") { Description = "Also enumerate accepted dialects (one connection each) and 3.1.1 signing algorithms (one each)." };
        Option<int> concurrency = new("--concurrency") { Description = "Targets probed at once (default 128).", DefaultValueFactory = _ => 128, HelpName = "N" };
        Option<int> timeout = new("--timeout") { Description = "Deadline per target in milliseconds, all connections included (default 5000).", DefaultValueFactory = _ => 5000, HelpName = "MS" };
        Option<string?> rate = new("--rate") { Description = "Start at most N targets per second, e.g. 100/s.", HelpName = "N/s" };
        Option<string?> shard = new("--shard") { Description = "Probe only shard I of N (every N-th target starting at the I-th), e.g. 2/4.", HelpName = "I/N" };
        Option<string?> clientOs = new("--client-os") { Description = "Judge each server against this client OS's defaults (adds clientOutcome: signed, not-signed or fails).", HelpName = "ID" };
        Option<FileInfo?> clientConfig = new("--client-config") { Description = "Judge each server against this client configuration file (adds clientOutcome: signed, not-signed or fails).", HelpName = "FILE" };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json, OutputFormat.Jsonl, OutputFormat.Csv);
        Option<FileInfo?> output = CommonOptions.Output();
        Option<FileInfo?> relayList = new("--relay-list") { Description = "Write the addresses of NTLM relay targets (signing not required), one per line, de-duplicated.", HelpName = "FILE" };
        RunStore store = new();

        Command command = new("scan", "Probe SMB servers (no credentials) and report SMB1 and SMB2 signing as each server advertises it.")
        {
            targets, inputLists, port, deep, concurrency, timeout, rate, shard, clientOs, clientConfig, format, output, relayList,
        };
        store.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (ReferenceEquals(services.Out, Console.Out))
            {
                // Only as the process's own command: an in-process host (the tests) keeps the runtime's default.
                UseInlineSocketCompletions();
            }

            var settings = new ScanSettings(
                parseResult.GetValue(targets) ?? [],
                parseResult.GetValue(inputLists) ?? [],
                parseResult.GetValue(port),
                parseResult.GetValue(deep),
                parseResult.GetValue(concurrency),
                parseResult.GetValue(timeout),
                parseResult.GetValue(rate),
                parseResult.GetValue(shard),
                parseResult.GetValue(clientOs),
                parseResult.GetValue(clientConfig),
                parseResult.GetValue(format),
                parseResult.GetValue(output),
                parseResult.GetValue(relayList));
            return await RunAsync(services, settings, parseResult, store, cancellationToken);
        });
        return command;
    }

    private sealed record ScanSettings(
        string[] Targets, string[] InputLists, int Port, bool Deep, int Concurrency, int TimeoutMs, string? Rate, string? Shard,
        string? ClientOs, FileInfo? ClientConfig, OutputFormat Format, FileInfo? Output, FileInfo? RelayList);

    private static async Task<int> RunAsync(CliServices services, ScanSettings settings, ParseResult parseResult, RunStore store, CancellationToken cancellationToken)
    {
        (TargetSource source, ScanOptions scanOptions, ProbeOptions probeOptions) = Validate(services, settings);
        Reporting.Store.StoreLocation? storeLocation = await store.ResolveAsync(services, parseResult, cancellationToken);

        // With --db the JSON document (the array --format json prints) is built beside the chosen format.
        using StringWriter? storeJson = storeLocation is null ? null : new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        ScanWriter? storeWriter = storeJson is null ? null : ScanWriter.Create(OutputFormat.Json, storeJson, maxWidth: null, color: false, time: services.Time);
        OutputFileGuard guard = new OutputFileGuard().AddInputs("-iL file", settings.InputLists).AddInput("--client-config file", settings.ClientConfig?.FullName);
        guard.CheckFile("-o", settings.Output, replaceExisting: true);
        guard.CheckFile("--relay-list", settings.RelayList, replaceExisting: true);
        ScanClientOutcome? clientOutcome = ScanClientOutcome.Create(settings.ClientOs, settings.ClientConfig);

        var prober = new SmbProber(probeOptions, services.Time);
        var scanner = new Scanner(prober, scanOptions, services.Time);
        var relay = new List<string>();
        var relaySeen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long count = 0, reachable = 0, relayTargets = 0, errors = 0, undetermined = 0;

        using OutputTarget target = OutputTarget.Open(settings.Output, services.Out);
        bool toTerminal = settings.Output is null && services.IsInteractive;
        ScanWriter writer = ScanWriter.Create(
            settings.Format,
            target.Writer,
            maxWidth: settings.Output is null ? LineWidth(services, toTerminal) : null,
            color: toTerminal && services.Console.Profile.Capabilities.Ansi && services.GetEnvironmentVariable("NO_COLOR") is null or "",
            time: services.Time);

        async Task ConsumeAsync(Action? onRow)
        {
            await foreach (ServerPosture posture in scanner.ScanAsync(source.Enumerate(), cancellationToken))
            {
                count++;
                reachable += posture.Reachable ? 1 : 0;
                errors += posture.Error is not null ? 1 : 0;
                if (posture.Reachable && posture.Error is not null && posture.RelayTarget is null)
                {
                    undetermined++;
                }

                if (posture.RelayTarget == true)
                {
                    relayTargets++;
                    string address = posture.Address?.ToString() ?? posture.Target.Host;
                    if (posture.Target.Port != 445)
                    {
                        address = posture.Address?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{posture.Target.Port}" : $"{address}:{posture.Target.Port}";
                    }

                    if (relaySeen.Add(address))
                    {
                        relay.Add(address);
                    }
                }

                ScanRow row = ScanRow.From(posture, clientOutcome?.Evaluate(posture));
                writer.Write(row);
                storeWriter?.Write(row);
                target.RowWritten();
                onRow?.Invoke();
            }
        }

        // The table streams its rows to the terminal, which shows the progress; a report written to a file gets a bar.
        bool showProgress = services.IsInteractive && settings.Output is not null;
        if (showProgress)
        {
            await services.Console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    ProgressTask task = context.AddTask("Probing", maxValue: Math.Max(1, source.Count));
                    await ConsumeAsync(() => task.Increment(1));
                });
        }
        else
        {
            await ConsumeAsync(null);
        }

        writer.Complete(new ScanSummary(count, reachable, relayTargets, errors));
        target.Commit();
        if (storeWriter is not null)
        {
            storeWriter.Complete(new ScanSummary(count, reachable, relayTargets, errors));
            List<string> inputs = [.. settings.Targets, .. settings.InputLists.Select(f => "-iL " + Path.GetFullPath(f))];
            inputs.Add(string.Create(CultureInfo.InvariantCulture, $"--port {settings.Port}"));
            if (settings.Shard is { } shardText)
            {
                inputs.Add("--shard " + shardText);
            }

            if (settings.Deep)
            {
                inputs.Add("--deep");
            }

            await RunStore.RecordAsync(services, storeLocation, Reporting.Records.RunKind.Scan, storeJson!.ToString(), inputs, cancellationToken);
        }

        if (settings.RelayList is { } relayFile)
        {
            var text = new StringBuilder();
            foreach (string address in relay)
            {
                text.Append(address).Append('\n');
            }

            AtomicFile.WriteAllText(relayFile.FullName, text.ToString());
            await services.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"smbsign: {relay.Count} relay target(s) written to {relayFile.FullName}"));
        }

        return relayTargets > 0 || undetermined > 0 ? ExitCodes.Findings : ExitCodes.Success;
    }

    /// <summary>The width table lines are cut at: COLUMNS when set to a positive number (as ls and ps honour it), else the
    /// terminal's width on a terminal; null (never cut) when the output is redirected without COLUMNS.</summary>
    private static int? LineWidth(CliServices services, bool toTerminal)
    {
        if (int.TryParse(services.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out int columns) && columns > 0)
        {
            return columns;
        }

        return toTerminal ? services.Console.Profile.Width : null;
    }

    private static (TargetSource, ScanOptions, ProbeOptions) Validate(CliServices services, ScanSettings settings)
    {
        if (settings.Targets.Length == 0 && settings.InputLists.Length == 0)
        {
            throw new CliException("scan: no targets; give TARGETS or -iL FILE.");
        }

        if (settings.Port is < 1 or > 65535)
        {
            throw new CliException($"--port: {settings.Port} is not 1-65535.");
        }

        if (settings.Concurrency is < 1 or > 16384)
        {
            throw new CliException($"--concurrency: {settings.Concurrency} is not 1-16384.");
        }

        if (settings.TimeoutMs is < 1 or > 600_000)
        {
            throw new CliException($"--timeout: {settings.TimeoutMs} ms is not 1-600000.");
        }

        double? rate = null;
        if (settings.Rate is { } rateText)
        {
            string number = rateText.EndsWith("/s", StringComparison.OrdinalIgnoreCase) ? rateText[..^2] : rateText;
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double perSecond) || !(perSecond > 0) || double.IsInfinity(perSecond))
            {
                throw new CliException($"--rate: '{rateText}' is not a positive rate such as 100/s.");
            }

            rate = perSecond;
        }

        Shard? shard = null;
        if (settings.Shard is { } shardText)
        {
            if (!Wire.Scanning.Shard.TryParse(shardText, out Shard parsed, out string? error))
            {
                throw new CliException(error ?? "--shard: invalid");
            }

            shard = parsed;
        }

        if (settings.ClientOs is { Length: 0 })
        {
            throw new CliException("--client-os: empty OS id.");
        }

        if (settings.ClientConfig is { Exists: false } missing)
        {
            throw new CliException($"--client-config: {missing.FullName} does not exist.");
        }

        TargetSource source;
        try
        {
            foreach (string file in settings.InputLists)
            {
                if (!File.Exists(file))
                {
                    throw new CliException($"-iL: {Path.GetFullPath(file)} does not exist.");
                }
            }

            source = TargetSource.Create(settings.Targets, settings.InputLists, settings.Port, shard);
        }
        catch (TargetParseException e)
        {
            throw new CliException($"target: {e.Message}");
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            throw new CliException($"-iL: {e.Message}");
        }

        if (source.TotalBeforeShard == 0)
        {
            throw new CliException("scan: the target lists are empty.");
        }

        _ = services;
        return (
            source,
            new ScanOptions { Concurrency = settings.Concurrency, RatePerSecond = rate, PreserveOrder = true },
            new ProbeOptions { Timeout = TimeSpan.FromMilliseconds(settings.TimeoutMs), Deep = settings.Deep });
    }

    /// <summary>
    /// A probe's continuations are short (parse a small reply, send the next request), so on Linux/macOS running them on
    /// the socket event thread instead of handing each to the thread pool saves ~20% of the scanner's system CPU on large
    /// scans. The runtime reads this once, when the first socket is created, so it is set before any; a value the user
    /// set wins.
    /// </summary>
    private static void UseInlineSocketCompletions()
    {
        const string name = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (!OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable(name) is null)
        {
            Environment.SetEnvironmentVariable(name, "1");
        }
    }

    /// <summary>Where the report goes: stdout, or a temp file beside FILE renamed over it on success (never a torn file).</summary>
    private sealed class OutputTarget : IDisposable
    {
        /// <summary>How long rows may wait in the stdout buffer: a pipe reader still sees them promptly.</summary>
        private static readonly TimeSpan s_flushInterval = TimeSpan.FromMilliseconds(200);

        private readonly string? _path;
        private readonly string? _temp;
        private readonly bool _bufferedStdout;
        private long _lastFlush = Stopwatch.GetTimestamp();
        private bool _committed;

        private OutputTarget(TextWriter writer, string? path, string? temp, bool bufferedStdout = false)
        {
            Writer = writer;
            _path = path;
            _temp = temp;
            _bufferedStdout = bufferedStdout;
        }

        public TextWriter Writer { get; }

        public static OutputTarget Open(FileInfo? file, TextWriter stdout)
        {
            if (file is null)
            {
                // Console.Out flushes on every write (three write syscalls per row); a large scan spends real CPU on
                // that, so the process's own stdout gets a buffer flushed at least every s_flushInterval.
                return ReferenceEquals(stdout, Console.Out)
                    ? new OutputTarget(new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { NewLine = "\n" }, null, null, bufferedStdout: true)
                    : new OutputTarget(stdout, null, null);
            }

            string full = file.FullName;
            string directory = Path.GetDirectoryName(full) ?? ".";
            Directory.CreateDirectory(directory);
            string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            var writer = new StreamWriter(new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None), new UTF8Encoding(false)) { NewLine = "\n" };
            return new OutputTarget(writer, full, temp);
        }

        public void RowWritten()
        {
            if (_bufferedStdout && Stopwatch.GetElapsedTime(_lastFlush) >= s_flushInterval)
            {
                Writer.Flush();
                _lastFlush = Stopwatch.GetTimestamp();
            }
        }

        public void Commit()
        {
            if (_path is null)
            {
                Writer.Flush();
                return;
            }

            Writer.Dispose();
            File.Move(_temp!, _path, overwrite: true);
            _committed = true;
        }

        public void Dispose()
        {
            if (_bufferedStdout)
            {
                Writer.Flush();
                return;
            }

            if (_path is null || _committed)
            {
                return;
            }

            Writer.Dispose();
            if (File.Exists(_temp))
            {
                File.Delete(_temp);
            }
        }
    }
}
