using System.CommandLine;
using System.Text;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Wire.Capture;
using SmbSign.Wire.Capture.Analysis;
using SmbSign.Wire.Capture.Smb;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SmbSign.Cli.Commands;

/// <summary><c>smbsign capture FILE… [--port N…] [--format table|json] [-o FILE]</c>: reads pcap/pcapng captures (or
/// stdin as "-") and reports, per connection and session, dialect, who required signing, and signed/unsigned/encrypted
/// counts, with findings in plain words. Exit 0 after a report; 2 for an unreadable or malformed file (with the byte
/// offset); 1 is reserved for signature failures once verification lands.</summary>
internal static class CaptureCommand
{
    private const long ProgressThreshold = 64L * 1024 * 1024;

    public static Command Create(CliServices services)
    {
        Argument<string[]> files = new("files")
        {
            Description = "pcap or pcapng files; '-' reads standard input",
            Arity = ArgumentArity.OneOrMore,
        };
        Option<int[]> ports = new("--port", "-p")
        {
            Description = "Extra TCP port(s) carrying SMB besides 445 and 139 (SMB on other ports is also recognised by its protocol id)",
            AllowMultipleArgumentsPerToken = true,
        };
        ports.Validators.Add(result =>
        {
            foreach (int port in result.GetValueOrDefault<int[]>() ?? [])
            {
                if (port is < 1 or > 65535)
                {
                    result.AddError($"--port: {port} is not a TCP port (1-65535).");
                }
            }
        });
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);
        Option<FileInfo?> output = CommonOptions.Output();
        Command command = new("capture", "Report the SMB sessions in packet captures: dialect, who required signing, signed/unsigned/encrypted messages.")
        {
            files, ports, format, output,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            string[] paths = parseResult.GetRequiredValue(files);
            var options = new SmbCaptureOptions { ExtraServerPorts = parseResult.GetValue(ports) ?? [] };
            FileInfo? outputFile = parseResult.GetValue(output);
            if (outputFile is not null)
            {
                foreach (string path in paths)
                {
                    if (path != "-" && string.Equals(Path.GetFullPath(path), outputFile.FullName, StringComparison.Ordinal))
                    {
                        throw new CliException($"-o {outputFile.Name}: refusing to overwrite an input capture.");
                    }
                }
            }

            var builder = new CaptureSummaryBuilder();
            foreach (string path in paths)
            {
                Analyse(services, path, builder, options, cancellationToken);
            }

            CaptureSummary summary = builder.Build();
            OutputFormat chosen = parseResult.GetValue(format);
            string text = chosen == OutputFormat.Json
                ? JsonSerializer.Serialize(CaptureJsonMapper.Map(summary), CaptureJsonContext.Default.CaptureReportJson) + "\n"
                : RenderTable(services, summary, outputFile is not null);
            if (outputFile is not null)
            {
                WriteOutput(outputFile.FullName, text);
            }
            else if (chosen == OutputFormat.Json)
            {
                services.Out.Write(text);
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Regular files are written atomically (temp file + rename). Device and process files (/dev/null,
    /// /dev/stdout, /proc/self/fd/N) are written in place: renaming over them would replace the device.</summary>
    private static void WriteOutput(string path, string text)
    {
        bool special = !OperatingSystem.IsWindows()
            && (path.StartsWith("/dev/", StringComparison.Ordinal) || path.StartsWith("/proc/", StringComparison.Ordinal));
        if (!special)
        {
            AtomicFile.WriteAllText(path, text);
            return;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        byte[] bytes = new UTF8Encoding(false).GetBytes(text);
        stream.Write(bytes);
    }

    private static void Analyse(CliServices services, string path, CaptureSummaryBuilder builder, SmbCaptureOptions options, CancellationToken cancellationToken)
    {
        builder.BeginSource(path);
        Stream stream;
        try
        {
            stream = path == "-"
                ? Console.OpenStandardInput()
                : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"{path}: cannot open: {e.Message}");
        }

        using (stream)
        {
            try
            {
                long length = stream.CanSeek ? stream.Length : 0;
                CaptureRunResult run = services.IsInteractive && length >= ProgressThreshold
                    ? RunWithProgress(services, path, stream, length, builder, options, cancellationToken)
                    : SmbCapturePipeline.Run(stream, builder, options, null, cancellationToken);
                builder.EndSource(run);
            }
            catch (CaptureFormatException e)
            {
                throw new CliException($"{path}: {e.Message}");
            }
            catch (IOException e)
            {
                throw new CliException($"{path}: read error: {e.Message}");
            }
        }
    }

    private static CaptureRunResult RunWithProgress(CliServices services, string path, Stream stream, long length, CaptureSummaryBuilder builder, SmbCaptureOptions options, CancellationToken cancellationToken)
    {
        CaptureRunResult? result = null;
        services.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(Path.GetFileName(path)), maxValue: length);
                var progress = new InlineProgress(bytes => task.Value = bytes);
                result = SmbCapturePipeline.Run(stream, builder, options, progress, cancellationToken);
            });
        return result!;
    }

    private static string RenderTable(CliServices services, CaptureSummary summary, bool toFile)
    {
        if (!toFile)
        {
            foreach (IRenderable renderable in CaptureTable.Render(summary))
            {
                services.Console.Write(renderable);
            }

            return string.Empty;
        }

        var writer = new StringWriter(new StringBuilder());
        IAnsiConsole fileConsole = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        fileConsole.Profile.Width = 160;
        foreach (IRenderable renderable in CaptureTable.Render(summary))
        {
            fileConsole.Write(renderable);
        }

        return writer.ToString();
    }

    /// <summary>Reports synchronously on the reading thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class InlineProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
