using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.DBus;

/// <summary>
/// Registers the system-bus clients with explicit factories (system bus, libvirtd.service, default bounds).
/// Nothing here touches the bus: <see cref="SystemdUnitWatcher.Start"/> and the first machined lookup do, and both
/// degrade to Unavailable on hosts without a system bus.
/// </summary>
internal static class DBusServices
{
    internal static void Add(IServiceCollection services)
    {
        services.AddSingleton(sp => new SystemdUnitWatcher(
            new SystemdUnitWatcherOptions(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SystemdUnitWatcher>>()));
        services.AddSingleton(sp => new MachinedClient(
            new MachinedClientOptions(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MachinedClient>>()));
    }
}
