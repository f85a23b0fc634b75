using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using SmbSign.Policy.Remediation;

namespace SmbSign.Policy.Formats.Intune;

/// <summary>A Graph JSON document written for Intune, with the settings it holds and those it cannot express.</summary>
/// <param name="Json">UTF-8 JSON without BOM, ready for <c>POST</c>.</param>
/// <param name="Included">Setting ids in the document.</param>
/// <param name="Skipped">Settings left out and why (no CSP node, no Settings Catalog definition, ...).</param>
public sealed record IntuneDocument(byte[] Json, ImmutableArray<string> Included, ImmutableArray<SkippedSetting> Skipped);

/// <summary>Shared bits of the two Intune writers.</summary>
internal static class IntuneWriting
{
    /// <summary>The ADMX list separator used inside <c>&lt;data value="…"/&gt;</c> (docs/reference/policy.md §2.2, [unconfirmed]).</summary>
    public const string AdmxListSeparator = "&#xF000;";

    public static JsonWriterOptions Options { get; } = new()
    {
        Indented = true,

        // Readable "<enabled/>" and "\\*\NETLOGON" rather than \u003C escapes; the file is JSON for Graph, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>True for the two Hardened UNC Paths entries, which both Intune forms write as one list.</summary>
    public static bool IsHardenedPath(RemediationItem item) =>
        item.Setting.Id.StartsWith("client.HardenedPaths.", StringComparison.OrdinalIgnoreCase);

    public static string DescriptionOf(RemediationItem item) =>
        (item.RuleId is null ? string.Empty : item.RuleId + ". ") + item.Setting.Summary;

    public static byte[] Build(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            write(writer);
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>XML attribute text: &amp;, &lt;, &gt; and quotes escaped.</summary>
    public static string XmlAttribute(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);
}
