using System.Globalization;
using System.Text;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Formats.SecurityTemplate;

/// <summary>
/// Writes a security template / GPO <c>GptTmpl.inf</c> (MS-GPSB 2.2, docs/reference/policy.md §7.2) for Security Options:
/// UTF-16LE with BOM, CRLF, <c>[Unicode]</c> <c>Unicode=yes</c>, <c>[Version]</c> <c>signature="$CHICAGO$"</c>
/// <c>Revision=1</c>, then <c>[Registry Values]</c> with one <c>MACHINE\Key\Value=type,data</c> line per value:
/// 4 REG_DWORD (<c>=4,1</c>), 1 REG_SZ and 2 REG_EXPAND_SZ (quoted), 7 REG_MULTI_SZ (comma-separated; <c>=7,</c> is
/// the empty list). A template cannot delete a value ("Not Defined" is the line's absence), so deletions are refused.
/// </summary>
public static class SecurityTemplateWriter
{
    private const string Newline = "\r\n";

    /// <summary>The file's bytes (BOM included).</summary>
    public static byte[] Write(IEnumerable<RegistryChange> values) =>
        [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(ToText(values))];

    /// <summary>The file's text (without BOM).</summary>
    /// <exception cref="ArgumentException">A change is a deletion or has a type a template cannot hold.</exception>
    public static string ToText(IEnumerable<RegistryChange> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var builder = new StringBuilder();
        builder.Append("[Unicode]").Append(Newline)
            .Append("Unicode=yes").Append(Newline)
            .Append("[Version]").Append(Newline)
            .Append("signature=\"$CHICAGO$\"").Append(Newline)
            .Append("Revision=1").Append(Newline)
            .Append('[').Append(SecurityTemplateReader.RegistryValuesSection).Append(']').Append(Newline);
        foreach (RegistryChange change in values)
        {
            builder.Append(FormatLine(change)).Append(Newline);
        }

        return builder.ToString();
    }

    /// <summary><c>MACHINE\System\CurrentControlSet\Services\LanmanWorkstation\Parameters\RequireSecuritySignature=4,1</c>.</summary>
    public static string FormatLine(RegistryChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        RegistryValue value = change.Value
            ?? throw new ArgumentException($"a security template cannot delete {change.Identity}; leave the setting out (Not Defined) instead", nameof(change));
        string path = "MACHINE\\" + change.Identity.KeyPath + "\\" + change.Identity.ValueName;
        string data = value.Type switch
        {
            RegistryValueType.DWord when value.TryGetUInt32(out uint n) => "4," + n.ToString(CultureInfo.InvariantCulture),
            RegistryValueType.String when value.TryGetString(out string s) => "1," + QuoteAlways(s),
            RegistryValueType.ExpandString when value.TryGetString(out string s) => "2," + QuoteAlways(s),
            RegistryValueType.MultiString when value.TryGetStrings(out IReadOnlyList<string> items) => "7," + string.Join(',', items.Select(QuoteIfNeeded)),
            _ => throw new ArgumentException($"{change.Identity}: {value.Type.ToRegName()} cannot be written to a security template", nameof(change)),
        };
        return path + "=" + data;
    }

    private static string QuoteAlways(string text) => text.Contains('"', StringComparison.Ordinal)
        ? throw new ArgumentException($"'{text}': a security template value cannot contain a double quote", nameof(text))
        : "\"" + text + "\"";

    /// <summary>Readers split a list on commas and trim each item, so an item with a comma, or with white space at either
    /// end, is quoted (the quotes keep it whole).</summary>
    private static string QuoteIfNeeded(string item) =>
        item.Contains(',', StringComparison.Ordinal) || item.Contains('"', StringComparison.Ordinal) || (item.Length > 0 && (char.IsWhiteSpace(item[0]) || char.IsWhiteSpace(item[^1])))
            ? QuoteAlways(item)
            : item;
}
