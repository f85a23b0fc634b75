using System.Globalization;
using System.Text;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Formats.Reg;

/// <summary>
/// Writes a regedit 5.00 file (docs/reference/policy.md §7.1) that <see cref="RegFileReader"/> and <c>reg import</c> read:
/// UTF-16LE with BOM, CRLF, the <c>Windows Registry Editor Version 5.00</c> header, one <c>[HKEY_LOCAL_MACHINE\…]</c>
/// block per key in first-use order, and every value with an explicit type: <c>dword:</c> (8 hex digits),
/// <c>"text"</c> (REG_SZ, <c>\</c> and <c>"</c> escaped), <c>hex(2):</c> REG_EXPAND_SZ, <c>hex(7):</c> REG_MULTI_SZ,
/// <c>hex(b):</c> REG_QWORD, <c>hex:</c> REG_BINARY, <c>hex(N):</c> other types, <c>"Name"=-</c> deletions. Long hex
/// data continues on the next line after <c>,\</c> as regedit does. Pure: returns bytes.
/// </summary>
public static class RegWriter
{
    private const string Newline = "\r\n";
    private const int MaxLineLength = 78;

    /// <summary>The file's bytes (BOM included).</summary>
    public static byte[] Write(IEnumerable<RegistryChange> changes, IEnumerable<string>? headerComments = null) =>
        [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(ToText(changes, headerComments))];

    /// <summary>The file's text (without BOM).</summary>
    public static string ToText(IEnumerable<RegistryChange> changes, IEnumerable<string>? headerComments = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var builder = new StringBuilder();
        builder.Append(RegFileReader.Version5Header).Append(Newline).Append(Newline);
        foreach (string comment in headerComments ?? [])
        {
            AppendComment(builder, comment);
        }

        if (headerComments is not null)
        {
            builder.Append(Newline);
        }

        var keys = new List<(string Key, List<RegistryChange> Changes)>();
        foreach (RegistryChange change in changes)
        {
            int index = keys.FindIndex(k => string.Equals(k.Key, change.Identity.KeyPath, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                keys.Add((change.Identity.KeyPath, [change]));
            }
            else
            {
                keys[index].Changes.Add(change);
            }
        }

        foreach ((string key, List<RegistryChange> list) in keys)
        {
            builder.Append("[HKEY_LOCAL_MACHINE\\").Append(key).Append(']').Append(Newline);
            foreach (RegistryChange change in list)
            {
                if (change.Comment is not null)
                {
                    AppendComment(builder, change.Comment);
                }

                builder.Append(FormatValue(change.Identity.ValueName, change.Value)).Append(Newline);
            }

            builder.Append(Newline);
        }

        return builder.ToString();
    }

    /// <summary>One value line (possibly continued over several lines): <c>"Name"=dword:00000001</c>.</summary>
    public static string FormatValue(string valueName, RegistryValue? value)
    {
        ArgumentNullException.ThrowIfNull(valueName);
        string name = valueName.Length == 0 ? "@" : Quote(valueName);
        if (value is null)
        {
            return name + "=-";
        }

        string prefix = name + "=";
        switch (value.Type)
        {
            case RegistryValueType.DWord when value.TryGetUInt32(out uint number):
                return prefix + "dword:" + number.ToString("x8", CultureInfo.InvariantCulture);
            case RegistryValueType.String when value.TryGetString(out string text) && text.AsSpan().IndexOfAny('\r', '\n', '\0') < 0:
                return prefix + Quote(text);
            case RegistryValueType.Binary:
                return Hex(prefix + "hex:", value.ToBytes());
            default:
                string code = ((uint)value.Type).ToString("x", CultureInfo.InvariantCulture);
                return Hex(prefix + "hex(" + code + "):", value.ToBytes());
        }
    }

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Hex(string start, byte[] data)
    {
        var builder = new StringBuilder(start);
        int lineLength = start.Length;
        for (int i = 0; i < data.Length; i++)
        {
            string hex = data[i].ToString("x2", CultureInfo.InvariantCulture);
            bool last = i == data.Length - 1;
            builder.Append(hex);
            lineLength += 2;
            if (!last)
            {
                builder.Append(',');
                lineLength++;
                if (lineLength >= MaxLineLength - 3)
                {
                    builder.Append('\\').Append(Newline).Append("  ");
                    lineLength = 2;
                }
            }
        }

        return builder.ToString();
    }

    private static void AppendComment(StringBuilder builder, string comment)
    {
        foreach (string line in comment.Split('\n'))
        {
            builder.Append("; ").Append(line.TrimEnd('\r')).Append(Newline);
        }
    }
}
