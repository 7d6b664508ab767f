using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Console;

namespace HaAgent.Coordinator.Hosting;

internal static class SystemdServiceCollectionExtensions
{
    /// <summary>
    /// READY=1 once listening and STOPPING=1 on shutdown when a service manager started us (Type=notify); a no-op
    /// otherwise. AddSystemd alone recognises systemd by reading /proc/&lt;ppid&gt;/comm, which the unit's
    /// ProtectProc=invisible hides from user haagent (PID 1 is root's): the start would time out. NOTIFY_SOCKET, which
    /// only a service manager sets, decides then (found under a real systemd with packaging/systemd-smoke.sh).
    /// </summary>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services)
    {
        services.AddSystemd();
        if (!SystemdHelpers.IsSystemdService() && Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 })
        {
            services.Configure<ConsoleLoggerOptions>(options => options.FormatterName = ConsoleFormatterNames.Systemd);
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
        return services;
    }
}
