using SmbSign.Policy.Audit;
using SmbSign.Policy.Sources;
using SmbSign.Testing;

namespace SmbSign.Policy.Tests.Audit;

/// <summary>
/// Every sample export of samples/fleet, damaged in many seeded ways (bytes flipped, cut short, lines dropped or
/// duplicated), goes through format detection and its reader: no exception ever escapes, and a damaged file that loses
/// its format is reported with a diagnostic naming it.
/// </summary>
public sealed class MachineSourceReaderMutationTests
{
    private const int MutationsPerFile = 400;

    public static TheoryData<string> SampleFiles()
    {
        TheoryData<string> data = [];
        string fleet = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet");
        foreach (string file in Directory.EnumerateFiles(fleet, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!string.Equals(Path.GetFileName(file), FleetManifest.FileName, StringComparison.OrdinalIgnoreCase)
                && !file.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
                && !Path.GetFileName(file).Equals("GPT.INI", StringComparison.OrdinalIgnoreCase))
            {
                data.Add(Path.GetRelativePath(fleet, file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Parse_DamagedSample_NeverThrows_AndNamesTheFile(string relative)
    {
        string path = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet", relative);
        byte[] original = File.ReadAllBytes(path);
        Random random = new(relative.Length * 7919 + original.Length);
        int withDiagnostics = 0;

        for (int i = 0; i < MutationsPerFile; i++)
        {
            byte[] damaged = Mutate(original, random, i);

            SourceReadResult result = MachineSourceReader.Parse(damaged, path);

            Assert.NotNull(result);
            Assert.All(result.Diagnostics, d => Assert.Equal(path, d.Location.File));
            if (result.Diagnostics.Count > 0)
            {
                withDiagnostics++;
            }
        }

        Assert.True(withDiagnostics > 0, $"{relative}: no damaged variant produced a diagnostic");
    }

    private static byte[] Mutate(byte[] original, Random random, int round)
    {
        byte[] copy = [.. original];
        switch (round % 4)
        {
            case 0:
                for (int n = 1 + random.Next(8); n > 0 && copy.Length > 0; n--)
                {
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }

                return copy;
            case 1:
                return copy.Length == 0 ? copy : copy[..random.Next(copy.Length)];
            case 2:
                int start = copy.Length == 0 ? 0 : random.Next(copy.Length);
                int length = Math.Min(copy.Length - start, 1 + random.Next(64));
                return [.. copy[..start], .. copy[(start + length)..]];
            default:
                int at = copy.Length == 0 ? 0 : random.Next(copy.Length);
                int take = Math.Min(copy.Length - at, 1 + random.Next(64));
                return [.. copy[..at], .. copy[at..(at + take)], .. copy[at..]];
        }
    }
}
