using BenchmarkDotNet.Attributes;
using SmbSign.Capture;
using SmbSign.Capture.Analysis;
using SmbSign.Capture.Smb;

namespace SmbSign.Benchmarks;

/// <summary>Capture reading throughput on a 64 MiB in-memory capture made by repeating the committed real sessions
/// (tests/SmbSign.Capture.Tests/TestData/captures). Baseline: reading packets only; then the full pipeline
/// (link, IP, TCP reassembly, SMB framing) with a sink that only counts, and with the report's summary builder.
/// MB/s = 64 / (mean in seconds).</summary>
[MemoryDiagnoser]
public class CaptureBenchmarks
{
    private byte[] _capture = [];

    [Params(0, 1448)]
    public int Mss { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string folder = Path.Combine(FindRoot(), "tests", "SmbSign.Capture.Tests", "TestData", "captures");
        var templates = Directory.GetFiles(folder, "*.pcapng").Order(StringComparer.Ordinal).Select(CaptureGenerator.LoadTemplate).ToList();
        using var stream = new MemoryStream();
        CaptureGenerator.Generate(templates, stream, 64L * 1024 * 1024, Mss);
        _capture = stream.ToArray();
    }

    [Benchmark(Baseline = true)]
    public long ReadPackets()
    {
        using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(_capture, writable: false));
        long bytes = 0;
        while (reader.TryReadPacket(out CapturePacket packet))
        {
            bytes += packet.Data.Length;
        }

        return bytes;
    }

    [Benchmark]
    public long Pipeline()
    {
        var sink = new CountingSink();
        SmbCapturePipeline.Run(new MemoryStream(_capture, writable: false), sink);
        return sink.Messages;
    }

    [Benchmark]
    public int PipelineWithSummary()
    {
        var builder = new CaptureSummaryBuilder();
        builder.BeginSource("bench");
        builder.EndSource(SmbCapturePipeline.Run(new MemoryStream(_capture, writable: false), builder));
        return builder.Build().Connections.Count;
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SmbSign.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SmbSign.slnx not found above " + AppContext.BaseDirectory);
    }

    private sealed class CountingSink : ISmbCaptureSink
    {
        public long Messages { get; private set; }

        public void OnMessage(in CapturedSmbMessage message) => Messages++;
    }
}
