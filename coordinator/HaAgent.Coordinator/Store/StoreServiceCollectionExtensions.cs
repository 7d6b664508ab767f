using HaAgent.Coordinator.Store.Etcd;
using HaAgent.Coordinator.Store.Sqlite;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Store;

internal static class StoreServiceCollectionExtensions
{
    /// <summary>The configured <see cref="ICoordinatorStore"/>, the API's <see cref="IDocumentReader"/> (etcd: the read cache) and the service that keeps campaigning for leadership.</summary>
    public static IServiceCollection AddCoordinatorStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CoordinatorStoreOptions>()
            .Bind(configuration.GetSection(CoordinatorStoreOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CoordinatorStoreOptions>, CoordinatorStoreOptionsValidator>();
        services.AddSingleton<ICoordinatorStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<CoordinatorStoreOptions>>().Value;
            var time = provider.GetService<TimeProvider>() ?? TimeProvider.System;
            return options.Kind == CoordinatorStoreKind.Etcd
                ? new EtcdCoordinatorStore(options.Etcd, time)
                : SqliteCoordinatorStore.Open(options.Sqlite, time);
        });
        services.AddSingleton<IDocumentReader>(provider =>
        {
            var store = provider.GetRequiredService<ICoordinatorStore>();
            return store is EtcdCoordinatorStore etcd && etcd.Options.ReadCache.Enabled
                ? new EtcdReadCache(etcd, provider.GetRequiredService<ILogger<EtcdReadCache>>(), provider.GetService<TimeProvider>(), Api.StoredRendering.Prerender)
                : new StoreDocumentReader(store);
        });
        services.AddHostedService<LeadershipService>();
        services.AddHostedService<ReadCacheService>();
        return services;
    }
}
