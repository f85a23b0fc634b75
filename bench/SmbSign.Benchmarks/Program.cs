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

if (args.Length == 3 && args[0] == "generate-fleet")
{
    // generate-fleet DIR N: the audit benchmark's fleet, for bench/audit-memory.sh.
    AuditBenchmarks.GenerateFleet(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(HeaderBenchmarks).Assembly).Run(args);
return 0;
