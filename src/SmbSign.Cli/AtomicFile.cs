namespace SmbSign.Cli;

/// <summary>Writes a file so that readers see either the old content or the whole new content, never a torn write.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string contents, System.Text.Encoding? encoding = null) =>
        WriteAllBytes(path, (encoding ?? new System.Text.UTF8Encoding(false)).GetBytes(contents), encoding?.GetPreamble());

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents, byte[]? preamble = null)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (FileStream stream = new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                if (preamble is { Length: > 0 })
                {
                    stream.Write(preamble);
                }

                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
