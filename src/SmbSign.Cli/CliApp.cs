using System.CommandLine;
using SmbSign.Cli.Commands;
using SmbSign.Protocol;

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
    }

    /// <summary>Parses and runs <paramref name="args"/>: parse errors exit 2 with the message on stderr; user errors exit 2; bugs exit 3 without a stack trace.</summary>
    public static async Task<int> RunAsync(string[] args, CliServices services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        RootCommand root = CreateRootCommand(services);
        ParseResult parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parseResult.Errors)
            {
                await services.Error.WriteLineAsync($"smbsign: {error.Message}").ConfigureAwait(false);
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
        catch (CliException e)
        {
            await services.Error.WriteLineAsync($"smbsign: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (SmbProtocolException e)
        {
            await services.Error.WriteLineAsync($"smbsign: {e.Message}").ConfigureAwait(false);
            return ExitCodes.UsageOrInput;
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
