using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol.Errors;
using SmbSign.Reporting.Html;
using SmbSign.Reporting.Records;
using SmbSign.Reporting.Store;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign report [REPORT.json…] [--db STORE] -o report.html [--title T] [--force] [--format table|json]</c>: one self-contained HTML
/// page (fleet verdict, CIS items, OS, relay targets, wire, clients, trend, machine table with fix commands) from the
/// JSON documents of audit, scan, verify and listen. Exit codes: 0 written, 2 usage or input error. docs/cli/report.md.
/// </summary>
internal static class ReportCommand
{
    /// <summary>Inputs are read whole (the audit is walked machine by machine, but from one buffer): the largest file.</summary>
    public const long MaxInputBytes = int.MaxValue - 1024;

    public static Command Create(CliServices services)
    {
        Argument<string[]> inputs = new("REPORT.json")
        {
            Description = "JSON documents written by smbsign audit, scan (json or jsonl), verify or listen with --format json; the kind is read from the document. Optional with --db.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        Option<FileInfo?> output = new("--output", "-o") { Description = "The HTML file to write (required); a new file unless --force.", HelpName = "report.html" };
        Option<string?> title = new("--title") { Description = "Page title (default: SMB signing report).", HelpName = "TITLE" };
        Option<bool> force = new("--force") { Description = "Replace an existing output file (never an input)." };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);
        RunStore store = new();
        Command command = new("report", "Write one self-contained HTML report (verdict, CIS items, OS, relay targets, wire, clients, trend, machine table with fix commands) from audit, scan, verify and listen JSON. Exit 0 written, 2 usage or input error.")
        {
            inputs, output, title, force, format,
        };
        store.AddTo(command);
        store.Db.Description = "Also show the newest run of each kind and the trend over time from this posture store (the --db that audit, scan, verify and listen recorded into).";
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string[] files = parseResult.GetValue(inputs) ?? [];
            string? dbText = parseResult.GetValue(store.Db);
            if (files.Length == 0 && dbText is null)
            {
                throw new CliException("report: give REPORT.json files, --db FILE|CONNSTRING, or both.");
            }

            FileInfo outputFile = parseResult.GetValue(output) ?? throw new CliException("report: -o FILE is required (the HTML file to write).");
            bool replace = parseResult.GetValue(force);
            string fullOutput = new OutputFileGuard().AddInputs("input", files).CheckFile("report: -o", outputFile, replaceExisting: replace) ?? outputFile.FullName;
            if (!replace && File.Exists(fullOutput))
            {
                throw new CliException($"report: -o {outputFile}: already exists; give a new file or --force.");
            }

            List<ReportInput> parsed = [];
            foreach (string file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                parsed.Add(Read(file));
            }

            IReadOnlyList<TrendPoint> trend = [];
            if (dbText is not null)
            {
                // The newest run of each kind, read by the same reader as a file, and the trend of every recorded run.
                StoreLocation location = RunStore.Parse(services, dbText, parseResult.GetValue(store.PasswordFile));
                await using PostureStore opened = await RunStore.OpenAsync(location, mustExist: true, cancellationToken);

                // A StoreException here reaches CliApp, which prints its one line and exits 2 (ExitCodes.For).
                foreach (RunDocument document in await opened.LatestDocumentsAsync(cancellationToken))
                {
                    string source = string.Create(CultureInfo.InvariantCulture, $"{location.Display}: {document.Kind.ToString().ToLowerInvariant()} run of {document.GeneratedAt:yyyy-MM-dd HH:mm:ss}Z");
                    try
                    {
                        parsed.Add(HtmlReportBuilder.Parse(source, System.Text.Encoding.UTF8.GetBytes(document.Json)));
                    }
                    catch (ReportInputException e)
                    {
                        throw new CliException("report: " + e.Message);
                    }
                }

                trend = await opened.TrendAsync(cancellationToken: cancellationToken);
            }

            HtmlReportOptions options = new(parseResult.GetValue(title) is { Length: > 0 } t ? t : "SMB signing report", services.Time.GetUtcNow(), ReportMetadata.ToolVersion);
            HtmlReportSummary? summary = null;
            long bytes = 0;
            try
            {
                void WriteTo(Stream stream)
                {
                    summary = HtmlReportBuilder.Write(parsed, trend, options, stream);
                    stream.Flush();
                    bytes = stream.Position;
                }

                if (replace)
                {
                    using MemoryStream memory = new();
                    WriteTo(memory);
                    AtomicFile.WriteAllBytes(fullOutput, memory.GetBuffer().AsSpan(0, (int)memory.Length));
                }
                else
                {
                    AtomicFile.CreateNew(fullOutput, WriteTo);
                }
            }
            catch (Exception e) when (IoErrors.IsFileProblem(e))
            {
                throw new CliException($"report: cannot write {fullOutput}: {(e is UnauthorizedAccessException ? "access is denied" : File.Exists(fullOutput) ? "it already exists (use --force to replace it)" : "I/O error")}.");
            }

            HtmlReportSummary s = summary!;
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                ReportCommandJson json = new(
                    fullOutput,
                    bytes,
                    [.. parsed.Select(p => new ReportCommandInputJson(p.Source, p.Kind.ToString().ToLowerInvariant(), p.Items))],
                    s.Verdict,
                    s.Reasons,
                    s.Machines,
                    s.MachinesFailing,
                    s.Servers,
                    s.RelayTargets,
                    s.VerifiedServers,
                    s.Clients,
                    s.ClientsNotEnforcing,
                    s.Notes);
                await services.Out.WriteLineAsync(ReportMetadata.Stamp(JsonSerializer.Serialize(json, ReportCommandJsonContext.Default.ReportCommandJson), services.Time));
            }
            else
            {
                await services.Out.WriteLineAsync($"smbsign: wrote {outputFile} ({bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes) from {parsed.Count} document(s): verdict {s.Verdict}");
                foreach (string reason in s.Reasons)
                {
                    await services.Out.WriteLineAsync("  " + reason);
                }

                foreach (string note in s.Notes)
                {
                    await services.Out.WriteLineAsync("  note: " + note);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static ReportInput Read(string file)
    {
        byte[] bytes;
        try
        {
            FileInfo info = new(file);
            if (!info.Exists)
            {
                throw new CliException($"report: {file}: no such file; expected a JSON document written by smbsign audit, scan, verify or listen.");
            }

            if (info.Length > MaxInputBytes)
            {
                throw new CliException($"report: {file}: {info.Length.ToString(CultureInfo.InvariantCulture)} bytes is larger than the 2 GiB one input may have; audit or scan the fleet in parts (per site, or scan --shard) and give every part.");
            }

            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            throw new CliException($"report: {file}: cannot read it ({(e is UnauthorizedAccessException ? "access is denied" : "I/O error")}).");
        }

        try
        {
            // A UTF-8 byte order mark (PowerShell's Out-File) is not JSON; skip it.
            ReadOnlySpan<byte> json = bytes.AsSpan();
            if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                json = json[3..];
            }

            return HtmlReportBuilder.Parse(file, json);
        }
        catch (ReportInputException e)
        {
            throw new CliException("report: " + e.Message);
        }
    }
}

/// <summary><c>smbsign report --format json</c>: what was written and the verdict it shows (docs/cli/report.md).</summary>
internal sealed record ReportCommandJson(
    string Output,
    long Bytes,
    IReadOnlyList<ReportCommandInputJson> Inputs,
    string Verdict,
    IReadOnlyList<string> Reasons,
    int Machines,
    int MachinesFailing,
    int Servers,
    int RelayTargets,
    int VerifiedServers,
    int Clients,
    int ClientsNotEnforcing,
    IReadOnlyList<string> Notes);

/// <summary>One input document: its path, the command that wrote it, and how many machines/servers/sessions/connections it holds.</summary>
internal sealed record ReportCommandInputJson(string File, string Kind, int Items);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ReportCommandJson))]
internal sealed partial class ReportCommandJsonContext : JsonSerializerContext;
