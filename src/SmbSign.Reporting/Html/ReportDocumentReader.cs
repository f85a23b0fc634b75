using System.Globalization;
using System.Text.Json;
using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Html;

/// <summary>
/// Reads the <c>--format json</c> documents of <c>audit</c>, <c>scan</c> (also <c>jsonl</c>), <c>verify</c> and
/// <c>listen</c> and tells them apart by their top-level properties (docs/cli/report.md). The audit document can be
/// hundreds of megabytes for a large fleet, so it is walked with a <see cref="Utf8JsonReader"/> and only one machine at a
/// time is materialised; the fields the report does not show (sources, provenance, values) are skipped. No reflection:
/// the CLI is NativeAOT. Anything that is not the documented shape is a <see cref="ReportInputException"/> whose one
/// line names the source, the line and what was expected.
/// </summary>
internal static class ReportDocumentReader
{
    /// <summary>The audit JSON schema this reader understands (AuditJsonRenderer.SchemaVersion in the CLI).</summary>
    public const int AuditSchemaVersion = 2;

    private const string Expected = "expected the output of smbsign audit, scan, verify or listen with --format json";

    /// <summary>Which command wrote <paramref name="utf8"/>, from its first top-level value.</summary>
    public static RunKind DetectKind(string source, ReadOnlySpan<byte> utf8)
    {
        try
        {
            Utf8JsonReader reader = new(utf8, new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read())
            {
                throw Fail(source, utf8, 0, "the file is empty; " + Expected);
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                // scan --format json is an array of target rows (an empty array when nothing was scanned).
                return RunKind.Scan;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Fail(source, utf8, reader.TokenStartIndex, "a JSON object or array at the top; " + Expected);
            }

            HashSet<string> names = new(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                names.Add(reader.GetString() ?? string.Empty);
                reader.Read();
                reader.Skip();
            }

            if (names.Contains("machines") && names.Contains("summary"))
            {
                return RunKind.Audit;
            }

            if (names.Contains("listening") && names.Contains("clients"))
            {
                return RunKind.Listen;
            }

            if (names.Contains("target") && names.Contains("enforced") && names.Contains("verdict"))
            {
                return RunKind.Verify;
            }

            if (names.Contains("target") && names.Contains("reachable") && names.Contains("smb2"))
            {
                return RunKind.Scan;
            }

            throw Fail(source, utf8, 0, "an object with 'machines' and 'summary' (audit), 'listening' and 'clients' (listen), 'target' and 'verdict' (verify) or 'target' and 'smb2' (scan jsonl), as smbsign audit, scan, verify and listen write with --format json");
        }
        catch (JsonException e)
        {
            throw NotJson(source, e);
        }
    }

    /// <summary>Parses one document; <paramref name="source"/> names it in error messages.</summary>
    public static ParsedDocument Read(string source, ReadOnlySpan<byte> utf8)
    {
        RunKind kind = DetectKind(source, utf8);
        try
        {
            return kind switch
            {
                RunKind.Audit => ReadAudit(source, utf8),
                RunKind.Scan => ReadScan(source, utf8),
                RunKind.Verify => ReadVerify(source, utf8),
                _ => ReadListen(source, utf8),
            };
        }
        catch (JsonException e)
        {
            throw NotJson(source, e);
        }
    }

