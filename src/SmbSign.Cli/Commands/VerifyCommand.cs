using System.CommandLine;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol;
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
        Argument<string> target = new("target")
        {
            Description = "//HOST[:PORT]/SHARE (share defaults to IPC$; IPv6 as //[::1]:445/share)",
        };
        Option<string> user = new("--user", "-u")
        {
            Description = @"[DOMAIN\]USER to authenticate as (NTLMv2)",
            Required = true,
        };
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
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);
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
            target, user, dialect, algorithm, requireSigning, timeout, noProbe, verbose, passwordFile, read, format,
        };
        store.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!VerifyTarget.TryParse(parseResult.GetValue(target), out VerifyTarget? parsedTarget, out string targetError))
            {
                throw new CliException(targetError);
            }

            if (!VerifyUser.TryParse(parseResult.GetValue(user), out VerifyUser? parsedUser, out string userError))
            {
                throw new CliException(userError);
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

            string password = PasswordInput.Read(services, parseResult.GetValue(passwordFile));
            Reporting.Store.StoreLocation? storeLocation = await store.ResolveAsync(services, parseResult, cancellationToken);
            var options = new SmbClientOptions
            {
                Host = parsedTarget!.Host,
                Port = parsedTarget.Port,
                Share = parsedTarget.Share,
                User = parsedUser!.User,
                Domain = parsedUser.Domain,
                Dialect = chosenDialect,
                SigningAlgorithm = chosenAlgorithm,
                RequireSigning = parseResult.GetValue(requireSigning),
                Timeout = TimeSpan.FromMilliseconds(parseResult.GetValue(timeout)),
                ReadPath = parseResult.GetValue(read),
                ProbeEnforcement = !parseResult.GetValue(noProbe),
            };

            var client = new SmbClientSession(services.Time);
            VerificationReport report = await client.VerifyAsync(options, password, cancellationToken);
            bool isVerbose = parseResult.GetValue(verbose);
            await RunStore.RecordAsync(
                services, storeLocation, Reporting.Records.RunKind.Verify,
                ReportMetadata.Stamp(JsonSerializer.Serialize(VerifyJson.From(report, verbose: false), VerifyJsonContext.Default.VerifyJson), services.Time),
                [parseResult.GetValue(target) ?? string.Empty, .. RunStore.Given(parseResult, dialect, algorithm, requireSigning, noProbe)],
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
