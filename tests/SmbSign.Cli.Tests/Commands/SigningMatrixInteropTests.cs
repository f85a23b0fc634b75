using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Remediation;
using SmbSign.Protocol;
using SmbSign.Testing;
using SmbSign.Wire.Session;
using SmbClientOptions = SmbSign.Testing.SmbClientOptions;
using VerifyOptions = SmbSign.Wire.Session.SmbClientOptions;

namespace SmbSign.Cli.Tests.Commands;

/// <summary>Six Samba servers: <c>server signing</c> disabled / auto / mandatory, each once with NT1..SMB3_11 and once
/// NT1 only (so that <c>scan</c> negotiates SMB1). Started in parallel, shared by the matrix.</summary>
public sealed class SigningMatrixServers : IAsyncLifetime
{
    public static readonly string[] Modes = ["disabled", "auto", "mandatory"];

    public Dictionary<string, SambaServer> Full { get; } = [];

    public Dictionary<string, SambaServer> Nt1Only { get; } = [];

    public async Task InitializeAsync()
    {
        Task<SambaServer>[] full = [.. Modes.Select(m => SambaServer.StartAsync(new SambaServerOptions { ServerSigning = m, MinProtocol = "NT1", MaxProtocol = "SMB3_11" }))];
        Task<SambaServer>[] nt1 = [.. Modes.Select(m => SambaServer.StartAsync(new SambaServerOptions { ServerSigning = m, MinProtocol = "NT1", MaxProtocol = "NT1" }))];
        await Task.WhenAll([.. full, .. nt1]);
        for (int i = 0; i < Modes.Length; i++)
        {
            Full[Modes[i]] = await full[i];
            Nt1Only[Modes[i]] = await nt1[i];
        }
    }

    public async Task DisposeAsync()
    {
        foreach (SambaServer server in Full.Values.Concat(Nt1Only.Values))
        {
            await server.DisposeAsync();
        }
    }
}

/// <summary>
/// One answer per question: for every <c>client signing</c> (disabled / if_required / required) × dialect family
/// (NT1 / SMB2 / SMB3) × <c>server signing</c> (disabled / auto / mandatory), what real smbclient did (read off the wire:
/// is the READ response signed, or did the connection fail) must be what <c>evaluate</c> says for a Samba client and a
/// Samba server, and what <c>scan --client-config</c> says from the wire. <c>verify</c> (a Windows-like client: signing
/// enabled, required with --require-signing) must do what <c>evaluate</c> says for such a client, and fix's impact of
/// "the client requires signing" must say "breaks" exactly where <c>evaluate</c> says a Windows client that requires
/// signing fails. Where Samba and Windows differ (SMB1, <c>server signing = disabled</c>), the answers differ by client
/// and the engine's notes say why.
/// </summary>
public sealed class SigningMatrixInteropTests(SigningMatrixServers servers) : IClassFixture<SigningMatrixServers>
{
    private static readonly string[] s_clientModes = ["disabled", "if_required", "required"];

    [Theory]
    [InlineData("NT1")]
    [InlineData("SMB2")]
    [InlineData("SMB3")]
    public async Task Smbclient_Evaluate_Scan_Agree(string family)
    {
        (string protocol, string dialect) = Family(family);
        var cells = new List<(string Server, string Client)>();
        foreach (string server in SigningMatrixServers.Modes)
        {
            foreach (string client in s_clientModes)
            {
                cells.Add((server, client));
            }
        }

        var observed = new ConcurrentDictionary<(string, string), string>();
        await Parallel.ForEachAsync(cells, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (cell, token) =>
            observed[cell] = await SmbclientOutcomeAsync(Server(family, cell.Server), protocol, cell.Client, token));

        var mismatches = new StringBuilder();
        foreach ((string server, string client) in cells)
        {
            string real = observed[(server, client)];
            string evaluated = await EvaluateAsync(["--client-os", "samba", "--client", $"client signing={client}", "--server-os", "samba", "--server", $"server signing={server}", "--dialect", dialect]);
            Expect(mismatches, $"smbclient {client} vs server {server} at {family}: smbclient {real}, evaluate {evaluated}", real == evaluated);
            if (family != "SMB2")
            {
                // scan negotiates the server's best dialect: SMB1 on the NT1-only servers, 3.1.1 on the others.
                string? scanned = await ScanClientOutcomeAsync(Server(family, server), client);
                Expect(mismatches, $"smbclient {client} vs server {server} at {family}: smbclient {real}, scan clientOutcome {scanned}", real == scanned);
            }
        }

        Assert.True(mismatches.Length == 0, mismatches.ToString() + Table(cells, observed));
    }

