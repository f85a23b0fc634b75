using BenchmarkDotNet.Running;
using SmbSign.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(HeaderBenchmarks).Assembly).Run(args);