    private static ParsedDocument ReadAudit(string source, ReadOnlySpan<byte> utf8)
    {
        Utf8JsonReader reader = new(utf8);
        reader.Read();
        List<AuditMachine> machines = [];
        // Rule ids, titles and settings repeat on every machine: keep one copy of each (100,000 machines x 30 results).
        Dictionary<string, string> pool = new(StringComparer.Ordinal);
        DateTimeOffset? generatedAt = null;
        string? toolVersion = null;
        int? schema = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString() ?? string.Empty;
            reader.Read();
            long at = reader.TokenStartIndex;
            switch (name)
            {
                case "schemaVersion" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int version):
                    schema = version;
                    break;
                case "generatedAt":
                    generatedAt = Time(source, utf8, at, reader.TokenType == JsonTokenType.String ? reader.GetString() : null, "generatedAt");
                    break;
                case "toolVersion" when reader.TokenType == JsonTokenType.String:
                    toolVersion = reader.GetString();
                    break;
                case "failuresOnly" when reader.TokenType == JsonTokenType.True:
                    // Such a document lists only the failing machines and only their failing results: the report would
                    // count a fleet it cannot see. Refuse rather than show partial numbers as the fleet's.
                    throw Fail(source, utf8, at, "an audit of every machine, but it was written with --failures-only (only failing machines and results are listed); run smbsign audit without --failures-only");
                case "machines":
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw Fail(source, utf8, at, "'machines' to be an array");
                    }

                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        long start = reader.TokenStartIndex;
                        JsonElement machine = JsonElement.ParseValue(ref reader);
                        machines.Add(ReadMachine(new Where(source, utf8, start, $"machine {machines.Count + 1}"), machine, pool));
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (schema != AuditSchemaVersion)
        {
            throw Fail(source, utf8, 0, $"an audit document with schemaVersion {AuditSchemaVersion.ToString(CultureInfo.InvariantCulture)}, found {(schema is { } s ? s.ToString(CultureInfo.InvariantCulture) : "none")}; run this version of smbsign audit again");
        }

