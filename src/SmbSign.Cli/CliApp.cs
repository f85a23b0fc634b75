using System.CommandLine;
using SmbSign.Cli.Commands;

namespace SmbSign.Cli;

/// <summary>Builds the command tree and runs it with SmbSign's exit-code and error conventions.</summary>
public static class CliApp
{
    public static RootCommand CreateRootCommand(CliServices services)
    {
        RootCommand root = new("SmbSign: configure SMB signing with confidence. Knows every signing setting, audits exports against CIS, writes remediation, and proves signing on the wire.");
        foreach (Command command in CreateCommands(services))
        {
            root.Subcommands.Add(command);
        }

        // --version prints what `smbsign version` prints (version, commit, runtime, crypto paths), not only the number.
        foreach (VersionOption version in root.Options.OfType<VersionOption>())
        {
            version.Action = new VersionCommand.PrintAction(services);
        }

        return root;
    }

    private static IEnumerable<Command> CreateCommands(CliServices services)
    {
        // One line per command; each command lives in Commands/<Name>Command.cs.
        yield return VersionCommand.Create(services);
        yield return ExplainCommand.Create(services);
        yield return MatrixCommand.Create(services);
        yield return EvaluateCommand.Create(services);
        yield return SignatureCommand.Create(services);
        yield return BenchCommand.Create(services);
        yield return ScanCommand.Create(services);
        yield return CaptureCommand.Create(services);
        yield return AuditCommand.Create(services);
        yield return FixCommand.Create(services);
        yield return VerifyCommand.Create(services);
        yield return ListenCommand.Create(services);
        yield return ReportCommand.Create(services);
        yield return HistoryCommand.Create(services);
        yield return CompletionCommand.Create(services);
        yield return CompletionCommand.CreateManPage(services);
    }

    private static volatile bool s_interrupted;

    /// <summary>Records that the user pressed Ctrl-C (or the process got SIGTERM): a cancelled command then exits 130.</summary>
    public static void MarkInterrupted() => s_interrupted = true;

    /// <summary>Parses and runs <paramref name="args"/>: parse errors exit 2 with the message on stderr; user errors exit 2; bugs exit 3 without a stack trace.</summary>
    public static async Task<int> RunAsync(string[] args, CliServices services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        RootCommand root = CreateRootCommand(services);
        ParseResult parseResult;
        try
        {
            parseResult = root.Parse(args);
        }
        catch (InvalidOperationException e)
        {
            // A validator that reads a value the parser could not convert throws here. Its message quotes the value,
            // which may be a secret typed after the wrong option: name the option only.
            System.Text.RegularExpressions.Match option = System.Text.RegularExpressions.Regex.Match(e.Message, "for option '([^']{1,40})'");
            await services.Error.WriteLineAsync(
                $"smbsign: the value given for {(option.Success ? option.Groups[1].Value : "an option")} is not valid (the value is not shown: it may be a secret). A password comes from SMBSIGN_PASSWORD or --password-file FILE, never from the command line.").ConfigureAwait(false);
            await services.Error.WriteLineAsync("Run 'smbsign --help' (or 'smbsign COMMAND --help') for usage.").ConfigureAwait(false);
            return ExitCodes.UsageOrInput;
        }

        // Before any work and before any parser message: unknown options and secrets given on the command line.
        IReadOnlyList<string> refused = ArgumentGuard.Check(parseResult, args, out IReadOnlyList<string> parserErrors);
        if (refused.Count > 0 || parserErrors.Count > 0)
        {
            foreach (string message in refused.Concat(parserErrors))
            {
                await services.Error.WriteLineAsync($"smbsign: {message}").ConfigureAwait(false);
            }

            await services.Error.WriteLineAsync("Run 'smbsign --help' (or 'smbsign COMMAND --help') for usage.").ConfigureAwait(false);
            return ExitCodes.UsageOrInput;
        }

        try
        {
            return await parseResult.InvokeAsync(
                new InvocationConfiguration { Output = services.Out, Error = services.Error, EnableDefaultExceptionHandler = false },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ExitCodes.IsUserError(e))
        {
            // Usage, input and peer problems, from any layer: one line, no stack trace; ExitCodes.For is the only mapping.
            await services.Error.WriteLineAsync($"smbsign: {e.Message}").ConfigureAwait(false);
            return ExitCodes.For(e);
        }
        catch (OperationCanceledException) when (s_interrupted || cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C / SIGTERM: the shell convention is 128 + SIGINT.
            await services.Error.WriteLineAsync("smbsign: interrupted").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (OperationCanceledException)
        {
            await services.Error.WriteLineAsync("smbsign: cancelled").ConfigureAwait(false);
            return ExitCodes.UsageOrInput;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await services.Error.WriteLineAsync($"smbsign: internal error: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            if (services.GetEnvironmentVariable("SMBSIGN_DEBUG") == "1")
            {
                await services.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return ExitCodes.InternalError;
        }
    }
}
