using System.Collections.Concurrent;

namespace HaAgent.Coordinator.Api;

/// <summary>API requests answered, by HTTP status code, for /metrics.</summary>
internal sealed class ApiRequestCounter
{
    private readonly ConcurrentDictionary<int, long> _byStatus = new();

    public void Count(int status) => _byStatus.AddOrUpdate(status, 1, static (_, n) => n + 1);

    public IReadOnlyList<KeyValuePair<int, long>> Snapshot() => [.. _byStatus.OrderBy(static p => p.Key)];

    /// <summary>Outermost middleware, so it sees the status the client really got (after exception handling).</summary>
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next();
        }
        finally
        {
            Count(context.Response.StatusCode);
        }
    }
}
