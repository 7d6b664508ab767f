using HaAgent.Coordinator.Store.Etcd;

namespace HaAgent.Coordinator.Store;

/// <summary>Starts the etcd read cache with the host and stops it before the store goes away (nothing to do on SQLite).</summary>
internal sealed class ReadCacheService(IDocumentReader reader) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        (reader as EtcdReadCache)?.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (reader is EtcdReadCache cache)
        {
            await cache.DisposeAsync().ConfigureAwait(false);
        }
    }
}
