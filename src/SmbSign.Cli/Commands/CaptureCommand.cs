using System.CommandLine;
using System.Text;
using System.Text.Json;
using SmbSign.Capture;
using SmbSign.Capture.Analysis;
using SmbSign.Capture.Smb;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol.Errors;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SmbSign.Cli.Commands;

/// <summary><c>smbsign capture FILE… [-u [DOMAIN\]USER] [--password-file FILE] [--keys FILE] [--keytab FILE…] [--port N…] [--format
/// table|json] [-o FILE]</c>: reads pcap/pcapng captures (or stdin as "-") and reports, per connection and session,
/// dialect, who required signing, signed/unsigned/encrypted counts and — with a password or keys file — how many
/// signatures verified or failed, with findings in plain words. Exit 0 after a report without failures; 1 when a
/// message was not signed although signing was required, a signature failed, or the password does not match a captured
/// AUTHENTICATE or a keytab key fails a captured Kerberos ticket's integrity check; 2 for an unreadable or malformed file (with the byte offset), an input that is not a regular file, an
/// -o naming an input, a bad keys file (with the line) or a malformed keytab (with the byte offset).</summary>
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
        Option<string?> user = new("--user", "-u")
        {
            Description = @"[DOMAIN\]USER whose password verifies the signatures of that user's NTLMv2 sessions (password from --password-file, $" + PasswordInput.Variable + ", or a prompt)",
        };
        Option<FileInfo?> passwordFile = PasswordInput.CreateOption();
        Option<FileInfo?> keys = new("--keys")
        {
            Description = "Session keys: lines 'SESSION_ID SESSION_KEY' (hex; Wireshark's SMB2 session key table works)",
            HelpName = "FILE",
        };
        Option<FileInfo[]> keytabs = new("--keytab")
        {
            Description = "The server's keytab (MIT format: ktutil, samba-tool domain exportkeytab, ktpass): decrypts the Kerberos tickets of captured sessions (AES-SHA1, RC4) to verify their signatures; repeatable",
            HelpName = "FILE",
        };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);
        Option<FileInfo?> output = CommonOptions.Output();
        Command command = new("capture", "Report the SMB sessions in packet captures: dialect, who required signing, signed/unsigned/encrypted messages; with -u, --keys or --keytab, verify every signature. Exit 0 report, 1 a message unsigned although signing was required, a signature failed, or the password or keytab key is wrong, 2 unreadable input.")
        {
            files, user, passwordFile, keys, keytabs, ports, format, output,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            string[] paths = parseResult.GetRequiredValue(files);
            var options = new SmbCaptureOptions { ExtraServerPorts = parseResult.GetValue(ports) ?? [] };
            FileInfo? outputFile = parseResult.GetValue(output);
            foreach (string path in paths)
            {
                RequireReadableKind(path);
            }

            // Before any work: the report never replaces an input (however it is reached) and replaces another existing
            // file only as documented (-o writes atomically over it).
            string? outputPath = outputFile is null ? null : new OutputFileGuard()
                .AddInputs("input capture", paths)
                .AddInput("--keys file", parseResult.GetValue(keys)?.FullName)
                .AddInput("--password-file", parseResult.GetValue(passwordFile)?.FullName)
                .AddInputs("--keytab file", (parseResult.GetValue(keytabs) ?? []).Select(k => k.FullName))
                .CheckFile("-o", outputFile.ToString(), replaceExisting: true);

            if (parseResult.GetValue(passwordFile) is not null && parseResult.GetValue(user) is null)
            {
                throw new CliException("--password-file needs -u/--user: the password is matched against that user's captured AUTHENTICATE.");
            }

            using CaptureCredentials? credentials = ReadCredentials(services, parseResult.GetValue(user), parseResult.GetValue(passwordFile), parseResult.GetValue(keys), parseResult.GetValue(keytabs) ?? []);
            var builder = new CaptureSummaryBuilder(credentials);
            foreach (string path in paths)
            {
                Analyse(services, path, builder, options, cancellationToken);
            }

            CaptureSummary summary = builder.Build();
            OutputFormat chosen = parseResult.GetValue(format);
            string text = chosen == OutputFormat.Json
                ? ReportMetadata.Stamp(JsonSerializer.Serialize(CaptureJsonMapper.Map(summary), CaptureJsonContext.Default.CaptureReportJson), services.Time) + "\n"
                : RenderTable(services, summary, outputPath is not null);
            if (outputPath is not null)
            {
                WriteOutput(outputPath, text);
            }
            else if (chosen == OutputFormat.Json)
            {
                services.Out.Write(text);
            }

            // Exit 1 for what the report proves wrong: a message that had to be signed and was not, a signature that
            // does not verify, or a password or keytab key that does not match (the requested verification could not be
            // done; for a keytab key that passes no integrity check, an altered ticket is as likely as a wrong key).
            bool failed = summary.UnsignedWhileRequired > 0 || summary.SignatureFailures > 0 || summary.WrongPasswordSessions > 0 || summary.WrongKeySessions > 0;
            return Task.FromResult(failed ? ExitCodes.Findings : ExitCodes.Success);
        });
        return command;
    }

    /// <summary>-u with its password, --keys and/or --keytab; null when none was given (counting only).</summary>
    private static CaptureCredentials? ReadCredentials(CliServices services, string? userText, FileInfo? passwordFile, FileInfo? keysFile, FileInfo[] keytabs)
    {
        if (userText is null && keysFile is null && keytabs.Length == 0)
        {
            return null;
        }

        CaptureCredentials credentials;
        if (userText is not null)
        {
            if (!VerifyUser.TryParse(userText, out VerifyUser? parsed, out string error))
            {
                throw new CliException(error);
            }

            credentials = CaptureCredentials.FromPassword(parsed!.User, parsed.Domain, PasswordInput.Read(services, passwordFile));
        }
        else
        {
            credentials = CaptureCredentials.Empty();
        }

        foreach (FileInfo keytab in keytabs)
        {
            ReadKeytab(credentials, keytab);
        }

        if (keysFile is null)
        {
            return credentials;
        }

        if (Directory.Exists(keysFile.FullName))
        {
            credentials.Dispose();
            throw new CliException($"--keys: '{keysFile.FullName}' is a folder; give the keys file.");
        }

        try
        {
            using var reader = new StreamReader(keysFile.FullName, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            credentials.LoadKeysFile(reader, keysFile.Name);
            return credentials;
        }
        catch (CaptureKeysFileException e)
        {
            credentials.Dispose();
            throw new CliException($"--keys {e.Message}");
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            credentials.Dispose();
            throw new CliException($"--keys: cannot read '{keysFile.FullName}': {e.GetType().Name}");
        }
    }

    /// <summary>Reads one keytab into <paramref name="credentials"/> (disposing them on error): at most
    /// <see cref="Protocol.Kerberos.Keytab.MaxFileBytes"/>, errors name the file and byte offset, never key bytes.</summary>
    private static void ReadKeytab(CaptureCredentials credentials, FileInfo keytab)
    {
        try
        {
            if (Directory.Exists(keytab.FullName))
            {
                throw new CliException($"--keytab: '{keytab.FullName}' is a folder; give the keytab file.");
            }

            if (FileIdentity.Probe(keytab.FullName, out _) is FileKind.Fifo or FileKind.CharacterDevice or FileKind.BlockDevice or FileKind.Socket)
            {
                throw new CliException($"--keytab: '{keytab.FullName}' is not a regular file.");
            }

            byte[] contents;
            using (FileStream stream = File.OpenRead(keytab.FullName))
            {
                if (stream.Length > Protocol.Kerberos.Keytab.MaxFileBytes)
                {
                    throw new CliException($"--keytab {keytab.Name}: the file is larger than {Protocol.Kerberos.Keytab.MaxFileBytes / (1024 * 1024)} MiB; not a keytab.");
                }

                contents = new byte[stream.Length];
                stream.ReadExactly(contents);
            }

            try
            {
                credentials.LoadKeytab(contents, keytab.Name);
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(contents);
            }
        }
        catch (CaptureKeysFileException e)
        {
            credentials.Dispose();
            throw new CliException($"--keytab {e.Message}");
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            credentials.Dispose();
            throw new CliException($"--keytab: cannot read '{keytab.FullName}': {e.GetType().Name}");
        }
        catch (CliException)
        {
            credentials.Dispose();
            throw;
        }
    }

    /// <summary>Refuses what is not a regular file before anything is opened: opening a named pipe blocks until a writer
    /// appears (a hang), and a device never ends. Standard input ('-') is how a stream is given.</summary>
    private static void RequireReadableKind(string path)
    {
        if (path == "-")
        {
            return;
        }

        const string stream = "To read a stream, pipe it to standard input and give '-'.";
        string? problem = FileIdentity.Probe(path, out _) switch
        {
            FileKind.Fifo => $"is a named pipe (FIFO), not a capture file. {stream}",
            FileKind.CharacterDevice or FileKind.BlockDevice => $"is a device, not a capture file. {stream}",
            FileKind.Socket => $"is a socket, not a capture file. {stream}",
            FileKind.Directory => "is a folder; give the capture files in it.",
            _ => null,
        };
        if (problem is not null)
        {
            throw new CliException($"{path}: {problem}");
        }
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
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
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
            catch (Exception e) when (IoErrors.IsFileProblem(e))
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
