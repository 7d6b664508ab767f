using HaAgent.Coordinator.Engine;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Agents;

internal static class AgentEndpointServiceCollectionExtensions
{
    /// <summary>
    /// Options (validated at start, secret files read), secrets, the order outbox (also as <see cref="IAgentOrderOutbox"/>)
    /// and metrics. The <see cref="IAgentMessageSink"/> the endpoint hands messages to is the engine's
    /// (AddCoordinatorEngine).
    /// </summary>
    public static IServiceCollection AddAgentEndpoint(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AgentEndpointOptions>().Bind(configuration.GetSection(AgentEndpointOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentEndpointOptions>, AgentEndpointOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AgentEndpointMetrics>();
        services.AddSingleton<AgentSecretStore>();
        services.AddSingleton<AgentOrderOutbox>();
        services.TryAddSingleton<IAgentOrderOutbox>(static provider => provider.GetRequiredService<AgentOrderOutbox>());
        services.AddSingleton<LeaderHint>();
        services.AddSingleton<AgentEndpoint>();
        return services;
    }

    /// <summary><c>POST /v1/agent/messages</c> and <c>POST /v1/agent/orders</c>: HMAC-authenticated, so anonymous for the API's bearer scheme.</summary>
    public static WebApplication MapAgentEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var endpoint = app.Services.GetRequiredService<AgentEndpoint>();
        app.MapPost(AgentEndpoint.MessagesPath, endpoint.HandleMessageAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(AgentEndpoint.OrdersPath, endpoint.HandleOrderPollAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
