namespace HaAgent.Coordinator.Tests.Api;

/// <summary>One leading coordinator shared by a test class; tests use distinct ids so they do not see each other.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private ApiHost? _host;

    internal ApiHost Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _host = await ApiHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
