namespace SmbSign.Policy.Tests;

/// <summary>Reads the HardeningKitty CSV rows used as cross-check data.</summary>
internal static class TestCsv
{
    /// <summary>RFC 4180 fields (quoted fields may hold commas and doubled quotes).</summary>
    public static string[] SplitLine(string line)
    {
        List<string> fields = [];
        System.Text.StringBuilder current = new();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return [.. fields];
    }
}
