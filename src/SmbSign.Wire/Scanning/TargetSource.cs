using System.Globalization;
using System.Text;

namespace SmbSign.Wire.Scanning;

/// <summary><c>--shard I/N</c>: this run takes every target whose 0-based position p in the full stream has p mod N = I - 1.</summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>Parses "I/N" with 1 &lt;= I &lt;= N.</summary>
    public static bool TryParse(string? text, out Shard shard, out string? error)
    {
        shard = default;
        string[] parts = (text ?? string.Empty).Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count < 1 || index < 1 || index > count)
        {
            error = $"--shard: '{text}' is not I/N with 1 <= I <= N (e.g. 1/4)";
            return false;
        }

        shard = new Shard(index, count);
        error = null;
        return true;
    }

    public bool Contains(ulong position) => position % (ulong)Count == (ulong)(Index - 1);

    /// <summary>How many of <paramref name="total"/> positions fall in this shard.</summary>
    public ulong CountOf(ulong total) => total <= (ulong)(Index - 1) ? 0 : ((total - (ulong)(Index - 1) - 1) / (ulong)Count) + 1;

    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>The targets of one scan: expressions from the command line, then those of each <c>-iL</c> file, in order.
/// <see cref="Create"/> parses everything once (so a bad line is reported before any traffic, as FILE:LINE) and counts
/// the targets without expanding them; <see cref="Enumerate"/> expands lazily and re-reads the files, so memory does not
/// grow with the number of targets.</summary>
public sealed class TargetSource
{
    private readonly IReadOnlyList<TargetExpression> _expressions;
    private readonly IReadOnlyList<string> _files;

    private TargetSource(IReadOnlyList<TargetExpression> expressions, IReadOnlyList<string> files, int defaultPort, Shard? shard, ulong total)
    {
        _expressions = expressions;
        _files = files;
        DefaultPort = defaultPort;
        Shard = shard;
        TotalBeforeShard = total;
    }

    public int DefaultPort { get; }

    public Shard? Shard { get; }

    /// <summary>Targets in all expressions together.</summary>
    public ulong TotalBeforeShard { get; }

    /// <summary>Targets this run will probe.</summary>
    public ulong Count => Shard is { } shard ? shard.CountOf(TotalBeforeShard) : TotalBeforeShard;

    /// <summary>Parses and counts every expression. Throws <see cref="TargetParseException"/> ("FILE:LINE: …" for list
    /// files) or <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/> for unreadable files.</summary>
    public static TargetSource Create(IEnumerable<string> expressions, IEnumerable<string> listFiles, int defaultPort = 445, Shard? shard = null)
    {
        ArgumentNullException.ThrowIfNull(expressions);
        ArgumentNullException.ThrowIfNull(listFiles);
        ArgumentOutOfRangeException.ThrowIfLessThan(defaultPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(defaultPort, 65535);
        var parsed = new List<TargetExpression>();
        ulong total = 0;
        foreach (string text in expressions)
        {
            TargetExpression expression = TargetExpression.Parse(text);
            parsed.Add(expression);
            total += expression.Count;
        }

        var files = listFiles.ToList();
        foreach (string file in files)
        {
            foreach ((TargetExpression expression, _) in ReadFile(file))
            {
                total += expression.Count;
            }
        }

        return new TargetSource(parsed, files, defaultPort, shard, total);
    }

    /// <summary>Streams the targets of this shard, numbering them 0, 1, 2… in the order they will be reported.</summary>
    public IEnumerable<ScanTarget> Enumerate()
    {
        ulong position = 0;
        long index = 0;
        foreach (TargetExpression expression in AllExpressions())
        {
            foreach ((string host, System.Net.IPAddress? address, int? port) in expression.Expand())
            {
                if (Shard is null || Shard.Value.Contains(position))
                {
                    yield return new ScanTarget(host, address, port ?? DefaultPort, index++);
                }

                position++;
            }
        }
    }

    private IEnumerable<TargetExpression> AllExpressions()
    {
        foreach (TargetExpression expression in _expressions)
        {
            yield return expression;
        }

        foreach (string file in _files)
        {
            foreach ((TargetExpression expression, _) in ReadFile(file))
            {
                yield return expression;
            }
        }
    }

    /// <summary>Reads a target list: expressions separated by whitespace or newlines; '#' starts a comment.</summary>
    private static IEnumerable<(TargetExpression Expression, int Line)> ReadFile(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            int hash = line.IndexOf('#', StringComparison.Ordinal);
            string content = hash >= 0 ? line[..hash] : line;
            foreach (string token in content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!TargetExpression.TryParse(token, out TargetExpression? expression, out string? error))
                {
                    throw new TargetParseException($"{path}:{lineNumber}: {error}");
                }

                yield return (expression, lineNumber);
            }
        }
    }
}
