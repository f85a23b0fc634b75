using BenchmarkDotNet.Running;
using SmbSign.Benchmarks;

if (args.Length > 0 && args[0] == "responder")
{
    return await ResponderHost.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(HeaderBenchmarks).Assembly).Run(args);
return 0;
