using HaAgent.Agent.Configuration;
using HaAgent.Agent.SelfFence;
using HaAgent.Agent.State;
using HaAgent.Agent.Vms;
using HaAgent.NativeInterop.Libvirt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Restart;

/// <summary>Registers <see cref="VmStartExecutor"/> and <see cref="VmStopExecutor"/> (called from <see cref="AgentServices"/>).</summary>
internal static class RestartServices
{
    /// <summary>How long a just-started VM may take to show as running with a live QEMU.</summary>
    internal static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(10);

    internal static void Add(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var stateFile = Path.GetFullPath(sp.GetRequiredService<AgentOptions>().StateFile);
            return new CommandJournal(JournalPath(stateFile), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(_ => new VmOrderLocks());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<AgentOptions>();
            return new VmOrderSettings(options.Libvirt.ManagedDomainPrefix, options.Libvirt.QemuPidDirectory, options.Intervals.FenceStepTimeout,
                ConfirmTimeout, options.Intervals.SelfFenceKillGrace);
        });
        services.AddSingleton(sp => new VmOrderPipeline(
            sp.GetRequiredService<AgentStateStore>(),
            sp.GetRequiredService<CommandJournal>(),
            sp.GetRequiredService<VmOrderLocks>(),
            Connector(sp.GetRequiredService<AgentOptions>().Libvirt),
            sp.GetRequiredService<VmOrderSettings>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new VmStartExecutor(
            sp.GetRequiredService<VmOrderPipeline>(),
            () => sp.GetRequiredService<SelfFenceMonitor>().IsSelfFenced,
            sp.GetRequiredService<ILogger<VmStartExecutor>>()));
        services.AddSingleton(sp => new VmStopExecutor(
            sp.GetRequiredService<VmOrderPipeline>(),
            uuid => sp.GetRequiredService<VmWatcher>().ExpectStop(uuid),
            sp.GetRequiredService<ILogger<VmStopExecutor>>()));
    }

    /// <summary>The journal lives beside the state file: <c>state.json</c> → <c>state.commands.json</c>.</summary>
    internal static string JournalPath(string stateFile) =>
        Path.Combine(Path.GetDirectoryName(stateFile) ?? ".", Path.GetFileNameWithoutExtension(stateFile) + ".commands.json");

    private static Func<CancellationToken, Task<LibvirtConnection>> Connector(LibvirtAgentOptions libvirt) =>
        cancellationToken => LibvirtConnection.OpenAsync(libvirt.Uri, libvirt.OpenTimeout, cancellationToken);
}
