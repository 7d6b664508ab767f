using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Engine.Metrics;
using HaAgent.Coordinator.Engine.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Engine;

internal static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// The decision core's host: options (<c>Engine:*</c>, validated at start), the agent message sink the agent
    /// endpoint feeds, the storage heartbeat reader, metrics, and the engine itself. The engine uses the
    /// <see cref="IAgentOrderOutbox"/> the agent endpoint registers; without one it stays idle (and says so).
    /// </summary>
    public static IServiceCollection AddCoordinatorEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ApiStore>();
        services.AddSingleton<EngineMetrics>();
        services.AddSingleton<AgentMessageSink>();
        services.AddSingleton<IAgentMessageSink>(static sp => sp.GetRequiredService<AgentMessageSink>());
        services.AddSingleton<StorageHeartbeatMonitor>();
        services.AddHostedService(static sp => sp.GetRequiredService<StorageHeartbeatMonitor>());
        services.AddSingleton(static sp => new CoordinatorEngine(
            sp.GetRequiredService<Store.ICoordinatorStore>(),
            sp.GetRequiredService<ApiStore>(),
            sp.GetRequiredService<AgentMessageSink>(),
            sp.GetService<IAgentOrderOutbox>(),
            sp.GetRequiredService<StorageHeartbeatMonitor>(),
            sp.GetRequiredService<EngineMetrics>(),
            sp.GetRequiredService<IOptions<EngineOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CoordinatorEngine>>()));
        services.AddHostedService(static sp => sp.GetRequiredService<CoordinatorEngine>());
        return services;
    }
}
