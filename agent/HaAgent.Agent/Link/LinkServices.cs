using HaAgent.Agent.Configuration;
using HaAgent.Agent.Fencing;
using HaAgent.Agent.Heartbeat;
using HaAgent.Agent.Orders;
using HaAgent.Agent.Restart;
using HaAgent.Agent.SelfFence;
using HaAgent.Agent.State;
using HaAgent.Agent.Vms;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Link;

/// <summary>Registers the coordinator link and the order dispatcher (called from <see cref="AgentServices"/>).</summary>
internal static class LinkServices
{
    internal static void Add(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            // Validated at start (AgentOptionsRules); a file changed since then still fails here, naming the key.
            var secret = HostSecretFile.TryRead(options.Coordinator.SecretFile, out var read, out var problem)
                ? read
                : throw new InvalidDataException($"Coordinator:SecretFile {problem}");
            return new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(options.HostId, secret), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            var link = options.Coordinator;
            return new CoordinatorClient(options.CoordinatorEndpoints, options.HostId, sp.GetRequiredService<ProtocolCodec>(), link.ConnectTimeout,
                link.RequestTimeout, link.PollTimeout, sp.GetRequiredService<CoordinatorContact>(), sp.GetRequiredService<ILogger<CoordinatorClient>>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            return new OrderDispatcher(
                sp.GetRequiredService<AgentIdentity>(),
                new OrderGateFile(OrderGateFile.BesideStateFile(options.StateFile)),
                new OrderResultFile(OrderResultFile.BesideStateFile(options.StateFile)),
                sp.GetRequiredService<AgentStateStore>(),
                sp.GetRequiredService<FenceExecutor>(),
                sp.GetRequiredService<UnfenceExecutor>(),
                sp.GetRequiredService<AllowedVmsLeftoverCheck>(),
                sp.GetRequiredService<VmStartExecutor>(),
                sp.GetRequiredService<VmStopExecutor>(),
                sp.GetRequiredService<VmWatcher>(),
                options.Libvirt.OpenTimeout + options.Intervals.Reconcile,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<OrderDispatcher>>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            var heartbeat = sp.GetRequiredService<HeartbeatWriter>();
            var key = options.Iscsi is { ReservationKeyValue: > 0 and var value } ? OrderResults.Key(value) : null;
            return new AgentLink(
                sp.GetRequiredService<CoordinatorClient>(),
                sp.GetRequiredService<OrderDispatcher>(),
                sp.GetRequiredService<VmWatcher>(),
                sp.GetRequiredService<AgentIdentity>(),
                sp.GetRequiredService<AgentStateStore>(),
                () => new FenceIdentity(
                    [.. heartbeat.Stores.OfType<RadosHeartbeatStore>().Select(s => s.CephClientAddress).OfType<string>()],
                    key),
                new DomainDefinitions(sp.GetRequiredService<VmWatcher>(), options.Intervals.FenceStepTimeout),
                options.Coordinator,
                options.Intervals.Heartbeat,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<AgentLink>>());
        });
    }
}
