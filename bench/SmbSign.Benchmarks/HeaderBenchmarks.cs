using BenchmarkDotNet.Attributes;
using SmbSign.Protocol.Smb2;

namespace SmbSign.Benchmarks;

[MemoryDiagnoser]
public class HeaderBenchmarks
{
    private readonly byte[] _header = new byte[Smb2Header.Size];

    [GlobalSetup]
    public void Setup() =>
        new Smb2Header(1, 0, Smb2Command.Read, 1, Smb2Flags.Signed, 0, 42, 0, 1, 0x1000).Write(_header);

    [Benchmark]
    public ulong ParseHeader() => Smb2Header.Read(_header).MessageId;
}
