using System.Globalization;
using System.Text;
using System.Text.Json;
using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Tests;

/// <summary>Documents in the commands' published JSON shapes (docs/cli/audit.md, scan.md, verify.md, listen.md).</summary>
internal static class TestDocuments
{
    /// <summary>An audit of one machine named <paramref name="machine"/> with <paramref name="rules"/> results R0..Rn
    /// (every third one failing).</summary>
    public static RunDocument Audit(DateTimeOffset at, string machine, int rules) =>
        Audit(at, [(machine, [.. Enumerable.Range(0, rules).Select(i => ("R" + i.ToString(CultureInfo.InvariantCulture), i % 3 == 0 ? "fail" : "pass", (string?)(i % 3 == 0 ? "0" : "1")))])]);

    public static RunDocument Audit(DateTimeOffset at, IReadOnlyList<(string Machine, IReadOnlyList<(string Rule, string Status, string? Effective)> Results)> machines)
    {
        string json = Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 1);
            w.WriteString("generatedAt", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteString("toolVersion", "test");
            w.WriteStartArray("machines");
            foreach ((string name, IReadOnlyList<(string Rule, string Status, string? Effective)> results) in machines)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteStartArray("results");
                foreach ((string rule, string status, string? effective) in results)
                {
                    w.WriteStartObject();
                    w.WriteString("rule", rule);
                    w.WriteString("status", status);
                    w.WriteString("effective", effective);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        return new RunDocument(RunKind.Audit, at, "test", json);
    }

    /// <summary>A scan: per target, (host, port, reachable, smb2 signing, relayTarget).</summary>
    public static RunDocument Scan(DateTimeOffset at, params (string Host, int Port, bool Reachable, string? Smb2Signing, bool? Relay)[] targets)
    {
        string json = Write(w =>
        {
            w.WriteStartArray();
            foreach ((string host, int port, bool reachable, string? signing, bool? relay) in targets)
            {
                w.WriteStartObject();
                w.WriteString("generatedAt", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                w.WriteString("target", host);
                w.WriteNumber("port", port);
                w.WriteBoolean("reachable", reachable);
                w.WriteStartObject("smb1");
                w.WriteNull("enabled");
                w.WriteNull("signing");
                w.WriteEndObject();
                w.WriteStartObject("smb2");
                if (reachable)
                {
                    w.WriteBoolean("enabled", true);
                }
                else
                {
                    w.WriteNull("enabled");
                }

                w.WriteString("signing", signing);
                w.WriteEndObject();
                if (relay is { } r)
                {
                    w.WriteBoolean("relayTarget", r);
                }
                else
                {
                    w.WriteNull("relayTarget");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        return new RunDocument(RunKind.Scan, at, "test", json);
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
