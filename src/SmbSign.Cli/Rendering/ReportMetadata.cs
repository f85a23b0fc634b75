using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SmbSign.Cli.Rendering;

/// <summary>
/// The two fields every JSON report carries, so a report read later (or by a SIEM) says when and by what it was made:
/// <c>generatedAt</c>, UTC in ISO 8601 with a <c>Z</c> (RFC 3339 5.6), and <c>toolVersion</c>. The clock is injected
/// (<see cref="CliServices.Time"/>) so tests can pin it.
/// </summary>
internal static class ReportMetadata
{
    public const string GeneratedAtName = "generatedAt";

    public const string ToolVersionName = "toolVersion";

    /// <summary>The informational version of the smbsign assembly ("1.0.0+abc123" or "1.0.0").</summary>
    public static string ToolVersion { get; } =
        typeof(ReportMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ReportMetadata).Assembly.GetName().Version?.ToString()
        ?? "0";

    /// <summary>"2026-12-07T03:04:05Z": UTC, whole seconds.</summary>
    public static string GeneratedAt(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Writes both fields as properties of the object <paramref name="writer"/> is inside.</summary>
    public static void Write(Utf8JsonWriter writer, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString(GeneratedAtName, GeneratedAt(time));
        writer.WriteString(ToolVersionName, ToolVersion);
    }

    /// <summary>
    /// <paramref name="json"/> (one serialized JSON object, indented or not) with both fields inserted as its first
    /// properties. For renderers that serialize a record in one call: no DTO needs a new member.
    /// </summary>
    public static string Stamp(string json, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(json);
        int open = json.IndexOf('{', StringComparison.Ordinal);
        if (open < 0 || json.AsSpan(0, open).Trim().Length != 0)
        {
            throw new ArgumentException("expected a JSON object", nameof(json));
        }

        // Indented output puts a newline and the member indentation after '{'; compact output puts the first member.
        int first = open + 1;
        while (first < json.Length && json[first] is ' ' or '\r' or '\n' or '\t')
        {
            first++;
        }

        string separator = json.AsSpan(open + 1, first - (open + 1)).ToString();
        bool empty = first < json.Length && json[first] == '}';
        string generated = Quote(GeneratedAt(time));
        string version = Quote(ToolVersion);
        string colon = separator.Length == 0 ? ":" : ": ";
        StringBuilder builder = new(json.Length + 96);
        builder.Append(json, 0, open + 1)
            .Append(separator)
            .Append('"').Append(GeneratedAtName).Append('"').Append(colon).Append(generated).Append(',')
            .Append(separator)
            .Append('"').Append(ToolVersionName).Append('"').Append(colon).Append(version);
        if (empty)
        {
            // "{}" or "{\n}": close the object after the two fields.
            builder.Append(separator.Contains('\n', StringComparison.Ordinal) ? "\n" : string.Empty).Append(json, first, json.Length - first);
        }
        else
        {
            builder.Append(',').Append(separator).Append(json, first, json.Length - first);
        }

        return builder.ToString();
    }

    private static string Quote(string text) => "\"" + JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString() + "\"";
}
