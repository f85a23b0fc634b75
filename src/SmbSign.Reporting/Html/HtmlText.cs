using System.Text;

namespace SmbSign.Reporting.Html;

/// <summary>
/// HTML escaping for text and attribute values. Every character that can end a text node, a quoted attribute or start a
/// tag or entity is replaced (&amp; &lt; &gt; &quot; &#39;), so input such as a machine named
/// <c>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</c> stays text. Control characters other than tab and newline
/// become U+FFFD: they have no business in a report and some break parsers.
/// </summary>
internal static class HtmlText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        StringBuilder? builder = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            string? replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                < ' ' when c is not ('\t' or '\n') => "\uFFFD",
                '\u007F' => "\uFFFD",
                _ => null,
            };
            if (replacement is null)
            {
                builder?.Append(c);
                continue;
            }

            builder ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            builder.Append(replacement);
        }

        return builder?.ToString() ?? text;
    }
}
