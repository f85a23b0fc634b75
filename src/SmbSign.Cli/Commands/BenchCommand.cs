using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Smb2;
using Spectre.Console;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign bench</c>: a command group for measurements on this machine. <c>bench signing</c> measures what SMB
/// signing costs per algorithm and message size (GB/s and signatures/s on one core).
/// </summary>
internal static class BenchCommand
{
    public static readonly int[] DefaultSizes = [128, 4096, 65536, 1 << 20];

    public static Command Create(CliServices services)
    {
        Command bench = new("bench", "Measure SmbSign's engines on this machine.");
        bench.Subcommands.Add(CreateSigning(services));
        return bench;
    }

    private static Command CreateSigning(CliServices services)
    {
        Option<string[]> sizes = new("--sizes")
        {
            Description = "Message sizes in bytes (K/KiB, M/MiB suffixes allowed), comma-separated or repeated. Default: 128,4K,64K,1M.",
            HelpName = "SIZES",
            AllowMultipleArgumentsPerToken = true,
        };
        Option<string[]> algorithms = new("--algorithms")
        {
            Description = "Algorithms to measure: hmac, cmac, gmac, md5 (comma-separated or repeated). Default: all four.",
            HelpName = "ALGS",
            AllowMultipleArgumentsPerToken = true,
        };
        Option<double> seconds = new("--seconds")
        {
            Description = "Measuring time per algorithm and size, in seconds (default 0.2).",
            DefaultValueFactory = _ => 0.2,
        };
        seconds.Validators.Add(result =>
        {
            double value = result.GetValueOrDefault<double>();
            if (!(value > 0 && value <= 60))
            {
                result.AddError("--seconds must be greater than 0 and at most 60.");
            }
        });
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);
        Command command = new(
            "signing",
            "Measure SMB signing on this machine: HMAC-SHA256 (SMB 2.x), AES-128-CMAC (3.x), AES-128-GMAC (3.1.1) and MD5 (SMB1), " +
            "single-threaded, per message size, in GB/s and signatures per second.")
        {
            sizes, algorithms, seconds, format,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            int[] sizeList = ParseSizes(parseResult.GetValue(sizes));
            SigningAlgorithm[] algorithmList = ParseAlgorithms(parseResult.GetValue(algorithms));
            double perCell = parseResult.GetValue(seconds);
            var results = new List<SigningBenchResult>();
            WarmUp(services.Time, algorithmList);
            foreach (SigningAlgorithm algorithm in algorithmList)
            {
                foreach (int size in sizeList)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    results.Add(Measure(services.Time, algorithm, size, perCell));
                }
            }

