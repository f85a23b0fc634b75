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
if (Console.IsOutputRedirected)
{
    // A pipe or file has no terminal width; Spectre would assume 80 and wrap table cells and notes inside their words.
    // COLUMNS (POSIX) decides when set; otherwise lines may be as long as their content needs, up to 240 columns.
    string? columnsText = Environment.GetEnvironmentVariable("COLUMNS");
    console.Profile.Width = int.TryParse(columnsText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int columns) && columns >= 20
        ? columns
        : 240;
}

// System.CommandLine cancels the command's token on Ctrl-C; this only remembers that it was the user, for exit code 130.
Console.CancelKeyPress += (_, _) => CliApp.MarkInterrupted();
using System.Runtime.InteropServices.PosixSignalRegistration sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => CliApp.MarkInterrupted());
return await CliApp.RunAsync(args, CliServices.CreateDefault(console)).ConfigureAwait(false);
