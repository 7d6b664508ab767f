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
    /// <summary>How often the secret files (<c>&lt;SecretFile&gt;</c> and <c>.next</c>) are read again while frames flow.</summary>
    internal static readonly TimeSpan SecretReloadInterval = TimeSpan.FromSeconds(5);

    internal static void Add(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            return new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, sp.GetRequiredService<ReloadingHostSecret>(), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            var logger = sp.GetRequiredService<ILogger<ReloadingHostSecret>>();
            // Validated at start (AgentOptionsRules); a file changed since then still fails here, naming the key. Later
            // problems keep the last good secrets and are logged once each.
            try
            {
                return new ReloadingHostSecret(options.HostId, options.Coordinator.SecretFile, sp.GetRequiredService<TimeProvider>(), SecretReloadInterval,
                    problem => SecretLog.Problem(logger, problem), rollover => SecretLog.Rollover(logger, rollover));
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"Coordinator:SecretFile {e.Message}", e);
            }
        });
        services.AddSingleton(sp =>
        {
            var link = sp.GetRequiredService<AgentOptions>().Coordinator;
            var roots = link.CaFile is { } caFile && CoordinatorTlsRules.TryLoadCaFile(caFile, out var loaded) is null ? loaded : null;
            if (link.CaFile is not null && roots is null)
            {
                throw new InvalidDataException($"Coordinator:CaFile '{link.CaFile}' holds no usable certificate");
            }
            return new CoordinatorCertificateCheck(roots, link.CaFile, link.PinnedCertificates.Select(CoordinatorTlsRules.ParsePin).OfType<byte[]>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            var link = options.Coordinator;
            return new CoordinatorClient(options.CoordinatorEndpoints, options.HostId, sp.GetRequiredService<ProtocolCodec>(), link.ConnectTimeout,
                link.RequestTimeout, link.PollTimeout, sp.GetRequiredService<CoordinatorContact>(), sp.GetRequiredService<ILogger<CoordinatorClient>>(),
                sp.GetRequiredService<CoordinatorCertificateCheck>(), link.HttpVersion,
                // Resolved lazily: the dispatcher (and its persisted gate) is built after the client.
                epochFloor: () => sp.GetRequiredService<OrderDispatcher>().Highest.Epoch);
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
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<AgentLink>>());
        });
    }
}
