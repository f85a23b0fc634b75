using System.Globalization;
using System.Text.Json.Serialization;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Wire.Listen;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SmbSign.Cli.Rendering;

/// <summary>One connection as <c>smbsign listen</c> reports it (JSON and JSONL): what the client advertised, what it
/// enforced, and what SmbSign's outcome engine predicts for it against this listener.</summary>
internal sealed record ListenClientJson(
    int Connection,
    string Client,
    string Started,
    double DurationSeconds,
    string Mode,
    IReadOnlyList<string> DialectsOffered,
    string? SecurityMode,
    string? SessionSetupSecurityMode,
    IReadOnlyList<string>? Capabilities,
    string? ClientGuid,
    ListenContextsJson? Contexts,
    ListenSmb1Json? Smb1,
    ListenNtlmJson? Ntlm,
    string? Dialect,
    string? SigningAlgorithm,
    string Authentication,
    bool? RequiresSigning,
    bool? EnforcesSigning,
    string EnforcementReason,
    ListenMessagesJson Messages,
    IReadOnlyList<string> Commands,
    bool ReadProbeFile,
    string End,
    ListenPredictionJson? Prediction);

internal sealed record ListenContextsJson(
    IReadOnlyList<string>? SigningAlgorithms,
    IReadOnlyList<string>? Ciphers,
    IReadOnlyList<string>? Compression,
    IReadOnlyList<int>? RdmaTransforms,
    string? NetName,
    IReadOnlyList<string>? PreauthHashAlgorithms,
    long? TransportFlags);

/// <summary>An SMB1 client: NEGOTIATE dialects and Flags2; when served at NT LM 0.12, the Flags2 and Capabilities of its
/// first SESSION_SETUP_ANDX. SigningEnabled / SigningRequired: the SECURITY_SIGNATURE / _REQUIRED bit in either.</summary>
internal sealed record ListenSmb1Json(
    IReadOnlyList<string> Dialects,
    string Flags2,
    string? SessionSetupFlags2,
    string? SessionSetupCapabilities,
    bool SigningEnabled,
    bool SigningRequired);

internal sealed record ListenNtlmJson(string NegotiateFlags, string? Version, string? User, string? Domain, string? Workstation);

internal sealed record ListenMessagesJson(int SignedRequests, int BadlySignedRequests, int UnsignedRequests, int SignedResponses, int TamperedResponses);

/// <summary>The engine's prediction for this client against the listener (signing enabled, not required), the session the
/// listener observed, and a note where they disagree.</summary>
internal sealed record ListenPredictionJson(string Predicted, string? Observed, bool? Agrees, string? Note);

internal sealed record ListenReportJson(
    string Listening,
    string Mode,
    string Share,
    string Authentication,
    IReadOnlyList<ListenClientJson> Clients,
    int RefusedConnections,
    int NotEnforcing,
    int NotRequiring);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ListenReportJson))]
internal sealed partial class ListenJsonContext : JsonSerializerContext;

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ListenClientJson))]
internal sealed partial class ListenJsonLineContext : JsonSerializerContext;

