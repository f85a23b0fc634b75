using System.CommandLine;
using SmbSign.Protocol.Errors;

namespace SmbSign.Cli.Commands;

/// <summary>Where <c>smbsign verify</c> and <c>smbsign capture</c> take a password from: <c>--password-file</c> (first
/// line), then <c>$SMBSIGN_PASSWORD</c>, then an echo-off prompt. Never argv; never echoed in messages.</summary>
internal static class PasswordInput
{
    /// <summary>Environment variable the password is read from.</summary>
    public const string Variable = "SMBSIGN_PASSWORD";

    public static Option<FileInfo?> CreateOption() => new("--password-file")
    {
        Description = $"Read the password from the first line of FILE (otherwise ${Variable}, otherwise a prompt)",
    };

    public static string Read(CliServices services, FileInfo? file)
    {
        if (file is not null)
        {
            if (Directory.Exists(file.FullName))
            {
                throw new CliException($"--password-file: '{file.FullName}' is a folder; give the file whose first line is the password.");
            }

            string text;
            try
            {
                text = File.ReadAllText(file.FullName, System.Text.Encoding.UTF8);
            }
            catch (Exception e) when (IoErrors.IsFileProblem(e))
            {
                throw new CliException($"--password-file: cannot read '{file.FullName}': {e.GetType().Name}");
            }

            int newline = text.IndexOfAny(['\r', '\n']);
            string line = newline < 0 ? text : text[..newline];
            if (line.Length == 0)
            {
                throw new CliException($"--password-file: the first line of '{file.FullName}' is empty.");
            }

            return line;
        }

        string? fromEnvironment = services.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        string? prompted = services.PromptSecret("Password: ");
        if (string.IsNullOrEmpty(prompted))
        {
            throw new CliException($"no password: set {Variable}, pass --password-file FILE, or run in a terminal to be prompted (passwords are never read from the command line).");
        }

        return prompted;
    }
}
