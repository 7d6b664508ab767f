using HaAgent.Coordinator.Tests.Api;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>The engine as wired into the real coordinator service.</summary>
public sealed class EngineServiceTests
{
    [Fact]
    public async Task Metrics_EngineFamiliesPresent_IdleWithoutAgentEndpoint()
    {
        await using var host = await ApiHost.StartAsync(openReads: true);

        var text = await host.Client(null).GetStringAsync(new Uri("/metrics", UriKind.Relative));

        // No IAgentOrderOutbox is registered without the agent endpoint, so the engine decides nothing (epoch 0).
        Assert.Contains("haagent_leader_epoch 0\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_hosts_by_state gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_fences_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_restarts_total counter", text, StringComparison.Ordinal);
        Assert.Contains("haagent_detection_to_restart_seconds_bucket{le=\"+Inf\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("haagent_engine_iteration_seconds_count 0\n", text, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Lines, static l => l.Contains("engine idle", StringComparison.Ordinal));
    }
}
