using Spectre.Console;
using SmbSign.Cli;

return await CliApp.RunAsync(args, CliServices.CreateDefault(AnsiConsole.Console)).ConfigureAwait(false);
