using BenchmarkDotNet.Running;
using SmbSign.Benchmarks;

if (args.Length > 0 && args[0] == "responder")
{
    return await ResponderHost.RunAsync(args);
}

if (args.Length > 0 && args[0] == "generate-capture")
{
    return CaptureGenerator.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(HeaderBenchmarks).Assembly).Run(args);
return 0;
