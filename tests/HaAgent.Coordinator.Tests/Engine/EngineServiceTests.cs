using HaAgent.Coordinator.Tests.Api;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>The engine as wired into the real coordinator service.</summary>
public sealed class EngineServiceTests
{
    [Fact]
    public async Task Metrics_EngineFamiliesExposedOnTheServiceEndpoint()
    {
        await using var host = await ApiHost.StartAsync(openReads: true);

        var text = await host.Client(null).GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("# TYPE haagent_leader_epoch gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_hosts_by_state gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_fences_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_restarts_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_detection_to_restart_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("haagent_engine_iteration_seconds_count ", text, StringComparison.Ordinal);
    }
}