    [Theory]
    [InlineData("NT1")]
    [InlineData("SMB2")]
    [InlineData("SMB3")]
    public async Task Verify_And_FixImpact_AgreeWithEvaluate(string family)
    {
        (_, string dialect) = Family(family);
        var mismatches = new StringBuilder();
        foreach (string server in SigningMatrixServers.Modes)
        {
            foreach (bool require in new[] { false, true })
            {
                SambaServer samba = Server(family, server);
                string real = await VerifyOutcomeAsync(samba, dialect, require);
                string evaluated = await EvaluateAsync(["--client-os", "win11-24h2-enterprise", "--client", $"RequireSecuritySignature={(require ? 1 : 0)},EnableSecuritySignature=1",
                    "--server-os", "samba", "--server", $"server signing={server}", "--dialect", dialect]);
                Expect(mismatches, $"verify (require={require}) vs server {server} at {family}: verify {real}, evaluate {evaluated}", real == evaluated);

                if (require && family != "SMB2")
                {
                    ImpactLevel? impact = await ClientSigningImpactAsync(samba);
                    Expect(mismatches, $"fix impact of requiring client signing vs server {server} at {family}: {impact?.ToString() ?? "compatible"}, evaluate for a Windows client {evaluated}",
                        (impact == ImpactLevel.Breaks) == (evaluated == "fails"));
                }
            }
        }

        Assert.True(mismatches.Length == 0, mismatches.ToString());
    }

    [Fact]
    public async Task Smb1SambaServerSigningDisabled_ClientRequires_SambaSignsWindowsFails_EngineSaysSo()
    {
        string samba = await EvaluateJsonNotesAsync(["--client-os", "samba", "--client", "client signing=required", "--server-os", "samba", "--server", "server signing=disabled", "--dialect", "smb1"]);
        string windows = await EvaluateJsonNotesAsync(["--client-os", "win11-24h2-enterprise", "--client", "RequireSecuritySignature=1", "--server-os", "samba", "--server", "server signing=disabled", "--dialect", "smb1"]);

        Assert.Contains("Samba differs from Windows here", samba, StringComparison.Ordinal);
        Assert.StartsWith("signed", samba, StringComparison.Ordinal);
        Assert.StartsWith("fails", windows, StringComparison.Ordinal);
        Assert.Equal("signed", await SmbclientOutcomeAsync(servers.Nt1Only["disabled"], "NT1", "required", CancellationToken.None));
    }

    private SambaServer Server(string family, string mode) => family == "NT1" ? servers.Nt1Only[mode] : servers.Full[mode];

    private static (string Protocol, string Dialect) Family(string family) => family switch
    {
        "NT1" => ("NT1", "smb1"),
        "SMB2" => ("SMB2_10", "2.1"),
        _ => ("SMB3_11", "3.1.1"),
    };

    private static void Expect(StringBuilder mismatches, string what, bool ok)
    {
        if (!ok)
        {
            mismatches.AppendLine(what);
        }
    }

    private static string Table(List<(string Server, string Client)> cells, ConcurrentDictionary<(string, string), string> observed) =>
        "\nobserved: " + string.Join("; ", cells.Select(c => $"{c.Server}/{c.Client}={observed[c]}"));

    /// <summary>Runs smbclient and reads what it did: "fails" when it could not read the file; else, SMB2/3, through a
    /// passive proxy, "signed" when the server's successful READ response carries SMB2_FLAGS_SIGNED; SMB1, from
    /// smbclient's own debug log (level 10), "signed" when it checked good MD5 signatures on the session's responses
    /// (smbd's SMB1 responses carry the MAC without always setting the flag, so the wire flag alone misleads).</summary>
    private static async Task<string> SmbclientOutcomeAsync(SambaServer server, string protocol, string signing, CancellationToken cancellationToken)
    {
        await using TamperProxy proxy = TamperProxy.Start(server.EndPoint, _ => false);
        (int exitCode, string output) = await SmbClientRunner.RunAsync(
            server, new SmbClientOptions { Protocol = protocol, Signing = signing, Port = proxy.Port, ExtraOptions = ["log level=10"] }, cancellationToken);
        if (exitCode != 0)
        {
            return "fails";
        }

        Assert.Contains(SambaServer.FileContent.TrimEnd(), output, StringComparison.Ordinal);
        if (protocol == "NT1")
        {
            Assert.DoesNotContain("BAD SIG", output, StringComparison.Ordinal);
            return output.Contains("got good SMB signature", StringComparison.Ordinal) ? "signed" : "not-signed";
        }

        ProxiedMessage[] reads = [.. proxy.Seen.Where(m => !m.IsSmb1 && m.Command == 0x0008 && m.Status == 0)];
        Assert.NotEmpty(reads);
        return reads.All(m => m.IsSigned) ? "signed" : reads.Any(m => m.IsSigned) ? "mixed" : "not-signed";
    }

