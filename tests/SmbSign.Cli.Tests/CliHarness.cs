using System.Diagnostics;
using Spectre.Console;

namespace SmbSign.Cli.Tests;

/// <summary>
/// Runs the real command tree and captures stdout, stderr and the exit code: in-process by default, or, when
/// <c>SMBSIGN_CLI_UNDER_TEST</c> names an smbsign executable, as that process. scripts/test.sh runs this suite a second
/// time that way against the native AOT binary, so the shipped binary passes the same tests as the JIT build.
/// </summary>
internal static class CliHarness
{
    /// <summary>The executable under test, or null for this build in-process.</summary>
    public static string? Executable { get; } = Environment.GetEnvironmentVariable("SMBSIGN_CLI_UNDER_TEST") is { Length: > 0 } path ? path : null;

    /// <summary>How long a run may take as a process before it is killed and reported (a hang must fail, not stall CI).</summary>
    private static readonly TimeSpan s_processTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Runs <paramref name="args"/>. A run given its own clock or a cancellation token stays in-process even under
    /// <c>SMBSIGN_CLI_UNDER_TEST</c>: a separate process cannot be handed either.
    /// </summary>
    public static async Task<CliRun> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        if (Executable is not null && time is null && !cancellationToken.CanBeCanceled)
        {
            return await RunProcessAsync(Executable, args, environment);
        }

        var output = new StringWriter();
        var error = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = Width;
        var services = new CliServices
        {
            Console = console,
            Out = output,
            Error = error,
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out string? value) ? value : null,
            Time = time ?? TimeProvider.System,
        };

        int exitCode = await CliApp.RunAsync(args, services, cancellationToken);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    private const int Width = 200;

    private static async Task<CliRun> RunProcessAsync(string executable, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        ProcessStartInfo start = SmbSign.Testing.ProcessRunner.StartInfo(executable, args);

        // In-process, the command sees only the test's variables; the process inherits the rest (PATH, HOME, the
        // Kerberos settings a test sets for the whole process) but no SMBSIGN_* variable and no colour setting, and
        // gets the in-process console's width through COLUMNS (read when output is redirected, as it is here).
        foreach (string name in start.Environment.Keys.Where(n => n.StartsWith("SMBSIGN_", StringComparison.Ordinal) || n == "NO_COLOR").ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["COLUMNS"] = Width.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        process.StandardInput.Close(); // no terminal and no input: as a scheduled task runs it
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using CancellationTokenSource timeout = new(s_processTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', args)} did not finish within {s_processTimeout.TotalMinutes} minutes");
        }

        return new CliRun(process.ExitCode, await output, await error);
    }
}

internal sealed record CliRun(int ExitCode, string Output, string Error);
