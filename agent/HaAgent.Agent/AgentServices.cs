using HaAgent.Agent.Configuration;
using HaAgent.Agent.Fencing;
using HaAgent.Agent.Heartbeat;
using HaAgent.Agent.Link;
using HaAgent.Agent.Orders;
using HaAgent.Agent.SelfFence;
using HaAgent.Agent.State;
using HaAgent.Agent.Storage;
using HaAgent.Agent.Vms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HaAgent.Agent;

/// <summary>
/// The agent's capabilities, registered in one place with explicit factories (no reflection-driven activation of
/// optional parts). The coordinator link (<see cref="LinkServices"/>) drives the executors through the order gate.
/// </summary>
internal static class AgentServices
{
    internal static void Add(IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AgentOptions>>().Value);
        services.AddSingleton(sp => new AgentStateStore(sp.GetRequiredService<AgentOptions>().StateFile));
        // The incarnation is a persisted start counter: it grows at every agent start, whatever the clock says.
        services.AddSingleton(sp => new AgentIdentity(sp.GetRequiredService<AgentOptions>().HostId, sp.GetRequiredService<AgentStateStore>().BeginIncarnation()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            return new AgentStorage(
                options.Ceph is null ? null : new CephConnections(options.Ceph),
                options.Iscsi is null ? null : new IscsiSessionPool(options.Iscsi));
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            var libvirt = options.Libvirt;
            return new VmWatcher(
                new VmWatcherOptions(libvirt.Uri, libvirt.ManagedDomainPrefix, libvirt.QemuPidDirectory, libvirt.OpenTimeout,
                    options.Intervals.Reconcile, options.Intervals.VmProbe)
                {
                    MonitorProbeInterval = options.Intervals.MonitorProbe > TimeSpan.Zero ? options.Intervals.MonitorProbe : null,
                },
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<VmWatcher>>());
        });
        services.AddSingleton(sp => new CoordinatorContact(sp.GetRequiredService<TimeProvider>()));
        DBus.DBusServices.Add(services);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            var storage = sp.GetRequiredService<AgentStorage>();
            return new FenceExecutor(sp.GetRequiredService<AgentStateStore>(), storage.Ceph, storage.Iscsi, options.Intervals.FenceStepTimeout,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FenceExecutor>>());
        });
        services.AddSingleton(sp => new AllowedVmsLeftoverCheck(new LibvirtLeftoverVmCheck(sp.GetRequiredService<AgentOptions>().Libvirt)));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            var storage = sp.GetRequiredService<AgentStorage>();
            return new UnfenceExecutor(sp.GetRequiredService<AgentStateStore>(), storage.Ceph, storage.Iscsi, sp.GetRequiredService<AllowedVmsLeftoverCheck>(),
                options.Intervals.FenceStepTimeout, sp.GetRequiredService<ILogger<UnfenceExecutor>>(),
                onCephUnfenced: () =>
                {
                    foreach (var store in sp.GetRequiredService<HeartbeatWriter>().Stores.OfType<RadosHeartbeatStore>())
                    {
                        store.Reset();
                    }
                });
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            var storage = sp.GetRequiredService<AgentStorage>();
            var identity = sp.GetRequiredService<AgentIdentity>();
            var stores = new List<IHeartbeatStore>();
            if (storage.Ceph is not null)
            {
                stores.Add(new RadosHeartbeatStore(storage.Ceph, storage.Ceph.Options.HeartbeatPool, identity.HostId));
            }
            if (storage.Iscsi is not null && options.Iscsi!.HeartbeatLun is { } lun)
            {
                stores.Add(new IscsiHeartbeatStore(storage.Iscsi, new IscsiLunAddress(lun.Portal, lun.TargetIqn, lun.Lun), options.Iscsi.HeartbeatSlot));
            }
            return new HeartbeatWriter(identity, sp.GetRequiredService<AgentStateStore>(), stores, sp.GetRequiredService<TimeProvider>(),
                options.Intervals.Heartbeat * 2);
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            return new SelfFencer(sp.GetRequiredService<VmWatcher>(), sp.GetRequiredService<AgentStateStore>(), sp.GetRequiredService<AgentIdentity>().Incarnation,
                options.Intervals.SelfFenceKillGrace, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SelfFencer>>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            var time = sp.GetRequiredService<TimeProvider>();
            Func<IWatchdog>? open = options.Watchdog.Kind switch
            {
                "device" => () => new DeviceWatchdog(options.Watchdog.Path),
                "file" => () => new FileWatchdog(options.Watchdog.Path, time),
                _ => null,
            };
            var state = sp.GetRequiredService<AgentStateStore>();
            IWatchdog? watchdog = open is null ? null
                : SelfFenceMonitor.HasFailedSelfFence(state) ? new DeferredWatchdog(options.Watchdog.Path, open)
                : open();
            return new SelfFenceMonitor(sp.GetRequiredService<CoordinatorContact>(), sp.GetRequiredService<SelfFencer>(), watchdog,
                state, options.Intervals.SelfFenceTimeout, options.Watchdog.KickInterval, time,
                sp.GetRequiredService<ILogger<SelfFenceMonitor>>(),
                onSelfFencing: () => sp.GetRequiredService<OrderDispatcher>().EnterSelfFence(),
                systemd: SystemdWatchdog.FromEnvironment(sp.GetService<ISystemdNotifier>(), time));
        });
        services.AddHostedService(sp => new Memory.StartupMemoryTrim(sp.GetRequiredService<AgentOptions>().Memory, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Memory.StartupMemoryTrim>>()));
        Restart.RestartServices.Add(services);
        LinkServices.Add(services);
        services.AddHostedService(sp => new AgentWorker(
            sp.GetRequiredService<AgentLink>(),
            sp.GetRequiredService<DBus.SystemdUnitWatcher>(),
            sp.GetRequiredService<VmWatcher>(),
            sp.GetRequiredService<HeartbeatWriter>(),
            sp.GetRequiredService<SelfFenceMonitor>(),
            sp.GetRequiredService<AgentOptions>().Intervals.Heartbeat,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AgentWorker>>(),
            sp.GetRequiredService<AgentOptions>().Intervals.MemoryLog));
    }
}
