namespace SmbSign.Testing;

/// <summary>Finds external tools (smbd, smbclient, tshark, nmap, openssl) on PATH or in the sbin folders.</summary>
public static class ToolLocator
{
    public static string? Find(string name)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        IEnumerable<string> dirs = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin"]);
        foreach (string dir in dirs)
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Like <see cref="Find"/>, but throws a clear message naming the Debian package when missing.</summary>
    public static string Require(string name, string debianPackage) =>
        Find(name) ?? throw new InvalidOperationException(
            $"'{name}' is not installed; scripts/test.sh installs it as root (apt-get install {debianPackage}).");
}
