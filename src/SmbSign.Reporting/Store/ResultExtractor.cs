using System.Globalization;
using System.Text.Json;
using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Store;

/// <summary>
/// Reads the normalized <see cref="ResultRow"/>s out of a command's JSON document (its published shape, docs/cli/*.md),
/// so the store needs nothing but the document the command printed. Where one document names a subject and item twice
/// (a target scanned twice, a client that connected twice), the worse status is kept.
/// </summary>
public static class ResultExtractor
{
    public const string Machine = "machine";
    public const string Server = "server";
    public const string Client = "client";

    /// <summary>The rows of <paramref name="document"/>; throws <see cref="StoreException"/> when it is not the documented shape.</summary>
    public static IReadOnlyList<ResultRow> Extract(RunDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var rows = new Dictionary<(string, string, string), ResultRow>();
        try
        {
            using JsonDocument json = JsonDocument.Parse(document.Json, new JsonDocumentOptions { MaxDepth = 64 });
            JsonElement root = json.RootElement;
            switch (document.Kind)
            {
                case RunKind.Audit:
                    foreach (JsonElement machine in Array(root, "machines"))
                    {
                        string name = String(machine, "name") ?? throw Shape("audit", "machines[].name");
                        foreach (JsonElement result in Array(machine, "results"))
                        {
                            Add(rows, new ResultRow(Machine, name, String(result, "rule") ?? throw Shape("audit", "results[].rule"), String(result, "status") ?? "unknown", String(result, "effective")));
                        }
                    }

                    break;
                case RunKind.Scan:
                    if (root.ValueKind != JsonValueKind.Array)
                    {
                        throw Shape("scan", "a JSON array of targets");
                    }

                    foreach (JsonElement row in root.EnumerateArray())
                    {
                        AddScan(rows, row);
                    }

                    break;
                case RunKind.Verify:
                    AddVerify(rows, root);
                    break;
                case RunKind.Listen:
                    foreach (JsonElement client in Array(root, "clients"))
                    {
                        string address = HostOf(String(client, "client") ?? throw Shape("listen", "clients[].client"));
                        Add(rows, new ResultRow(Client, address, "requires-signing", Verdict(Bool(client, "requiresSigning")), Text(Bool(client, "requiresSigning"))));
                        Add(rows, new ResultRow(Client, address, "enforces", Verdict(Bool(client, "enforcesSigning")), Text(Bool(client, "enforcesSigning"))));
                    }

                    break;
                default:
                    throw new StoreException($"unknown run kind {document.Kind}.");
            }
        }
        catch (JsonException e)
        {
            throw new StoreException($"the {Name(document.Kind)} document is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new StoreException($"the {Name(document.Kind)} document does not have the documented shape: {e.Message}", e);
        }

        return [.. rows.Values];
    }

    /// <summary>"audit", "scan", "verify", "listen": the names used in the store and in history output.</summary>
    public static string Name(RunKind kind) => kind switch
    {
        RunKind.Audit => "audit",
        RunKind.Scan => "scan",
        RunKind.Verify => "verify",
        _ => "listen",
    };

    /// <summary>The inverse of <see cref="Name"/>.</summary>
    public static bool TryParseKind(string? text, out RunKind kind)
    {
        foreach (RunKind candidate in Enum.GetValues<RunKind>())
        {
            if (string.Equals(Name(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>How bad a status is, for merging duplicates and for the history diff: fail 3, unknown/error 2, pass 1, others 0.</summary>
    public static int Badness(string status) => status switch
    {
        "fail" => 3,
        "unknown" or "error" => 2,
        "pass" => 1,
        _ => 0,
    };

    private static void AddScan(Dictionary<(string, string, string), ResultRow> rows, JsonElement row)
    {
        string target = String(row, "target") ?? throw Shape("scan", "[].target");
        int port = row.TryGetProperty("port", out JsonElement p) && p.TryGetInt32(out int value) ? value : 445;
        string subject = target.Contains(':', StringComparison.Ordinal) ? $"[{target}]:{port}" : string.Create(CultureInfo.InvariantCulture, $"{target}:{port}");
        bool reachable = Bool(row, "reachable") == true;
        Add(rows, new ResultRow(Server, subject, "reachable", "info", reachable ? "true" : "false"));
        if (!reachable)
        {
            return;
        }

        string? smb1 = row.TryGetProperty("smb1", out JsonElement s1) && s1.ValueKind == JsonValueKind.Object && Bool(s1, "enabled") == true ? String(s1, "signing") : null;
        string? smb2 = row.TryGetProperty("smb2", out JsonElement s2) && s2.ValueKind == JsonValueKind.Object && Bool(s2, "enabled") == true ? String(s2, "signing") : null;

        // Signing is required when every family the server speaks requires it; unknown when a spoken family's mode was not read.
        bool speaks1 = s1.ValueKind == JsonValueKind.Object && Bool(s1, "enabled") == true;
        bool speaks2 = s2.ValueKind == JsonValueKind.Object && Bool(s2, "enabled") == true;
        string status;
        if ((speaks1 && smb1 is not null and not "required") || (speaks2 && smb2 is not null and not "required"))
        {
            status = "fail";
        }
        else if ((speaks1 && smb1 is null) || (speaks2 && smb2 is null) || (!speaks1 && !speaks2))
        {
            status = "unknown";
        }
        else
        {
            status = "pass";
        }

        string signingValue = string.Join(' ', new[] { speaks2 ? "smb2=" + (smb2 ?? "unknown") : null, speaks1 ? "smb1=" + (smb1 ?? "not-checked") : null }.Where(v => v is not null));
        Add(rows, new ResultRow(Server, subject, "signing-required", status, signingValue.Length == 0 ? null : signingValue));

        // relayTarget true is the failure: a server NTLM can be relayed to.
        bool? relay = Bool(row, "relayTarget");
        Add(rows, new ResultRow(Server, subject, "relay-target", relay switch { true => "fail", false => "pass", _ => "unknown" }, Text(relay)));
    }

    private static void AddVerify(Dictionary<(string, string, string), ResultRow> rows, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Shape("verify", "a JSON object");
        }

        string target = String(root, "target") ?? throw Shape("verify", "target");
        string verdict = String(root, "verdict") ?? "untested";
        string? error = String(root, "errorKind");
        string enforced = verdict switch
        {
            "enforced" => "pass",
            "not-enforced" => "fail",
            _ => "unknown",
        };
        Add(rows, new ResultRow(Server, target, "enforced", enforced, error is null ? verdict : verdict + " (error: " + error + ")"));
        if (String(root, "dialect") is not null)
        {
            bool? required = Bool(root, "serverRequiresSigning");
            Add(rows, new ResultRow(Server, target, "signing-required", Verdict(required), Text(required)));
        }

        int failures = root.TryGetProperty("failures", out JsonElement f) && f.ValueKind == JsonValueKind.Array ? f.GetArrayLength() : 0;
        Add(rows, new ResultRow(Server, target, "signatures", failures == 0 && error is null ? "pass" : failures > 0 ? "fail" : "unknown", failures.ToString(CultureInfo.InvariantCulture) + " failed"));
    }

    private static void Add(Dictionary<(string, string, string), ResultRow> rows, ResultRow row)
    {
        var key = (row.SubjectKind, row.Subject, row.Item);
        if (!rows.TryGetValue(key, out ResultRow? existing) || Badness(row.Status) > Badness(existing.Status))
        {
            rows[key] = row;
        }
    }

    /// <summary>"10.0.0.5:49152" → "10.0.0.5"; "[::1]:49152" → "::1": a client's source port changes on every connection.</summary>
    private static string HostOf(string endPoint)
    {
        if (endPoint.StartsWith('['))
        {
            int close = endPoint.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? endPoint[1..close] : endPoint;
        }

        int colon = endPoint.LastIndexOf(':');
        return colon > 0 && endPoint.IndexOf(':', StringComparison.Ordinal) == colon ? endPoint[..colon] : endPoint;
    }

    private static string Verdict(bool? value) => value switch
    {
        true => "pass",
        false => "fail",
        _ => "unknown",
    };

    private static string? Text(bool? value) => value switch
    {
        true => "true",
        false => "false",
        _ => null,
    };

    private static JsonElement.ArrayEnumerator Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : throw new InvalidOperationException($"expected an array '{name}'");

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? Bool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static StoreException Shape(string kind, string what) => new($"the {kind} document does not have the documented shape: missing {what}.");
}
