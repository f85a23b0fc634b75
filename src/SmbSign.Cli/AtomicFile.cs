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

    /// <summary>
    /// Creates <paramref name="path"/>, which must not exist yet, with what <paramref name="write"/> writes: into a temporary
    /// file beside it, flushed, then moved into place without overwriting (an existing file is never replaced; the move
    /// fails with <see cref="IOException"/> instead).
    /// </summary>
    public static void CreateNew(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (FileStream stream = new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: false);
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
