using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol.Errors;
using SmbSign.Wire.Listen;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SmbSign.Cli.Commands;

/// <summary><c>smbsign listen [--address ADDR] [--port PORT] [--test observe|unsigned|bad-signature] [--share NAME]
/// [--user USER] [--password-file FILE] [--clients N] [--duration SECONDS] [--expect-required] [--format
/// table|json|jsonl] [-o FILE]</c>: an SMB test server that reports, per client connection, what the client advertised
/// and whether it refused unsigned or badly signed answers. Exit 0 when every client behaved as required; 1 when a client
/// did not enforce signing in a test mode, or (with --expect-required) did not advertise the requirement; 2 for usage
/// errors, an existing -o file or an address that cannot be bound.</summary>
internal static class ListenCommand
{
    public static Command Create(CliServices services)
    {
        Option<string> address = new("--address")
        {
            Description = "Address to listen on (default 0.0.0.0; use 127.0.0.1 for a local test)",
            DefaultValueFactory = _ => "0.0.0.0",
        };
        Option<int> port = new("--port", "-p")
        {
            Description = "TCP port (default 445; 0 picks a free port)",
            DefaultValueFactory = _ => 445,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                result.AddError($"--port: {result.GetValueOrDefault<int>()} is not a TCP port (0-65535).");
            }
        });
        Option<string> test = new("--test")
        {
            Description = "observe (answer correctly), unsigned (answer after TREE_CONNECT without a signature) or bad-signature (with a wrong one)",
            DefaultValueFactory = _ => "observe",
        };
        test.AcceptOnlyFromAmong("observe", "unsigned", "bad-signature");
        Option<string> share = new("--share")
        {
            Description = "Name of the read-only share holding probe.txt (default probe)",
            DefaultValueFactory = _ => "probe",
        };
        Option<string?> user = new("--user", "-u")
        {
            Description = $"Verify this user's NTLMv2 logon and sign with real keys (password from --password-file or ${PasswordInput.Variable}); without it only guest logons are offered",
        };
        Option<FileInfo?> passwordFile = PasswordInput.CreateOption();
        Option<int?> clients = new("--clients")
        {
            Description = "Stop after this many client connections have ended",
        };
        Option<double?> duration = new("--duration")
        {
            Description = "Stop after this many seconds",
        };
        Option<int> maxConnections = new("--max-connections")
        {
            Description = "Connections served at once; more are closed at accept (default 16)",
            DefaultValueFactory = _ => 16,
        };
        Option<double> connectionTimeout = new("--connection-timeout")
        {
            Description = "Seconds a connection may last before it is closed (default 60)",
            DefaultValueFactory = _ => 60,
        };
        Option<bool> expectRequired = new("--expect-required")
        {
            Description = "Exit 1 when a client does not advertise that it requires signing",
        };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json, OutputFormat.Jsonl);
        Option<FileInfo?> output = new("--output", "-o")
        {
            Description = "Write the report to FILE, which must not exist yet (never overwritten)",
        };
        RunStore store = new();
        clients.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--clients: must be at least 1.");
            }
        });
        duration.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } d && (d <= 0 || double.IsNaN(d) || d > 7 * 24 * 3600))
            {
                result.AddError("--duration: must be between 0 and 604800 seconds.");
            }
        });
        maxConnections.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1024)
            {
                result.AddError("--max-connections: must be 1-1024.");
            }
        });
        connectionTimeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is var t && (t < 1 || t > 3600 || double.IsNaN(t)))
            {
                result.AddError("--connection-timeout: must be 1-3600 seconds.");
            }
        });

        Command command = new("listen", "Run an SMB test server and report, per client, whether it requires signing (advertised) and enforces it (refuses unsigned or badly signed answers). Exit 0 ok, 1 a client did not enforce (or, with --expect-required, did not require), 2 usage error.")
        {
            address, port, test, share, user, passwordFile, clients, duration, maxConnections, connectionTimeout, expectRequired, format, output,
        };
        store.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!IPAddress.TryParse(parseResult.GetValue(address), out IPAddress? ip))
            {
                throw new CliException($"--address: '{parseResult.GetValue(address)}' is not an IP address.");
            }

            FileInfo? outputFile = parseResult.GetValue(output);
            if (outputFile is not null && (outputFile.Exists || Directory.Exists(outputFile.FullName)))
            {
                throw new CliException($"-o {outputFile.FullName}: the file exists; listen never overwrites a file (choose a new name).");
            }

            string? userName = parseResult.GetValue(user);
            if (parseResult.GetValue(passwordFile) is not null && userName is null)
            {
                throw new CliException("--password-file needs --user: the password verifies that user's logon.");
            }

            string? password = userName is null ? null : PasswordInput.Read(services, parseResult.GetValue(passwordFile));
            Reporting.Store.StoreLocation? storeLocation = await store.ResolveAsync(services, parseResult, cancellationToken).ConfigureAwait(false);
            ListenTestMode mode = parseResult.GetValue(test) switch
            {
                "unsigned" => ListenTestMode.Unsigned,
                "bad-signature" => ListenTestMode.BadSignature,
                _ => ListenTestMode.Observe,
            };
            var options = new ListenOptions
            {
                Address = ip,
                Port = parseResult.GetValue(port),
                Mode = mode,
                Share = parseResult.GetValue(share) ?? "probe",
                User = userName,
                MaxConcurrentConnections = parseResult.GetValue(maxConnections),
                ConnectionDeadline = TimeSpan.FromSeconds(parseResult.GetValue(connectionTimeout)),
            };
            return await RunAsync(services, options, password, parseResult.GetValue(clients), parseResult.GetValue(duration),
                parseResult.GetValue(expectRequired), parseResult.GetValue(format), outputFile, storeLocation, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        CliServices services, ListenOptions options, string? password, int? maxClients, double? seconds, bool expectRequired,
        OutputFormat format, FileInfo? outputFile, Reporting.Store.StoreLocation? storeLocation, CancellationToken cancellationToken)
    {
        ListenServer server;
        try
        {
            server = ListenServer.Start(options, password, services.Time);
        }
        catch (SocketException e)
        {
            throw new CliException($"cannot listen on {options.Address}:{options.Port}: {e.Message}{(options.Port is > 0 and < 1024 ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE; another SMB server may hold 445)" : string.Empty)}");
        }

        string authentication = options.User is null ? "guest only (no --user)" : $"NTLMv2 for {options.User}";
        string listening = server.LocalEndPoint.ToString();
        await services.Error.WriteLineAsync(
            $"smbsign listen: listening on {listening}, share \\\\HOST\\{options.Share}, test {ListenRendering.ModeName(options.Mode)}, {authentication}; stop with Ctrl-C").ConfigureAwait(false);
        var reports = new List<ListenClientJson>();
        using var limit = seconds is { } s ? new CancellationTokenSource(TimeSpan.FromSeconds(s), services.Time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        await using (server.ConfigureAwait(false))
        {
            try
            {
                while (maxClients is null || reports.Count < maxClients)
                {
                    ListenClientReport report = await server.Reports.ReadAsync(linked.Token).ConfigureAwait(false);
                    ListenClientJson json = ListenRendering.Map(report);
                    reports.Add(json);
                    if (format == OutputFormat.Jsonl && outputFile is null)
                    {
                        await services.Out.WriteLineAsync(ReportMetadata.Stamp(JsonSerializer.Serialize(json, ListenJsonLineContext.Default.ListenClientJson), services.Time)).ConfigureAwait(false);
                        await services.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                    else if (format == OutputFormat.Table)
                    {
                        await services.Error.WriteLineAsync(
                            $"client #{json.Connection} {json.Client}: requires signing {Word(json.RequiresSigning, "unknown")}, enforces {Word(json.EnforcesSigning, "untested")}").ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or --duration: stop and report what was seen.
            }

            await server.StopAsync().ConfigureAwait(false);

            // Connections that were still open when the listener stopped report as they close.
            while (server.Reports.TryRead(out ListenClientReport? late) && (maxClients is null || reports.Count < maxClients))
            {
                ListenClientJson json = ListenRendering.Map(late);
                reports.Add(json);
                if (format == OutputFormat.Jsonl && outputFile is null)
                {
                    await services.Out.WriteLineAsync(ReportMetadata.Stamp(JsonSerializer.Serialize(json, ListenJsonLineContext.Default.ListenClientJson), services.Time)).ConfigureAwait(false);
                }
            }
        }

        int notEnforcing = reports.Count(r => r.EnforcesSigning == false);
        int notRequiring = reports.Count(r => r.RequiresSigning != true);
        var document = new ListenReportJson(listening, ListenRendering.ModeName(options.Mode), options.Share, authentication, reports, server.RefusedConnections, notEnforcing, notRequiring);
        string header = $"smbsign listen on {listening}, test {document.Mode}, {authentication}: {reports.Count} client(s)" +
            (server.RefusedConnections > 0 ? $", {server.RefusedConnections} refused over the connection cap" : string.Empty);
        string? text = format switch
        {
            OutputFormat.Json => ReportMetadata.Stamp(JsonSerializer.Serialize(document, ListenJsonContext.Default.ListenReportJson), services.Time) + "\n",
            OutputFormat.Jsonl when outputFile is not null => string.Concat(reports.Select(r => ReportMetadata.Stamp(JsonSerializer.Serialize(r, ListenJsonLineContext.Default.ListenClientJson), services.Time) + "\n")),
            OutputFormat.Table when outputFile is not null => RenderToText(ListenRendering.RenderTable(reports, header)),
            _ => null,
        };
        if (outputFile is not null)
        {
            try
            {
                AtomicFile.CreateNew(outputFile.FullName, stream => stream.Write(new UTF8Encoding(false).GetBytes(text ?? string.Empty)));
            }
            catch (Exception e) when (IoErrors.IsFileProblem(e))
            {
                throw new CliException($"-o {outputFile.FullName}: {e.Message} (listen never overwrites a file).");
            }
        }
        else if (format == OutputFormat.Json)
        {
            await services.Out.WriteAsync(text).ConfigureAwait(false);
        }
        else if (format == OutputFormat.Table)
        {
            foreach (IRenderable renderable in ListenRendering.RenderTable(reports, header))
            {
                services.Console.Write(renderable);
            }
        }

        // Recorded after Ctrl-C or --duration too: what was seen until then is the run. Compared with runs of the same mode.
        await RunStore.RecordAsync(
            services, storeLocation, Reporting.Records.RunKind.Listen,
            ReportMetadata.Stamp(JsonSerializer.Serialize(document, ListenJsonContext.Default.ListenReportJson), services.Time),
            ["--address " + options.Address, "--test " + document.Mode],
            CancellationToken.None).ConfigureAwait(false);
        bool failed = notEnforcing > 0 || (expectRequired && options.Mode == ListenTestMode.Observe && notRequiring > 0);
        return failed ? ExitCodes.Findings : ExitCodes.Success;
    }

    private static string Word(bool? value, string unknown) => value switch
    {
        true => "yes",
        false => "no",
        _ => unknown,
    };

    private static string RenderToText(IEnumerable<IRenderable> renderables)
    {
        var writer = new StringWriter(new StringBuilder());
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 160;
        foreach (IRenderable renderable in renderables)
        {
            console.Write(renderable);
        }

        return writer.ToString();
    }
}
