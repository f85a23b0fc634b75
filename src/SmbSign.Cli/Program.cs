using Spectre.Console;
using SmbSign.Cli;

// Colour and cursor control only on a terminal: Spectre decides ANSI support from TERM, so a redirected stdout
// (a pipe or "> report.txt") would otherwise receive escape codes. NO_COLOR (no-color.org) turns colour off too.
IAnsiConsole console = Console.IsOutputRedirected || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
    ? AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = Console.IsOutputRedirected ? InteractionSupport.No : InteractionSupport.Detect,
    })
    : AnsiConsole.Console;
// System.CommandLine cancels the command's token on Ctrl-C; this only remembers that it was the user, for exit code 130.
Console.CancelKeyPress += (_, _) => CliApp.MarkInterrupted();
using System.Runtime.InteropServices.PosixSignalRegistration sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => CliApp.MarkInterrupted());
return await CliApp.RunAsync(args, CliServices.CreateDefault(console)).ConfigureAwait(false);
