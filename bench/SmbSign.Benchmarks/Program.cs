using BenchmarkDotNet.Running;
using SmbSign.Benchmarks;

<<<<<<< HEAD
if (args.Length > 0 && args[0] == "responder")
{
    return await ResponderHost.RunAsync(args);
=======
if (args.Length > 0 && args[0] == "generate-capture")
{
    return CaptureGenerator.Run(args[1..]);
>>>>>>> capture
}

BenchmarkSwitcher.FromAssembly(typeof(HeaderBenchmarks).Assembly).Run(args);
return 0;
