using Spectre.Console;

namespace SmbSign.Cli;

/// <summary>What commands need from the outside world, injected so tests run the real command tree in-process.</summary>
public sealed class CliServices
{
    public required IAnsiConsole Console { get; init; }

    /// <summary>Machine-readable output (JSON, CSV) goes here, never through markup.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Errors and warnings.</summary>
    public required TextWriter Error { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Environment lookup (secrets such as SMBSIGN_PASSWORD come from here, never from argv).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Reads a secret interactively with echo off; null when there is no terminal.</summary>
    public Func<string, string?> PromptSecret { get; init; } = _ => null;

    /// <summary>True when stdout is a terminal (progress bars, colour).</summary>
    public bool IsInteractive { get; init; }

    public static CliServices CreateDefault(IAnsiConsole console) => new()
    {
        Console = console,
        Out = System.Console.Out,
        Error = System.Console.Error,
        IsInteractive = !System.Console.IsOutputRedirected && !System.Console.IsInputRedirected,
        PromptSecret = prompt =>
        {
            if (System.Console.IsInputRedirected)
            {
                return null;
            }

            return console.Prompt(new TextPrompt<string>(prompt).Secret().AllowEmpty());
        },
    };
}