/// <summary>Maps listener reports to JSON and tables, and joins them with the outcome engine (the CLI is where Wire and
/// Policy meet).</summary>
internal static class ListenRendering
{
    public static ListenClientJson Map(ListenClientReport r)
    {
        ClientNegotiateInfo? n = r.Negotiate;
        return new ListenClientJson(
            r.Connection,
            r.Remote.ToString(),
            r.Started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            Math.Round(r.Duration.TotalSeconds, 3),
            ModeName(r.Mode),
            n?.Dialects.Select(d => d.ToDisplayString()).ToArray() ?? (IReadOnlyList<string>)(r.Smb1?.Dialects ?? []),
            n is null ? null : SecurityModeName(n.SecurityMode),
            r.SessionSetupSecurityMode is { } ss ? SecurityModeName(ss) : null,
            n?.Capabilities.ToNames(),
            n is null || n.ClientGuid == Guid.Empty ? null : n.ClientGuid.ToString(),
            n is null || n.PreauthHashAlgorithms is null && n.SigningAlgorithms is null && n.Ciphers is null && n.NetName is null
                ? null
                : new ListenContextsJson(
                    n.SigningAlgorithms?.Select(a => a.ToDisplayString()).ToArray(),
                    n.Ciphers?.Select(c => c.ToDisplayString()).ToArray(),
                    n.Compression?.Select(c => c.ToDisplayString()).ToArray(),
                    n.RdmaTransforms?.Select(t => (int)t).ToArray(),
                    n.NetName,
                    n.PreauthHashAlgorithms?.Select(h => h == PreauthHashAlgorithm.Sha512 ? "SHA-512" : $"0x{(ushort)h:X4}").ToArray(),
                    n.TransportFlags),
            r.Smb1 is { } s
                ? new ListenSmb1Json(s.Dialects, s.Flags2.ToString(), s.SessionSetupFlags2?.ToString(), s.SessionSetupCapabilities?.ToString(), s.SigningEnabled, s.SigningRequired)
                : null,
            r.Ntlm is { } t ? new ListenNtlmJson($"0x{(uint)t.NegotiateFlags:X8} ({t.NegotiateFlags})", t.Version?.ToString(), t.User, t.Domain, t.Workstation) : null,
            r.Dialect?.ToDisplayString(),
            r.SigningAlgorithm?.ToDisplayString(),
            r.Authentication.ToString().ToLowerInvariant(),
            r.RequiresSigning,
            r.Enforcement switch
            {
                ClientEnforcementVerdict.Enforced => true,
                ClientEnforcementVerdict.NotEnforced => false,
                _ => null,
            },
            r.EnforcementReason,
            new ListenMessagesJson(r.SignedRequests, r.BadlySignedRequests, r.UnsignedRequests, r.SignedResponses, r.TamperedResponses),
            r.Commands.Select(Smb2CommandNames.Get).Concat(r.Smb1Commands.Select(Smb1CommandNames.Get)).Distinct().ToArray(),
            r.ReadProbeFile,
            r.End,
            Predict(r));
    }

    /// <summary>
    /// The outcome engine's prediction for a client with the advertised requirement against this listener (a server that
    /// enables but never requires signing), compared with what the listener saw. Null when the requirement or dialect is
    /// unknown. The client's other settings are unknown, so the profile is Windows 11 24H2 Enterprise with only
    /// RequireSecuritySignature set from the wire; for SMB 2/3 that is the only input that decides.
    /// </summary>
    public static ListenPredictionJson? Predict(ListenClientReport r)
    {
        if (r.RequiresSigning is not { } requires || r.Dialect is not { } dialect)
        {
            return null;
        }

        SessionKind session = r.Authentication switch
        {
            ListenAuthentication.Guest => SessionKind.Guest,
            ListenAuthentication.Anonymous => SessionKind.Anonymous,
            ListenAuthentication.User => SessionKind.User,
            _ => (SessionKind)(-1),
        };
        if (!Enum.IsDefined(session))
        {
            return null;
        }

        ClientPolicy client = new ClientPolicy(OsProfiles.Get("win11-24h2-enterprise")).With("client.RequireSecuritySignature", requires);
        if (dialect == Dialect.Smb1 && r.Smb1 is { } smb1)
        {
            // SMB1 signs when both sides merely enable it, so the client's SECURITY_SIGNATURE bit is an input too.
            client = client.With("client.EnableSecuritySignature", smb1.SigningEnabled || requires);
        }

        ServerPolicy server = new ServerPolicy(OsProfiles.Get("samba"))
            .With("server.RequireSecuritySignature", false)
            .With("server.EnableSecuritySignature", true);
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, server, dialect, session);
        string predicted = outcome.Result.ToDisplayString();
        string? observed = Observed(r);
        if (observed is null)
        {
            return new ListenPredictionJson(predicted, null, null, null);
        }

