using System.Net;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Store;
using Microsoft.Extensions.DependencyInjection;

namespace HaAgent.Coordinator.Tests.Agents;

/// <summary>Program as it ships: the engine's sink answers agents with the epoch of the store's leadership.</summary>
public sealed class AgentDefaultSinkTests
{
    [Fact]
    public async Task Heartbeat_ToTheLeader_IsAckedWithTheStoresEpoch()
    {
        await using var host = new AgentHost(recordingSink: false);
        var sink = host.Services.GetRequiredService<IAgentMessageSink>();
        var store = host.Services.GetRequiredService<ICoordinatorStore>();
        await WaitAsync(() => sink.CurrentEpoch > 0);

        using var agent = host.Agent("node-01");
        using var response = await agent.SendAsync(agent.NextHeartbeat());

        var ack = Assert.IsType<HaAgent.Protocol.Messages.HeartbeatAck>(await agent.ReadAsync(response));
        Assert.Equal(store.CurrentLeadership!.Epoch, ack.Epoch);
    }

    [Fact]
    public async Task Heartbeat_ToAFollower_Is503NamingTheLeadersUrl()
    {
        await using var leader = new AgentHost(recordingSink: false);
        var leaderSink = leader.Services.GetRequiredService<IAgentMessageSink>();
        await WaitAsync(() => leaderSink.CurrentEpoch > 0);
        await using var follower = new AgentHost(
            new Dictionary<string, string>
            {
                ["Store:Sqlite:Path"] = leader.DatabasePath,
                ["Store:Sqlite:InstanceId"] = "agents-test-2",
                ["Agents:LeaderUrls:agents-test-2"] = "http://127.0.0.1:7412",
            },
            recordingSink: false);

        using var agent = follower.Agent("node-02");
        using var response = await agent.SendAsync(agent.NextHeartbeat());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(AgentHost.LeaderUrl, Assert.Single(response.Headers.GetValues(AgentEndpoint.LeaderHeader)));
        Assert.Equal(1, follower.Services.GetRequiredService<AgentEndpointMetrics>()[AgentCounter.NotLeader]);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 15 s");
            await Task.Delay(20);
        }
    }
}
