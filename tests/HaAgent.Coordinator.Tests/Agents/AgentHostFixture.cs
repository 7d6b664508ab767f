namespace HaAgent.Coordinator.Tests.Agents;

/// <summary>One leading coordinator per test class; tests use distinct host ids so they do not see each other's orders or log limits.</summary>
public sealed class AgentHostFixture : IAsyncLifetime
{
    private AgentHost? _host;

    internal AgentHost Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _host = await AgentHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