        bool agrees = string.Equals(predicted, observed, StringComparison.Ordinal);
        string? note = agrees ? null : Disagreement(r, predicted, observed);
        return new ListenPredictionJson(predicted, observed, agrees, note);
    }

    /// <summary>What the session turned out as: "signed" when the client signed everything (observe) or refused a tampered
    /// answer (test modes), "not-signed" when it worked without signing or used a tampered answer, "fails" when it refused
    /// a session that cannot be signed. Null when the listener cannot tell.</summary>
    private static string? Observed(ListenClientReport r)
    {
        if (r.Authentication is ListenAuthentication.Guest or ListenAuthentication.Anonymous)
        {
            return r.Enforcement == ClientEnforcementVerdict.Enforced ? "fails" : "not-signed";
        }

        if (r.Mode == ListenTestMode.Observe)
        {
            if (r.SignedRequests + r.UnsignedRequests == 0)
            {
                return null;
            }

            return r.UnsignedRequests == 0 && r.SignedResponses > 0 ? "signed" : "not-signed";
        }

        return r.Enforcement switch
        {
            ClientEnforcementVerdict.Enforced => "signed",
            ClientEnforcementVerdict.NotEnforced => "not-signed",
            _ => null,
        };
    }

    private static string Disagreement(ListenClientReport r, string predicted, string observed) => (predicted, observed) switch
    {
        ("signed", "not-signed") when r.Mode != ListenTestMode.Observe =>
            "the client advertises that it requires signing, so the engine predicts a signed session, but it used a tampered answer: the requirement is advertised, not enforced",
        ("signed", "not-signed") =>
            "the client advertises that it requires signing but sent requests unsigned",
        ("fails", "not-signed") =>
            "the client requires signing, so it should refuse a session that cannot be signed, but it went on with it",
        ("not-signed", "signed") when r.Mode != ListenTestMode.Observe =>
            "the client does not advertise a signing requirement, yet it refused a tampered answer: it enforces more than it advertises",
        ("not-signed", "signed") =>
            "the client does not advertise a signing requirement but signed every request (signing enabled and used)",
        ("not-signed", "fails") =>
            "the client does not advertise a signing requirement but refused a session that cannot be signed",
        _ => $"the engine predicts {predicted}, the listener observed {observed}",
    };

    public static IEnumerable<IRenderable> RenderTable(IReadOnlyList<ListenClientJson> clients, string header)
    {
        yield return new Markup(Markup.Escape(header) + "\n");
        if (clients.Count == 0)
        {
            yield return new Markup("No client connected.\n");
            yield break;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("#").AddColumn("Client").AddColumn("Dialect").AddColumn("Alg.").AddColumn("Auth")
            .AddColumn("Requires").AddColumn("Enforces").AddColumn("Engine");
        foreach (ListenClientJson c in clients)
        {
            table.AddRow(
                Markup.Escape(c.Connection.ToString(CultureInfo.InvariantCulture)),
                Markup.Escape(c.Client),
                Markup.Escape(c.Dialect ?? (c.Smb1 is not null ? "smb1 (not served)" : "-")),
                Markup.Escape(c.SigningAlgorithm ?? "-"),
                Markup.Escape(c.Authentication),
                YesNo(c.RequiresSigning, "unknown"),
                YesNo(c.EnforcesSigning, "untested"),
                Markup.Escape(c.Prediction is { } p ? p.Predicted + (p.Agrees == false ? " (disagrees)" : string.Empty) : "-"));
        }

        yield return table;
        foreach (ListenClientJson c in clients)
        {
            string offered = c.Contexts?.SigningAlgorithms is { } algorithms ? $"; signing algorithms {string.Join(", ", algorithms)}" : string.Empty;
            string mode = c.SecurityMode is { } m ? $"SecurityMode {m}"
                : c.Smb1 is { } smb1 ? $"Flags2 {smb1.SessionSetupFlags2 ?? smb1.Flags2}"
                : "SecurityMode -";
            string version = c.Ntlm?.Version is { } v ? $"; NTLM version {v}" : string.Empty;
            string who = c.Ntlm?.User is { } u ? $"; user {(c.Ntlm.Domain is { Length: > 0 } d ? d + "\\" : string.Empty)}{u} from {c.Ntlm.Workstation ?? "?"}" : string.Empty;
            yield return new Markup(Markup.Escape(
                $"#{c.Connection}: offered {string.Join(", ", c.DialectsOffered)}; {mode}{offered}{version}{who}; " +
                $"{c.EnforcementReason}; ended: {c.End}.") + "\n");
            if (c.Prediction?.Note is { } note)
            {
                yield return new Markup(Markup.Escape($"#{c.Connection}: engine disagrees: {note}.") + "\n");
            }
        }
    }

    public static string ModeName(ListenTestMode mode) => mode switch
    {
        ListenTestMode.Unsigned => "unsigned",
        ListenTestMode.BadSignature => "bad-signature",
        _ => "observe",
    };

    private static string YesNo(bool? value, string unknown) => value switch
    {
        true => "[green]yes[/]",
        false => "[red]no[/]",
        _ => Markup.Escape(unknown),
    };

    private static string SecurityModeName(Smb2SecurityMode mode) => mode switch
    {
        Smb2SecurityMode.None => "none",
        _ => string.Join('|', new[] { (Smb2SecurityMode.SigningEnabled, "SIGNING_ENABLED"), (Smb2SecurityMode.SigningRequired, "SIGNING_REQUIRED") }
            .Where(f => (mode & f.Item1) != 0).Select(f => f.Item2)),
    };
}
