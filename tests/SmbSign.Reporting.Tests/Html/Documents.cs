using System.Text.Json.Nodes;

namespace SmbSign.Reporting.Tests.Html;

/// <summary>Small documents in the shapes the CLI writes (docs/cli/audit.md, scan.md, verify.md, listen.md), for unit
/// tests; the end-to-end test (SmbSign.Cli.Tests ReportBrowserTests) uses documents the real commands wrote.</summary>
internal static class Documents
{
    public static JsonObject Result(string rule, string status, bool notConfigured = false, string setting = "client.RequireSecuritySignature") => new()
    {
        ["rule"] = rule,
        ["item"] = rule,
        ["title"] = "Title of " + rule,
        ["level"] = "L1",
        ["setting"] = setting,
        ["status"] = status,
        ["notConfigured"] = notConfigured,
    };

    public static JsonObject Machine(string name, string os, params JsonObject[] results)
    {
        int Count(string s) => results.Count(r => (string?)r["status"] == s);
        bool fails = Count("fail") + Count("error") > 0;
        return new JsonObject
        {
            ["name"] = name,
            ["os"] = os,
            ["osName"] = "Name of " + os,
            ["role"] = "workstation",
            ["benchmark"] = "cis-test",
            ["verdict"] = fails ? "fail" : "pass",
            ["failing"] = new JsonArray([.. results.Where(r => (string?)r["status"] is "fail" or "error").Select(r => (JsonNode?)JsonValue.Create((string?)r["rule"]))]),
            ["counts"] = new JsonObject
            {
                ["pass"] = Count("pass"),
                ["fail"] = Count("fail"),
                ["notApplicable"] = Count("not-applicable"),
                ["error"] = Count("error"),
                ["notConfigured"] = results.Count(r => (bool?)r["notConfigured"] == true),
            },
            ["results"] = new JsonArray([.. results.Select(r => (JsonNode)r.DeepClone())]),
        };
    }

    public static string Audit(string generatedAt, params JsonObject[] machines) => new JsonObject
    {
        ["schemaVersion"] = 2,
        ["generatedAt"] = generatedAt,
        ["toolVersion"] = "0.1.0",
        ["tool"] = "smbsign 0.1.0",
        ["strict"] = false,
        ["failuresOnly"] = false,
        ["machines"] = new JsonArray([.. machines.Select(m => (JsonNode)m)]),
        ["benchmark"] = "cis-test",
        ["summary"] = new JsonObject { ["machines"] = machines.Length },
    }.ToJsonString();

    public static JsonObject ScanRow(string target, bool? relay, string? dialect = "3.1.1", string? algorithm = "AES-GMAC", string generatedAt = "2026-12-01T00:00:00Z") => new()
    {
        ["generatedAt"] = generatedAt,
        ["toolVersion"] = "0.1.0",
        ["target"] = target,
        ["port"] = 445,
        ["reachable"] = relay is not null,
        ["smb1"] = new JsonObject { ["enabled"] = false, ["signing"] = null },
        ["smb2"] = new JsonObject { ["enabled"] = true, ["dialect"] = dialect, ["signing"] = relay == false ? "required" : "enabled", ["signingAlgorithm"] = algorithm },
        ["host"] = new JsonObject { ["netbiosName"] = "NAS", ["dnsName"] = null },
        ["relayTarget"] = relay,
        ["clientOutcome"] = null,
        ["error"] = null,
    };

    public static string Scan(params JsonObject[] rows) => new JsonArray([.. rows.Select(r => (JsonNode)r)]).ToJsonString();

    public static string Verify(string target, string verdict, string generatedAt = "2026-12-01T00:00:00Z") => new JsonObject
    {
        ["generatedAt"] = generatedAt,
        ["toolVersion"] = "0.1.0",
        ["target"] = target,
        ["dialect"] = "3.1.1",
        ["signingAlgorithm"] = "AES-CMAC",
        ["serverRequiresSigning"] = verdict == "enforced",
        ["sessionSigningRequired"] = true,
        ["enforced"] = verdict == "enforced",
        ["verdict"] = verdict,
        ["reason"] = "because",
        ["error"] = null,
    }.ToJsonString();

    public static JsonObject Client(string client, bool? enforces, string? workstation = "WS1") => new()
    {
        ["client"] = client,
        ["mode"] = "bad-signature",
        ["dialect"] = "3.1.1",
        ["signingAlgorithm"] = "AES-GMAC",
        ["requiresSigning"] = enforces,
        ["enforcesSigning"] = enforces,
        ["enforcementReason"] = "reason",
        ["ntlm"] = new JsonObject { ["workstation"] = workstation },
    };

    public static string Listen(params JsonObject[] clients) => new JsonObject
    {
        ["generatedAt"] = "2026-12-01T00:00:00Z",
        ["toolVersion"] = "0.1.0",
        ["listening"] = "127.0.0.1:4455",
        ["mode"] = "bad-signature",
        ["clients"] = new JsonArray([.. clients.Select(c => (JsonNode)c)]),
    }.ToJsonString();
}
