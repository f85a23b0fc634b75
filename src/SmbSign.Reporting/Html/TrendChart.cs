using System.Globalization;
using System.Text;
using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Html;

/// <summary>
/// The trend section as inline SVG, drawn in C# so the page needs no charting library and the output is deterministic:
/// one small line chart per fleet-wide series (passed and failed over time), and a table of the per-rule series (failed
/// at the first and the last run). A series whose name starts with a digit is a CIS rule id; any other is fleet-wide.
/// </summary>
internal static class TrendChart
{
    private const int Width = 560;
    private const int Height = 200;
    private const int Left = 44;
    private const int Right = 12;
    private const int Top = 14;
    private const int Bottom = 30;

    public static bool IsRuleSeries(string series) => series.Length > 0 && char.IsAsciiDigit(series[0]);

    public static void Write(StringBuilder html, IReadOnlyList<TrendPoint> points)
    {
        List<IGrouping<string, TrendPoint>> fleet = [.. points.Where(p => !IsRuleSeries(p.Series)).GroupBy(p => p.Series).OrderBy(g => g.Key, StringComparer.Ordinal)];
        List<IGrouping<string, TrendPoint>> rules = [.. points.Where(p => IsRuleSeries(p.Series)).GroupBy(p => p.Series).OrderBy(g => g.Key, StringComparer.Ordinal)];
        html.Append("<div class=\"charts\">");
        foreach (IGrouping<string, TrendPoint> series in fleet)
        {
            WriteChart(html, series.Key, [.. series.OrderBy(p => p.RunAt)]);
        }

        html.Append("</div>");
        if (rules.Count > 0)
        {
            html.Append("<div class=\"scroll\"><table class=\"data\" id=\"trend-rules\"><thead><tr><th>Rule</th><th class=\"num\">Runs</th><th>First run</th><th class=\"num\">Failed then</th><th>Last run</th><th class=\"num\">Failed now</th><th class=\"num\">Change</th></tr></thead><tbody>");
            foreach (IGrouping<string, TrendPoint> series in rules)
            {
                List<TrendPoint> ordered = [.. series.OrderBy(p => p.RunAt)];
                TrendPoint first = ordered[0];
                TrendPoint last = ordered[^1];
                int change = last.Failed - first.Failed;
                string cls = change > 0 ? "bad" : change < 0 ? "good" : string.Empty;
                html.Append("<tr><td>").Append(HtmlText.Escape(series.Key)).Append("</td><td class=\"num\">").Append(N(ordered.Count))
                    .Append("</td><td>").Append(Day(first.RunAt)).Append("</td><td class=\"num\">").Append(N(first.Failed))
                    .Append("</td><td>").Append(Day(last.RunAt)).Append("</td><td class=\"num\">").Append(N(last.Failed))
                    .Append("</td><td class=\"num ").Append(cls).Append("\">").Append(change > 0 ? "+" : string.Empty).Append(N(change)).Append("</td></tr>");
            }

            html.Append("</tbody></table></div>");
        }
    }

    private static void WriteChart(StringBuilder html, string name, List<TrendPoint> points)
    {
        long t0 = points[0].RunAt.ToUnixTimeSeconds();
        long t1 = points[^1].RunAt.ToUnixTimeSeconds();
        int max = Math.Max(1, points.Max(p => Math.Max(p.Passed, p.Failed)));
        double plotW = Width - Left - Right;
        double plotH = Height - Top - Bottom;
        double X(TrendPoint p) => Left + (t1 == t0 ? plotW / 2 : (p.RunAt.ToUnixTimeSeconds() - t0) * plotW / (t1 - t0));
        double Y(int v) => Top + plotH - (v * plotH / max);

        html.Append("<figure class=\"chart\"><figcaption>").Append(HtmlText.Escape(name)).Append("</figcaption>")
            .Append("<svg viewBox=\"0 0 ").Append(N(Width)).Append(' ').Append(N(Height)).Append("\" role=\"img\" aria-label=\"")
            .Append(HtmlText.Escape($"{name}: passed and failed per run")).Append("\">");
        // Grid: 0, half and max.
        foreach (int v in new[] { 0, max / 2, max }.Distinct())
        {
            string y = F(Y(v));
            html.Append("<line class=\"grid\" x1=\"").Append(N(Left)).Append("\" x2=\"").Append(N(Width - Right)).Append("\" y1=\"").Append(y).Append("\" y2=\"").Append(y).Append("\"/>")
                .Append("<text class=\"axis\" x=\"").Append(N(Left - 6)).Append("\" y=\"").Append(F(Y(v) + 4)).Append("\" text-anchor=\"end\">").Append(N(v)).Append("</text>");
        }

        html.Append("<text class=\"axis\" x=\"").Append(N(Left)).Append("\" y=\"").Append(N(Height - 8)).Append("\">").Append(Day(points[0].RunAt)).Append("</text>");
        if (t1 != t0)
        {
            html.Append("<text class=\"axis\" x=\"").Append(N(Width - Right)).Append("\" y=\"").Append(N(Height - 8)).Append("\" text-anchor=\"end\">").Append(Day(points[^1].RunAt)).Append("</text>");
        }

        foreach ((string cls, Func<TrendPoint, int> value) in new (string, Func<TrendPoint, int>)[] { ("passed", p => p.Passed), ("failed", p => p.Failed) })
        {
            html.Append("<polyline class=\"").Append(cls).Append("\" points=\"");
            html.AppendJoin(' ', points.Select(p => F(X(p)) + "," + F(Y(value(p)))));
            html.Append("\"/>");
            foreach (TrendPoint p in points)
            {
                html.Append("<circle class=\"").Append(cls).Append("\" r=\"3\" cx=\"").Append(F(X(p))).Append("\" cy=\"").Append(F(Y(value(p)))).Append("\"><title>")
                    .Append(HtmlText.Escape($"{Day(p.RunAt)}: {cls} {N(value(p))}")).Append("</title></circle>");
            }
        }

        TrendPoint last = points[^1];
        html.Append("</svg><p class=\"legend\"><span class=\"key passed\"></span>passed <span class=\"key failed\"></span>failed · last run: ")
            .Append(N(last.Passed)).Append(" passed, ").Append(N(last.Failed)).Append(" failed").Append(last.Other > 0 ? ", " + N(last.Other) + " other" : string.Empty)
            .Append("</p></figure>");
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string F(double d) => d.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
