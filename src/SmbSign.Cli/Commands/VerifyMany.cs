using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol;
using SmbSign.Wire.Scanning;
using SmbSign.Wire.Session;

namespace SmbSign.Cli.Commands;

/// <summary><c>smbsign verify TARGETS... --share NAME</c>: the same verification on every host the target expressions
/// (as <c>scan</c> takes them: hosts, host:port, CIDR ranges, -iL lists) expand to, <c>--concurrency</c> at a time; one
/// verdict per host in target order, then a summary.</summary>
internal static class VerifyMany
{
    public static async Task<int> RunAsync(
        CliServices services, TargetSource source, SmbClientOptions template, string password, int concurrency, OutputFormat format, bool verbose, CancellationToken cancellationToken)
    {
        ScanTarget[] targets = [.. source.Enumerate()];
        var reports = new VerificationReport?[targets.Length];
        var client = new SmbClientSession(services.Time);
        int next = 0;
        object gate = new();

        // Results are written in target order as soon as every earlier one is done (jsonl streams).
        void Flush()
        {
            lock (gate)
            {
                while (next < reports.Length && reports[next] is { } report)
                {
                    if (format == OutputFormat.Jsonl)
                    {
                        services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(VerifyJson.From(report, verbose), VerifyLineContext.Default.VerifyJson), services.Time));
                    }
                    else if (format == OutputFormat.Table)
                    {
                        services.Out.WriteLine(TableLine(report));
                    }

                    next++;
                }
            }
        }

        await Parallel.ForEachAsync(
            Enumerable.Range(0, targets.Length),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                ScanTarget target = targets[i];
                SmbClientOptions options = template with
                {
                    // The host as given names the server (Kerberos SPN, share path); the expansion's address is where to connect.
                    Host = target.Host,
                    TargetAddress = target.Address?.ToString(),
                    Port = target.Port,
                };
                reports[i] = await client.VerifyAsync(options, password, token).ConfigureAwait(false);
                Flush();
            }).ConfigureAwait(false);

        VerificationReport[] all = [.. reports.Select(r => r!)];
        var summary = new VerifySummaryJson(
            all.Length,
            all.Count(r => r.Error is null && r.EnforcementVerdict == EnforcementVerdict.Enforced),
            all.Count(r => r.Error is null && r.EnforcementVerdict == EnforcementVerdict.NotEnforced),
            all.Count(r => r.Error is null && r.EnforcementVerdict == EnforcementVerdict.Untested),
            all.Count(r => r.Failures.Count > 0),
            all.Count(r => r.Error is not null && r.Failures.Count == 0));
        switch (format)
        {
            case OutputFormat.Jsonl:
                await services.Out.WriteLineAsync(ReportMetadata.Stamp(JsonSerializer.Serialize(new VerifySummaryLine(summary), VerifyLineContext.Default.VerifySummaryLine), services.Time)).ConfigureAwait(false);
                break;
            case OutputFormat.Json:
                var document = new VerifyManyJson([.. all.Select(r => VerifyJson.From(r, verbose))], summary);
                await services.Out.WriteLineAsync(ReportMetadata.Stamp(JsonSerializer.Serialize(document, VerifyManyJsonContext.Default.VerifyManyJson), services.Time)).ConfigureAwait(false);
                break;
            default:
                await services.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{summary.Hosts} hosts: {summary.Enforced} enforced, {summary.NotEnforced} not enforced, {summary.Untested} untested, {summary.SignatureFailures} with signature failures, {summary.Errors} errors")).ConfigureAwait(false);
                break;
        }

        return summary.Enforced == summary.Hosts ? ExitCodes.Success : ExitCodes.Findings;
    }

    /// <summary>One line per host: target, verdict (or "error"), dialect, algorithm, and the reason or the error.</summary>
    private static string TableLine(VerificationReport report)
    {
        string verdict = report.Failures.Count > 0 ? "signature-failure"
            : report.Error is not null ? "error"
            : VerifyJson.VerdictName(report.EnforcementVerdict);
        string detail = report.Error is { } error && report.Failures.Count == 0 ? error.Message : report.Reason;
        return string.Create(CultureInfo.InvariantCulture,
            $"{report.Target,-32} {verdict,-18} {report.Dialect?.ToDisplayString() ?? "-",-6} {report.SigningAlgorithm?.ToDisplayString() ?? "-",-12} {detail}");
    }
}

/// <summary>How many hosts got each verdict. <c>errors</c>: the session did not complete (connection, logon, Kerberos…);
/// <c>signatureFailures</c>: a response failed verification.</summary>
internal sealed record VerifySummaryJson(int Hosts, int Enforced, int NotEnforced, int Untested, int SignatureFailures, int Errors);

/// <summary>The last line of <c>--format jsonl</c>: <c>{"summary": {...}}</c>.</summary>
internal sealed record VerifySummaryLine(VerifySummaryJson Summary);

/// <summary><c>verify TARGETS... --format json</c>: every host's verify document, then the summary.</summary>
internal sealed record VerifyManyJson(IReadOnlyList<VerifyJson> Hosts, VerifySummaryJson Summary);

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(VerifyJson))]
[JsonSerializable(typeof(VerifySummaryLine))]
internal sealed partial class VerifyLineContext : JsonSerializerContext;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(VerifyManyJson))]
internal sealed partial class VerifyManyJsonContext : JsonSerializerContext;
