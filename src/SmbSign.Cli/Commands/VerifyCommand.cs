using System.CommandLine;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol;
using SmbSign.Protocol.Errors;
using SmbSign.Wire.Scanning;
using SmbSign.Wire.Session;

namespace SmbSign.Cli.Commands;

/// <summary><c>smbsign verify //HOST[:PORT]/SHARE -u [DOMAIN\]USER</c>: opens an authenticated session, signs every
/// request the rules require, verifies every response that must be signed, and reports whether signing was enforced.</summary>
internal static class VerifyCommand
{
    /// <summary>Environment variable the password is read from.</summary>
    public const string PasswordVariable = PasswordInput.Variable;

    private static readonly string[] s_dialects = ["2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "smb1"];

    public static Command Create(CliServices services)
    {
        Argument<string[]> target = new("target")
        {
            Description = "//HOST[:PORT]/SHARE (share defaults to IPC$; IPv6 as //[::1]:445/share); or several hosts, host:port or CIDR ranges as 'scan' takes them, with --share",
            Arity = ArgumentArity.OneOrMore,
        };
        Option<string?> share = new("--share")
        {
            Description = "Verify every target (hosts, host:port, CIDR ranges, -iL lists) on this share: one verdict per host and a summary",
            HelpName = "NAME",
        };
        Option<string[]> inputLists = new("-iL", "--input-list")
        {
            Description = "With several targets: read more from FILE (whitespace/newline separated, '#' comments). Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
            HelpName = "FILE",
        };
        Option<int> concurrency = new("--concurrency")
        {
            Description = "With several targets: hosts verified at once (default 8)",
            DefaultValueFactory = _ => 8,
            HelpName = "N",
        };
        Option<string?> user = new("--user", "-u")
        {
            Description = @"[DOMAIN\]USER or USER@REALM to authenticate as (NTLMv2; with -k the Kerberos principal, optional when the credential cache names it)",
        };
        Option<string?> targetIp = new("--target-ip")
        {
            Description = "Connect to this IP address; HOST in the target still names the server (the Kerberos SPN cifs/HOST and the share path), like smbclient -I",
            HelpName = "ADDRESS",
        };
        var authentication = new AuthenticationOptions();
        Option<string?> dialect = new("--dialect")
        {
            Description = "Ask for exactly this dialect: " + string.Join('|', s_dialects) + " (default: the best the server offers among 2.0.2-3.1.1)",
        };
        Option<string?> algorithm = new("--signing-algorithm")
        {
            Description = "At 3.1.1, offer only this signing algorithm: hmac|cmac|gmac (default: offer gmac, cmac, hmac)",
        };
        Option<bool> requireSigning = new("--require-signing")
        {
            Description = "Act as a client that requires signing (SIGNING_REQUIRED in NEGOTIATE and SESSION_SETUP)",
        };
        Option<int> timeout = new("--timeout")
        {
            Description = "Timeout per operation in milliseconds",
            DefaultValueFactory = _ => 10_000,
        };
        Option<bool> noProbe = new("--no-probe")
        {
            Description = "Skip the enforcement probes (an unsigned and a wrongly signed request, each on its own connection); the verdict is then at best 'untested'",
        };
        Option<bool> verbose = new("--verbose")
        {
            Description = "List every message (command, direction, signed, verified)",
        };
        Option<FileInfo?> passwordFile = PasswordInput.CreateOption();
        Option<string?> read = new("--read")
        {
            Description = "On a disk share, open and read this file (path inside the share) instead of listing the share root",
            HelpName = "PATH",
        };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json, OutputFormat.Jsonl);
        RunStore store = new();

        dialect.Validators.Add(result =>
        {
            string? text = result.GetValueOrDefault<string?>();
            if (text is not null && !TryParseDialect(text, out _))
            {
                result.AddError($"--dialect: '{text}' is not one of {string.Join(", ", s_dialects)}.");
            }
        });
        algorithm.Validators.Add(result =>
        {
            string? text = result.GetValueOrDefault<string?>();
            if (text is not null && !TryParseAlgorithm(text, out _))
            {
                result.AddError($"--signing-algorithm: '{text}' is not one of hmac, cmac, gmac.");
            }
        });
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--timeout must be a positive number of milliseconds.");
            }
        });

        Command command = new("verify", "Prove signing end to end: authenticate, sign every request, verify every response, report dialect, algorithm and verdict. Then probe enforcement: send an unsigned and a wrongly signed request and check the server refuses both. Exit 0 enforced, 1 not enforced or untested or a signature failed, 2 usage/connection/logon error.")
        {
            target, user, dialect, algorithm, requireSigning, timeout, noProbe, verbose, passwordFile, read, format, targetIp, share, inputLists, concurrency,
        };
        store.AddTo(command);
        authentication.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string[] targets = parseResult.GetValue(target) ?? [];
            string[] lists = parseResult.GetValue(inputLists) ?? [];
            string? shareName = parseResult.GetValue(share);
            bool many = targets.Length != 1 || shareName is not null || lists.Length > 0 || parseResult.GetValue(format) == OutputFormat.Jsonl
                || !(targets[0].StartsWith("//", StringComparison.Ordinal) || targets[0].StartsWith(@"\\", StringComparison.Ordinal));
            VerifyTarget? parsedTarget;
            TargetSource? source = null;
            if (many)
            {
                source = ManyTargets(targets, lists, shareName, parseResult.GetValue(concurrency), parseResult.GetValue(targetIp));
                parsedTarget = new VerifyTarget(string.Empty, VerifyTarget.DefaultPort, shareName ?? VerifyTarget.DefaultShare);
            }
            else if (!VerifyTarget.TryParse(targets[0], out parsedTarget, out string targetError))
            {
                throw new CliException(targetError);
            }

            VerifyUser? parsedUser = null;
            if (parseResult.GetValue(user) is { } userText && !VerifyUser.TryParse(userText, out parsedUser, out string userError))
            {
                throw new CliException(userError);
            }

            string? address = parseResult.GetValue(targetIp);
            if (address is not null && !System.Net.IPAddress.TryParse(address, out _))
            {
                throw new CliException($"--target-ip: '{address}' is not an IP address.");
            }

            Dialect? chosenDialect = null;
            if (parseResult.GetValue(dialect) is { } dialectText && TryParseDialect(dialectText, out Dialect d))
            {
                chosenDialect = d;
            }

            SigningAlgorithm? chosenAlgorithm = null;
            if (parseResult.GetValue(algorithm) is { } algorithmText && TryParseAlgorithm(algorithmText, out SigningAlgorithm a))
            {
                chosenAlgorithm = a;
                CheckAlgorithmFitsDialect(a, chosenDialect);
            }

            Logon logon = authentication.Resolve(parseResult, services, parseResult.GetValue(passwordFile), parsedUser, string.Empty);
            string password = logon.Password;
            Reporting.Store.StoreLocation? storeLocation = await store.ResolveAsync(services, parseResult, cancellationToken);
            var options = new SmbClientOptions
            {
                Host = parsedTarget!.Host,
                TargetAddress = address,
                Kerberos = logon.Kerberos,
                NtHash = logon.NtHash,
                Port = parsedTarget.Port,
                Share = parsedTarget.Share,
                User = parsedUser?.User ?? string.Empty,
                Domain = parsedUser?.Domain ?? string.Empty,
                Dialect = chosenDialect,
                SigningAlgorithm = chosenAlgorithm,
                RequireSigning = parseResult.GetValue(requireSigning),
                Timeout = TimeSpan.FromMilliseconds(parseResult.GetValue(timeout)),
                ReadPath = parseResult.GetValue(read),
                ProbeEnforcement = !parseResult.GetValue(noProbe),
            };

            if (source is not null)
            {
                if (storeLocation is not null)
                {
                    // The store keeps one verify document per run; the many-host JSON lines are a different document.
                    throw new CliException("verify: --db records a single //HOST/SHARE verification; with several targets record their jsonl output instead (not supported yet).");
                }

                return await VerifyMany.RunAsync(services, source, options, password, parseResult.GetValue(concurrency), parseResult.GetValue(format), parseResult.GetValue(verbose), cancellationToken);
            }

            var client = new SmbClientSession(services.Time);
            VerificationReport report = await client.VerifyAsync(options, password, cancellationToken);
            bool isVerbose = parseResult.GetValue(verbose);
            await RunStore.RecordAsync(
                services, storeLocation, Reporting.Records.RunKind.Verify,
                ReportMetadata.Stamp(JsonSerializer.Serialize(VerifyJson.From(report, verbose: false), VerifyJsonContext.Default.VerifyJson), services.Time),
                [.. targets, .. RunStore.Given(parseResult, dialect, algorithm, requireSigning, noProbe)],
                cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                await services.Out.WriteLineAsync(ReportMetadata.Stamp(JsonSerializer.Serialize(VerifyJson.From(report, isVerbose), VerifyJsonContext.Default.VerifyJson), services.Time));
            }
            else
            {
                VerifyTable.Write(services.Console, report, isVerbose);
            }

            if (report.Error is not null && report.Failures.Count == 0)
            {
                await services.Error.WriteLineAsync($"smbsign: {report.Error.Message}");
                return ExitCodes.UsageOrInput;
            }

            return report.Enforced ? ExitCodes.Success : ExitCodes.Findings;
        });
        return command;
    }

    /// <summary>Checks the many-host options and expands nothing yet (the targets stream when verified).</summary>
    private static TargetSource ManyTargets(string[] targets, string[] lists, string? share, int concurrency, string? targetIp)
    {
        if (targetIp is not null)
        {
            throw new CliException("--target-ip names one address; with several targets give the hosts themselves.");
        }

        if (concurrency is < 1 or > 1024)
        {
            throw new CliException($"--concurrency {concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture)} is outside 1..1024.");
        }

        if (share is not null && (share.Length == 0 || share.IndexOfAny(['/', '\\']) >= 0))
        {
            throw new CliException($"--share: '{share}' is not a share name.");
        }

        string? unc = targets.FirstOrDefault(t => t.StartsWith("//", StringComparison.Ordinal) || t.StartsWith(@"\\", StringComparison.Ordinal));
        if (unc is not null)
        {
            throw new CliException($"'{unc}': with several targets give hosts, host:port or CIDR ranges and the share with --share.");
        }

        // HOST/SHARE (a UNC path missing its slashes) is the likely mistake, not a CIDR range.
        string? share1 = targets.FirstOrDefault(t => t.IndexOf('/', StringComparison.Ordinal) is int slash and > 0 && !t[(slash + 1)..].All(char.IsAsciiDigit));
        if (share1 is not null)
        {
            throw new CliException($"'{share1}' is not a UNC target; expected //HOST[:PORT]/SHARE (several targets: hosts, host:port or CIDR ranges, with --share NAME)");
        }

        TargetSource source;
        try
        {
            foreach (string file in lists)
            {
                if (!File.Exists(file))
                {
                    throw new CliException($"-iL: {Path.GetFullPath(file)} does not exist.");
                }
            }

            source = TargetSource.Create(targets, lists, VerifyTarget.DefaultPort);
        }
        catch (TargetParseException e)
        {
            throw new CliException($"target: {e.Message}");
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            throw new CliException($"-iL: {e.Message}");
        }

        return source.Count switch
        {
            0 => throw new CliException("the targets expand to no address."),
            > 65_536 => throw new CliException("the targets expand to more than 65536 hosts; verify logs on to each, split the range."),
            _ => source,
        };
    }

    private static bool TryParseDialect(string text, out Dialect dialect) =>
        DialectInfo.TryParse(text, out dialect) && dialect != Dialect.Smb2Wildcard;

    private static bool TryParseAlgorithm(string text, out SigningAlgorithm algorithm) =>
        SigningAlgorithmInfo.TryParse(text, out algorithm) && algorithm != SigningAlgorithm.Md5Smb1;

    /// <summary>An explicit algorithm must be one the dialect can sign with.</summary>
    private static void CheckAlgorithmFitsDialect(SigningAlgorithm algorithm, Dialect? dialect)
    {
        if (dialect is null or Dialect.Smb311)
        {
            return;
        }

        SigningAlgorithm fixedAlgorithm = dialect.Value.DefaultSigningAlgorithm();
        if (fixedAlgorithm != algorithm)
        {
            throw new CliException(
                $"--signing-algorithm {algorithm.ToDisplayString()} cannot be used with --dialect {dialect.Value.ToDisplayString()}, which always signs with {fixedAlgorithm.ToDisplayString()} (choose --dialect 3.1.1).");
        }
    }
}
