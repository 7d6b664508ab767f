using BenchmarkDotNet.Running;

namespace HaAgent.Benchmarks;

internal static class Program
{
    private static void Main(string[] args)
    {
        // Not a BenchmarkDotNet run: measures the published NativeAOT agent process from outside.
        if (args.Length > 0 && args[0] == "agent-footprint")
        {
            Environment.ExitCode = Agent.AgentFootprint.RunAsync(args[1..]).GetAwaiter().GetResult();
            return;
        }
        // Not a BenchmarkDotNet run: heartbeat ingestion CPU per transport (HTTP/1.1, h2c, TLS), rounds in rotating order.
        if (args.Length > 0 && args[0] == "agent-transport")
        {
            Environment.ExitCode = Coordinator.AgentEndpointBenchmark.MeasureTransportsAsync(args[1..]).GetAwaiter().GetResult();
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