            var report = new SigningBenchReport(
                System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(),
                Environment.ProcessorCount,
                new HardwareSupport(System.Runtime.Intrinsics.X86.Aes.IsSupported, System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported),
                perCell,
                results);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(report, BenchJsonContext.Default.SigningBenchReport), services.Time));
            }
            else
            {
                Render(services.Console, report);
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Signs one message of <paramref name="size"/> bytes over and over for about <paramref name="seconds"/>.</summary>
    internal static SigningBenchResult Measure(TimeProvider time, SigningAlgorithm algorithm, int size, double seconds)
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] message = RandomNumberGenerator.GetBytes(size);
        Action sign;
        IDisposable signer;
        if (algorithm == SigningAlgorithm.Md5Smb1)
        {
            message[0] = 0xFF;
            "SMB"u8.CopyTo(message.AsSpan(1));
            var smb1 = new Smb1MessageSigner(key);
            signer = smb1;
            sign = () => smb1.Sign(message, 2);
        }
        else
        {
            new Smb2Header(1, 0, Smb2Command.Write, 1, Smb2Flags.None, 0, 42, 0, 1, 0x1000).Write(message);
            var smb2 = new Smb2MessageSigner(algorithm, key);
            signer = smb2;
            sign = () => smb2.Sign(message);
        }

        using (signer)
        {
            // Warm up (caches, branch predictors) for a quarter of the budget within 0.1..0.25 s, then measure in ~1 ms batches.
            long batch = 1;
            RunFor(time, sign, Math.Clamp(seconds / 4, 0.1, 0.25), ref batch);
            // CPU time beside wall time: on a shared machine the wall-clock rate falls with the load while the rate per
            // CPU second stays close to what the code costs, so two builds (native and JIT) compare fairly in one run.
            TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
            long start = time.GetTimestamp();
            long count = RunFor(time, sign, seconds, ref batch);
            double elapsed = time.GetElapsedTime(start).TotalSeconds;
            double cpu = Math.Max((Environment.CpuUsage.TotalTime - cpuStart).TotalSeconds, 1e-6);
            CryptographicOperations.ZeroMemory(key);
            double perSecond = count / elapsed;
            return new SigningBenchResult(
                algorithm.ToDisplayString(),
                size,
                Math.Round(perSecond * size / 1e9, 4),
                Math.Round(perSecond, 0),
                Math.Round(1e9 / perSecond, 1),
                count,
                Math.Round(elapsed, 4),
                Math.Round(cpu, 4),
                Math.Round(count * (double)size / cpu / 1e9, 4));
        }
    }

    /// <summary>Runs every algorithm briefly first so the JIT has promoted the signing paths to optimized code.</summary>
    private static void WarmUp(TimeProvider time, SigningAlgorithm[] algorithms)
    {
        foreach (SigningAlgorithm algorithm in algorithms)
        {
            Measure(time, algorithm, 4096, 0.05);
        }
    }

    private static long RunFor(TimeProvider time, Action sign, double seconds, ref long batch)
    {
        long start = time.GetTimestamp();
        long count = 0;
        while (true)
        {
            long batchStart = time.GetTimestamp();
            for (long i = 0; i < batch; i++)
            {
                sign();
            }

            count += batch;
            double batchSeconds = time.GetElapsedTime(batchStart).TotalSeconds;
            if (time.GetElapsedTime(start).TotalSeconds >= seconds)
            {
                return count;
            }

            if (batchSeconds < 0.001 && batch < (1L << 30))
            {
                batch *= 2;
            }
        }
    }

    internal static int[] ParseSizes(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return DefaultSizes;
        }

        var sizes = new List<int>();
        foreach (string token in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!TryParseSize(token, out int size))
            {
                throw new CliException($"--sizes: '{token}' is not a size (bytes, or with a K/KiB/M/MiB suffix, up to 16M).");
            }

            if (size < Smb2Header.Size)
            {
                throw new CliException($"--sizes: {size} is smaller than the 64-byte SMB2 header.");
            }

            sizes.Add(size);
        }

        return [.. sizes.Distinct()];
    }

    private static bool TryParseSize(string token, out int size)
    {
        size = 0;
        string t = token.Trim().ToUpperInvariant();
        long multiplier = 1;
        foreach ((string suffix, long factor) in new[] { ("KIB", 1024L), ("MIB", 1L << 20), ("KB", 1024L), ("MB", 1L << 20), ("K", 1024L), ("M", 1L << 20), ("B", 1L) })
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                t = t[..^suffix.Length];
                multiplier = factor;
                break;
            }
        }

        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value * multiplier > 16L << 20)
        {
            return false;
        }

        size = (int)(value * multiplier);
        return true;
    }

    private static SigningAlgorithm[] ParseAlgorithms(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return [SigningAlgorithm.HmacSha256, SigningAlgorithm.AesCmac, SigningAlgorithm.AesGmac, SigningAlgorithm.Md5Smb1];
        }

        var list = new List<SigningAlgorithm>();
        foreach (string token in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!SigningAlgorithmInfo.TryParse(token, out SigningAlgorithm algorithm))
            {
                throw new CliException($"--algorithms: '{token}' is not one of hmac, cmac, gmac, md5.");
            }

            list.Add(algorithm);
        }

        return [.. list.Distinct()];
    }

    private static void Render(IAnsiConsole console, SigningBenchReport report)
    {
        console.WriteLine(
            $"SMB signing on this machine: {report.ProcessorCount} logical processors, {report.Architecture}, {report.Runtime}; " +
            $"AES-NI {(report.Hardware.AesNi ? "yes" : "no")}, PCLMULQDQ {(report.Hardware.Pclmulqdq ? "yes" : "no")}. " +
            $"One core, {report.SecondsPerMeasurement.ToString("0.###", CultureInfo.InvariantCulture)} s per cell.");
        Table table = new Table()
            .AddColumn("Algorithm")
            .AddColumn(new TableColumn("Message size").RightAligned())
            .AddColumn(new TableColumn("GB/s").RightAligned())
            .AddColumn(new TableColumn("Signatures/s").RightAligned())
            .AddColumn(new TableColumn("µs/signature").RightAligned());
        foreach (SigningBenchResult r in report.Results)
        {
            table.AddRow(
                r.Algorithm,
                FormatSize(r.Size),
                r.GigabytesPerSecond.ToString("0.000", CultureInfo.InvariantCulture),
                r.SignaturesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                (r.NanosecondsPerSignature / 1000).ToString("0.000", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        console.WriteLine("Verification costs the same as signing. GB/s = 10^9 bytes per second.");
    }

    private static string FormatSize(int size) => size switch
    {
        >= 1 << 20 when size % (1 << 20) == 0 => $"{size >> 20} MiB",
        >= 1024 when size % 1024 == 0 => $"{size >> 10} KiB",
        _ => $"{size} B",
    };
}

internal sealed record HardwareSupport(bool AesNi, bool Pclmulqdq);

internal sealed record SigningBenchResult(
    string Algorithm,
    int Size,
    double GigabytesPerSecond,
    double SignaturesPerSecond,
    double NanosecondsPerSignature,
    long Signatures,
    double Seconds,
    double CpuSeconds,
    double GigabytesPerCpuSecond);

internal sealed record SigningBenchReport(
    string Runtime,
    string Architecture,
    int ProcessorCount,
    HardwareSupport Hardware,
    double SecondsPerMeasurement,
    IReadOnlyList<SigningBenchResult> Results);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SigningBenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
