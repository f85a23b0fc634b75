namespace SmbSign.Testing;

/// <summary>Locates the repository root and the shared reference folder from a test's working directory.</summary>
public static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SmbSign.slnx")))
            {
                return dir.FullName;
            }

            dir = dir.Parent;
        }

        throw new InvalidOperationException("Could not find SmbSign.slnx above " + AppContext.BaseDirectory);
    }
}