    private static async Task<string> EvaluateAsync(string[] arguments)
    {
        CliRun run = await CliHarness.RunAsync(["evaluate", .. arguments, "--format", "json"]);
        Assert.True(run.ExitCode == 0, run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        return json.RootElement.GetProperty("outcome").GetString()!;
    }

    /// <summary>"outcome: notes…" for assertions on the engine's explanation.</summary>
    private static async Task<string> EvaluateJsonNotesAsync(string[] arguments)
    {
        CliRun run = await CliHarness.RunAsync(["evaluate", .. arguments, "--format", "json"]);
        Assert.True(run.ExitCode == 0, run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        return json.RootElement.GetProperty("outcome").GetString() + ": "
            + string.Join(" ", json.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()));
    }

    private static async Task<string?> ScanClientOutcomeAsync(SambaServer server, string clientSigning)
    {
        string config = Path.Combine(Path.GetTempPath(), $"smbsign-matrix-{Guid.NewGuid():N}.smb.conf");
        await File.WriteAllTextAsync(config, $"[global]\n  client signing = {clientSigning}\n");
        try
        {
            CliRun run = await CliHarness.RunAsync(["scan", $"127.0.0.1:{server.Port}", "--client-os", "samba", "--client-config", config, "--format", "jsonl"]);
            using JsonDocument json = JsonDocument.Parse(run.Output.Trim());
            return json.RootElement.GetProperty("clientOutcome").GetString();
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static async Task<string> VerifyOutcomeAsync(SambaServer server, string dialect, bool require)
    {
        var options = new VerifyOptions
        {
            Host = SambaServer.Host,
            Port = server.Port,
            Share = SambaServer.ShareName,
            User = server.User,
            ReadPath = SambaServer.FileName,
            Dialect = dialect == "smb1" ? Dialect.Smb1 : DialectInfo.TryParse(dialect, out Dialect d) ? d : throw new ArgumentException(dialect),
            RequireSigning = require,
            ProbeEnforcement = false,
            Timeout = TimeSpan.FromSeconds(15),
        };
        VerificationReport report = await new SmbClientSession(TimeProvider.System).VerifyAsync(options, SambaServer.Password, CancellationToken.None);
        if (report.Error is { } error)
        {
            // Refused by policy (either side): the session fails. Anything else is not an answer to the question.
            Assert.True(error.Kind is SessionErrorKind.DialectRefused or SessionErrorKind.AccessDenied or SessionErrorKind.LogonFailure, error.Message);
            return "fails";
        }

        Assert.Empty(report.Failures);
        MessageRecord[] after = [.. report.Messages.Where(m => m.MustBeSigned && m.Command is "READ" or "READ_ANDX")];
        Assert.NotEmpty(after);
        return after.All(m => m.Signed) ? "signed" : "not-signed";
    }

    private static async Task<ImpactLevel?> ClientSigningImpactAsync(SambaServer server)
    {
        CliRun scan = await CliHarness.RunAsync(["scan", $"127.0.0.1:{server.Port}", "--format", "json"]);
        IReadOnlyList<ScannedServer> scanned = FixScanInput.Parse(Encoding.UTF8.GetBytes(scan.Output), "scan");
        SettingDefinition setting = SettingsCatalog.Default["client.RequireSecuritySignature"];
        var plan = new RemediationPlan(null, null, "matrix", null,
            [new RemediationItem(setting, SettingValue.FromNumber(1), PreviousValue.Unknown, null, RemediationReason.Baseline)], ImmutableArray<SkippedSetting>.Empty);
        ImpactReport report = ImpactAnalyzer.Analyze(plan, scanned, null);
        ImpactSection section = Assert.Single(report.Sections);
        return section.Findings.FirstOrDefault()?.Level;
    }
}
