using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Api;

/// <summary>/healthz (the process serves requests) and /readyz (the store answers and we know who leads). No token needed.</summary>
internal static class HealthEndpoints
{
    /// <summary>A readiness probe must answer even when the store hangs; the store's own call timeouts are longer.</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(2);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", static () => Results.Text("ok\n")).WithTags("health").AllowAnonymous();
        app.MapGet("/readyz", ReadyAsync).WithTags("health").AllowAnonymous().Produces<ReadyResponse>();
    }

    private static async Task<IResult> ReadyAsync(ICoordinatorStore store, CancellationToken cancellationToken)
    {
        LeaderInfo? leader;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyTimeout);
        try
        {
            leader = await store.GetLeaderAsync(timeout.Token);
        }
        catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException)
        {
            return ApiProblems.StoreUnavailable();
        }
        var mine = store.CurrentLeadership;
        var leading = mine is { IsLost: false } && leader is not null
            && string.Equals(leader.InstanceId, mine.InstanceId, StringComparison.Ordinal) && leader.Epoch == mine.Epoch;
        var body = new ReadyResponse("ready", store.InstanceId, leading, leader is null ? null : new LeaderResponse(leader.InstanceId, leader.Epoch));
        return Results.Json(body, ApiJsonContext.Default.ReadyResponse);
    }
}
