using System.Text;
using HaAgent.Coordinator.Store;
using Microsoft.Extensions.DependencyInjection;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>Writes audit entries the way the engine does (core AuditRecords in camelCase JSON) through the host's own leadership.</summary>
internal static class EngineAudit
{
    public static string Record(string kind, string subject, string decision, string evidence, string time = "2026-11-25T12:00:00+00:00") =>
        $$"""{"time":"{{time}}","kind":"{{kind}}","subject":"{{subject}}","decision":"{{decision}}","evidence":"{{evidence}}"}""";

    public static async Task<long> AppendAsync(ApiHost host, string payload)
    {
        var store = host.Services.GetRequiredService<ICoordinatorStore>();
        var leadership = store.CurrentLeadership ?? throw new InvalidOperationException("the test host does not lead");
        return await store.AppendAuditAsync(leadership, Encoding.UTF8.GetBytes(payload), CancellationToken.None);
    }
}
