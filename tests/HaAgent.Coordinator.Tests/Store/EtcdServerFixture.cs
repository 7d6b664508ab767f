using HaAgent.Testing.Etcd;

namespace HaAgent.Coordinator.Tests.Store;

/// <summary>One etcd shared by the etcd test classes; each test works under its own key prefix. Null when etcd is missing.</summary>
public sealed class EtcdServerFixture : IAsyncLifetime
{
    public EtcdServer? Server { get; private set; }

    public string? SkipReason { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            Server = await EtcdServer.StartAsync();
        }
        catch (SkipException ex)
        {
            SkipReason = ex.Message;
        }
    }

    public Task DisposeAsync()
    {
        Server?.Dispose();
        return Task.CompletedTask;
    }

    public EtcdServer Require()
    {
        Skip.If(Server is null, SkipReason);
        return Server!;
    }
}
