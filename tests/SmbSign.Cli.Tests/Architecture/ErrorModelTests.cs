using System.Reflection;
using System.Text.RegularExpressions;
using SmbSign.Capture;
using SmbSign.Policy.Remediation;
using SmbSign.Protocol;
using SmbSign.Protocol.Errors;
using SmbSign.Reporting.Html;
using SmbSign.Reporting.Store;
using SmbSign.Testing;
using SmbSign.Wire.Transport;

namespace SmbSign.Cli.Tests.Architecture;

/// <summary>One error model (docs/reference/errors.md): every exception a user can cause is a
/// <see cref="SmbSignException"/> (or one of Reporting's two, named in <see cref="ExitCodes.For"/>), one function maps
/// them to exit codes, and the file and network exception filters are written once, in <see cref="IoErrors"/>.</summary>
public sealed partial class ErrorModelTests
{
    // SmbSign.Reporting references no other SmbSign project, so its two user-error types cannot derive from the base.
    private static readonly Type[] s_reportingUserErrors = [typeof(StoreException), typeof(ReportInputException)];

    private static readonly Assembly[] s_product =
    [
        typeof(SmbProtocolException).Assembly,
        typeof(SmbTransportException).Assembly,
        typeof(CaptureFormatException).Assembly,
        typeof(RemediationInputException).Assembly,
        typeof(StoreException).Assembly,
        typeof(CliException).Assembly,
    ];

    [GeneratedRegex(@"^\| (?<kind>usage|input|peer) \| `(?<base>\w+)` \| (?<code>\d+) \| (?<types>.+) \|$", RegexOptions.Multiline)]
    private static partial Regex KindRow();

    [GeneratedRegex(@"`(?<name>\w+)`")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"\bcatch\b.*\bwhen\b.*\b(?:IOException|UnauthorizedAccessException|SocketException|SecurityException)\b")]
    private static partial Regex HandWrittenIoFilter();

    [Fact]
    public void EveryPublicExceptionType_IsInTheHierarchy()
    {
        Type[] exceptions = [.. s_product.SelectMany(a => a.GetExportedTypes()).Where(t => typeof(Exception).IsAssignableFrom(t))];
        Type[] outside = [.. exceptions.Where(t => !typeof(SmbSignException).IsAssignableFrom(t) && !s_reportingUserErrors.Contains(t))];

        Assert.Contains(typeof(CliException), exceptions);
        Assert.True(outside.Length == 0, "not a SmbSignException: " + string.Join(", ", outside.Select(t => t.FullName)));
    }

    [Fact]
    public void DocumentedTable_MatchesTheTypesAndTheirExitCodes()
    {
        string page = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "reference", "errors.md")).ReplaceLineEndings("\n");
        Dictionary<string, Type> byName = s_product.SelectMany(a => a.GetExportedTypes()).Where(t => typeof(Exception).IsAssignableFrom(t)).ToDictionary(t => t.Name, StringComparer.Ordinal);
        MatchCollection rows = KindRow().Matches(page);
        Assert.Equal(3, rows.Count);
        HashSet<Type> documented = [];
        foreach (Match row in rows)
        {
            ErrorKind kind = Enum.Parse<ErrorKind>(row.Groups["kind"].Value, ignoreCase: true);
            Type baseType = byName[row.Groups["base"].Value];
            int code = int.Parse(row.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture);
            foreach (Type type in new[] { baseType }.Concat(TypeName().Matches(row.Groups["types"].Value).Select(m => byName[m.Groups["name"].Value])))
            {
                var instance = (Exception)Activator.CreateInstance(type, "a one-line message")!;
                Assert.True(baseType.IsInstanceOfType(instance), $"{type.Name} is documented under {baseType.Name}");
                Assert.Equal(kind, ((SmbSignException)instance).ErrorKind);
                Assert.Equal(code, ExitCodes.For(instance));
                documented.Add(type);
            }
        }

        // Every concrete public user-error type appears in the table, so the page cannot fall behind the code.
        Type[] undocumented = [.. s_product.SelectMany(a => a.GetExportedTypes())
            .Where(t => typeof(SmbSignException).IsAssignableFrom(t) && !t.IsAbstract && !documented.Contains(t))];
        Assert.True(undocumented.Length == 0, "not in docs/reference/errors.md: " + string.Join(", ", undocumented.Select(t => t.Name)));
    }

    [Fact]
    public void ExitCodes_For_MapsUserErrorsToTwoAndEverythingElseToThree()
    {
        Assert.Equal(ExitCodes.UsageOrInput, ExitCodes.For(new StoreException("store")));
        Assert.Equal(ExitCodes.UsageOrInput, ExitCodes.For(new ReportInputException("report")));
        Assert.Equal(ExitCodes.UsageOrInput, ExitCodes.For(new SmbTransportException(TransportErrorKind.Refused, "refused")));
        Assert.Equal(ExitCodes.InternalError, ExitCodes.For(new InvalidOperationException("bug")));
        Assert.Equal(ExitCodes.InternalError, ExitCodes.For(new IOException("an I/O error no command turned into a message")));
        Assert.Equal(ExitCodes.InternalError, ExitCodes.For(new OperationCanceledException()));
        Assert.False(ExitCodes.IsUserError(new FormatException("bug")));
    }

    [Fact]
    public void IoErrors_RecogniseFileAndNetworkFailuresOnly()
    {
        Assert.True(IoErrors.IsFileProblem(new FileNotFoundException()));
        Assert.True(IoErrors.IsFileProblem(new UnauthorizedAccessException()));
        Assert.False(IoErrors.IsFileProblem(new ArgumentException("bad path")));
        Assert.True(IoErrors.IsFileOrPathProblem(new ArgumentException("bad path")));
        Assert.True(IoErrors.IsFileOrPathProblem(new NotSupportedException()));
        Assert.True(IoErrors.IsNetworkProblem(new System.Net.Sockets.SocketException()));
        Assert.True(IoErrors.IsNetworkProblem(new IOException()));
        Assert.False(IoErrors.IsNetworkProblem(new UnauthorizedAccessException()));
        Assert.False(IoErrors.IsFileOrPathProblem(new InvalidOperationException()));
    }

    [Fact]
    public void Source_WritesFileAndNetworkFiltersOnlyInIoErrors()
    {
        List<string> handWritten = [];
        foreach (string file in Directory.EnumerateFiles(Path.Combine(TestPaths.RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(TestPaths.RepositoryRoot, file).Replace('\\', '/');
            if (rel.Contains("/obj/", StringComparison.Ordinal) || rel.EndsWith("/Errors/IoErrors.cs", StringComparison.Ordinal))
            {
                continue;
            }

            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (HandWrittenIoFilter().IsMatch(lines[i]))
                {
                    handWritten.Add($"{rel}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(handWritten.Count == 0, "use IoErrors.IsFileProblem / IsFileOrPathProblem / IsNetworkProblem:\n" + string.Join("\n", handWritten));
    }

    [Fact]
    public async Task StoreError_ReachesTheUserAsOneLineWithExitTwo()
    {
        // RunStore no longer rewraps StoreException: CliApp's one mapping prints it.
        string missing = Path.Combine(Path.GetTempPath(), "smbsign-no-such-store-" + Guid.NewGuid().ToString("N") + ".db");

        CliRun run = await CliHarness.RunAsync(["history", "--db", missing]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("smbsign: ", line, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(missing), line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }
}