        return new ParsedDocument(
            source,
            RunKind.Audit,
            generatedAt ?? throw Fail(source, utf8, 0, "a 'generatedAt' time in the audit document"),
            toolVersion ?? throw Fail(source, utf8, 0, "a 'toolVersion' in the audit document"),
            machines,
            [],
            [],
            []);
    }

    private static AuditMachine ReadMachine(Where where, JsonElement m, Dictionary<string, string> pool)
    {
        string Intern(string s)
        {
            if (!pool.TryGetValue(s, out string? shared))
            {
                pool.Add(s, s);
                shared = s;
            }

            return shared;
        }

        where.Object(m, null);
        JsonElement counts = where.Property(m, "counts", JsonValueKind.Object);
        JsonElement results = where.Property(m, "results", JsonValueKind.Array);
        List<AuditResult> list = new(results.GetArrayLength());
        bool serverSigningNotRequired = false;
        foreach (JsonElement r in results.EnumerateArray())
        {
            where.Object(r, "results[]");
            string? item = where.OptionalString(r, "item");
            AuditResult result = new(
                Intern(where.String(r, "rule")),
                item is null ? null : Intern(item),
                Intern(where.String(r, "title")),
                Intern(where.String(r, "setting")),
                Intern(where.String(r, "status")),
                where.Bool(r, "notConfigured"));
            if (result.Status is not ("pass" or "fail" or "not-applicable" or "error"))
            {
                throw where.Error("'status' to be pass, fail, not-applicable or error");
            }

            serverSigningNotRequired |= result.Status == "fail" && result.Setting == "server.RequireSecuritySignature";
            list.Add(result);
        }

        List<string> failing = [];
        foreach (JsonElement f in where.Property(m, "failing", JsonValueKind.Array).EnumerateArray())
        {
            failing.Add(f.ValueKind == JsonValueKind.String ? Intern(f.GetString()!) : throw where.Error("'failing' to hold rule ids (strings)"));
        }

        string verdict = where.String(m, "verdict");
        if (verdict is not ("pass" or "fail"))
        {
            throw where.Error("'verdict' to be pass or fail");
        }

        return new AuditMachine(
            where.String(m, "name"),
            where.OptionalString(m, "os") is { } os ? Intern(os) : null,
            where.OptionalString(m, "osName") is { } osName ? Intern(osName) : null,
            Intern(where.String(m, "role")),
            Intern(where.String(m, "benchmark")),
            verdict == "pass",
            failing,
            where.Int(counts, "pass"),
            where.Int(counts, "fail"),
            where.Int(counts, "notApplicable"),
            where.Int(counts, "error"),
            where.Int(counts, "notConfigured"),
            serverSigningNotRequired,
            list);
    }

    private static ParsedDocument ReadScan(string source, ReadOnlySpan<byte> utf8)
    {
        // Either one array (--format json) or one object per line (--format jsonl).
        Utf8JsonReader reader = new(utf8, new JsonReaderOptions { AllowMultipleValues = true });
        reader.Read();
        bool array = reader.TokenType == JsonTokenType.StartArray;
        List<ScanServer> servers = [];
        DateTimeOffset newest = DateTimeOffset.MinValue;
        string? toolVersion = null;
        if (array && !reader.Read())
        {
            throw Fail(source, utf8, reader.TokenStartIndex, "the end of the scan array");
        }

        while (array ? reader.TokenType != JsonTokenType.EndArray : reader.TokenType != JsonTokenType.None)
        {
            long start = reader.TokenStartIndex;
            JsonElement row = JsonElement.ParseValue(ref reader);
            Where where = new(source, utf8, start, $"scan row {servers.Count + 1}");
            where.Object(row, null);
            DateTimeOffset at = where.Time(row, "generatedAt");
            newest = at > newest ? at : newest;
            toolVersion ??= where.String(row, "toolVersion");
            JsonElement smb1 = where.Property(row, "smb1", JsonValueKind.Object);
            JsonElement smb2 = where.Property(row, "smb2", JsonValueKind.Object);
            JsonElement host = where.Property(row, "host", JsonValueKind.Object);
            string? error = row.TryGetProperty("error", out JsonElement e) && e.ValueKind == JsonValueKind.Object ? where.String(e, "kind") : null;
            servers.Add(new ScanServer(
                where.String(row, "target"),
                where.Int(row, "port"),
                where.Bool(row, "reachable"),
                where.OptionalBool(smb1, "enabled"),
                where.OptionalString(smb1, "signing"),
                where.OptionalBool(smb2, "enabled"),
                where.OptionalString(smb2, "signing"),
                where.OptionalString(smb2, "dialect"),
                where.OptionalString(smb2, "signingAlgorithm"),
                where.OptionalString(host, "netbiosName") ?? where.OptionalString(host, "dnsName"),
                where.OptionalBool(row, "relayTarget"),
                error));
            if (!reader.Read())
            {
                if (array)
                {
                    throw Fail(source, utf8, utf8.Length, "the end of the scan array (']')");
                }

                break;
            }
        }

        return new ParsedDocument(source, RunKind.Scan, newest, toolVersion ?? "unknown", [], servers, [], []);
    }

    private static ParsedDocument ReadVerify(string source, ReadOnlySpan<byte> utf8)
    {
        Utf8JsonReader reader = new(utf8);
        JsonElement v = JsonElement.ParseValue(ref reader);
        Where where = new(source, utf8, 0, "verify document");
        string verdict = where.String(v, "verdict");
        if (verdict is not ("enforced" or "not-enforced" or "untested"))
        {
            throw where.Error("'verdict' to be enforced, not-enforced or untested");
        }

        VerifiedSession session = new(
            where.String(v, "target"),
            where.OptionalString(v, "dialect"),
            where.OptionalString(v, "signingAlgorithm"),
            where.Bool(v, "serverRequiresSigning"),
            where.Bool(v, "sessionSigningRequired"),
            verdict,
            where.String(v, "reason"),
            where.OptionalString(v, "error"));
        return new ParsedDocument(source, RunKind.Verify, where.Time(v, "generatedAt"), where.String(v, "toolVersion"), [], [], [session], []);
    }

    private static ParsedDocument ReadListen(string source, ReadOnlySpan<byte> utf8)
    {
        Utf8JsonReader reader = new(utf8);
        JsonElement l = JsonElement.ParseValue(ref reader);
        Where where = new(source, utf8, 0, "listen document");
        List<ListenConnection> connections = [];
        foreach (JsonElement c in where.Property(l, "clients", JsonValueKind.Array).EnumerateArray())
        {
            Where at = new(source, utf8, 0, $"listen client {connections.Count + 1}");
            at.Object(c, null);
            string? workstation = c.TryGetProperty("ntlm", out JsonElement ntlm) && ntlm.ValueKind == JsonValueKind.Object ? at.OptionalString(ntlm, "workstation") : null;
            connections.Add(new ListenConnection(
                at.String(c, "client"),
                workstation,
                at.String(c, "mode"),
                at.OptionalString(c, "dialect"),
                at.OptionalString(c, "signingAlgorithm"),
                at.OptionalBool(c, "requiresSigning"),
                at.OptionalBool(c, "enforcesSigning"),
                at.String(c, "enforcementReason")));
        }

        return new ParsedDocument(source, RunKind.Listen, where.Time(l, "generatedAt"), where.String(l, "toolVersion"), [], [], [], connections);
    }

    private static ReportInputException NotJson(string source, JsonException e) =>
        new($"{source}: line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: not valid JSON; {Expected}.", e);

    private static ReportInputException Fail(string source, ReadOnlySpan<byte> utf8, long offset, string expected) =>
        new($"{source}:{LineOf(utf8, offset).ToString(CultureInfo.InvariantCulture)}: expected {expected}.");

    private static DateTimeOffset Time(string source, ReadOnlySpan<byte> utf8, long offset, string? text, string name) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time)
            ? time
            : throw Fail(source, utf8, offset, $"'{name}' to be an ISO 8601 time");

    /// <summary>1-based line of a byte offset; counted only when an error is reported.</summary>
    private static int LineOf(ReadOnlySpan<byte> utf8, long offset) =>
        utf8[..(int)Math.Clamp(offset, 0, utf8.Length)].Count((byte)'\n') + 1;

    /// <summary>Where a value came from (source, line of the enclosing element, which element), for error messages.</summary>
    private readonly ref struct Where(string source, ReadOnlySpan<byte> utf8, long offset, string what)
    {
        private readonly string _source = source;
        private readonly ReadOnlySpan<byte> _utf8 = utf8;
        private readonly long _offset = offset;

        public string What { get; init; } = what;

        public ReportInputException Error(string expected) => Fail(_source, _utf8, _offset, $"{expected} in {What}");

        public void Object(JsonElement e, string? name)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Error(name is null ? "an object" : $"'{name}' to hold objects");
            }
        }

        public JsonElement Property(JsonElement e, string name, JsonValueKind kind) =>
            e.TryGetProperty(name, out JsonElement value) && value.ValueKind == kind
                ? value
                : throw Error($"'{name}' to be {(kind == JsonValueKind.Array ? "an array" : "an object")}");

        public string String(JsonElement e, string name) =>
            e.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw Error($"a string '{name}'");

        public string? OptionalString(JsonElement e, string name) =>
            !e.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null
                ? null
                : value.ValueKind == JsonValueKind.String ? value.GetString() : throw Error($"'{name}' to be a string or null");

        public bool Bool(JsonElement e, string name) =>
            OptionalBool(e, name) ?? throw Error($"a boolean '{name}'");

        public bool? OptionalBool(JsonElement e, string name) =>
            !e.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null
                ? null
                : value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw Error($"'{name}' to be true, false or null"),
                };

        public int Int(JsonElement e, string name) =>
            e.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= 0
                ? n
                : throw Error($"a non-negative integer '{name}'");

        public DateTimeOffset Time(JsonElement e, string name) =>
            e.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time)
                ? time
                : throw Error($"'{name}' to be an ISO 8601 time");
    }
}
