using System.Globalization;
using SmbSign.Reporting.Records;
using SmbSign.Reporting.Store;

namespace SmbSign.Reporting.Tests;

/// <summary>
/// The test assembly run as a process (<c>dotnet SmbSign.Reporting.Tests.dll MODE ...</c>): a second writer for the
/// concurrency tests and a writer to kill mid-run for the crash tests. Prints one line per event on stdout.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 4)
        {
            await Console.Error.WriteLineAsync("usage: write|crash DB RUNS ROWS [TAG]");
            return 2;
        }

        string mode = args[0];
        StoreLocation location = StoreLocation.Parse(args[1], Environment.GetEnvironmentVariable("PGPASSWORD"));
        int runs = int.Parse(args[2], CultureInfo.InvariantCulture);
        int rows = int.Parse(args[3], CultureInfo.InvariantCulture);
        string tag = args.Length > 4 ? args[4] : "w";
        await using PostureStore store = await PostureStore.OpenAsync(location);
        for (int i = 0; i < runs; i++)
        {
            RunDocument document = TestDocuments.Audit(DateTimeOffset.UtcNow, $"{tag}-{i}", rows);
            long id = await store.RecordAsync(document, [tag], written => Console.WriteLine($"inside {i} {written}"), CancellationToken.None);
            Console.WriteLine($"committed {id} {tag}-{i}");
        }

        if (mode == "crash")
        {
            // One more run that never finishes: the test kills this process inside its transaction.
            RunDocument last = TestDocuments.Audit(DateTimeOffset.UtcNow, $"{tag}-partial", rows);
            await store.RecordAsync(
                last,
                [tag],
                written =>
                {
                    Console.WriteLine($"inside partial {written}");
                    Console.Out.Flush();
                    Thread.Sleep(Timeout.Infinite);
                },
                CancellationToken.None);
        }

        return 0;
    }
}
