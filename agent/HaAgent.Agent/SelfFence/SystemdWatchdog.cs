using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Systemd;

namespace HaAgent.Agent.SelfFence;

/// <summary>
/// systemd's service watchdog (<c>WatchdogSec=</c>): <c>WATCHDOG=1</c> at most every WATCHDOG_USEC/2, sent by
/// <see cref="SelfFenceMonitor"/> from the same health decision that kicks the hardware watchdog. A hung agent, or one
/// whose self-fence could not kill every HA VM, stops both, so systemd restarts it as well.
/// </summary>
internal sealed class SystemdWatchdog
{
    internal const string UsecVariable = "WATCHDOG_USEC";
    internal const string PidVariable = "WATCHDOG_PID";
    private static readonly ServiceState Alive = new("WATCHDOG=1");

    private readonly ISystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private DateTimeOffset _lastPing = DateTimeOffset.MinValue;

    public SystemdWatchdog(ISystemdNotifier notifier, TimeSpan pingInterval, TimeProvider time)
    {
        _notifier = notifier;
        PingInterval = pingInterval;
        _time = time;
    }

    /// <summary>Half of systemd's watchdog timeout, as sd_watchdog_enabled(3) recommends.</summary>
    public TimeSpan PingInterval { get; }

    /// <summary>When <see cref="Ping"/> next sends (in the past before the first ping, or after one that failed).</summary>
    public DateTimeOffset NextPingDue => _lastPing == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : _lastPing + PingInterval;

    /// <summary>
    /// The watchdog systemd asked for, or null: no WATCHDOG_USEC, WATCHDOG_PID naming another process (inherited, not
    /// meant for us), or no notify socket. The notifier is Hosting.Systemd's when it detected systemd; otherwise one on
    /// NOTIFY_SOCKET (Hosting.Systemd 10.0 detects systemd only by the parent process, sd_notify(3) by the variables).
    /// </summary>
    public static SystemdWatchdog? FromEnvironment(ISystemdNotifier? registered, TimeProvider time)
    {
        var interval = ParsePingInterval(Environment.GetEnvironmentVariable(UsecVariable), Environment.GetEnvironmentVariable(PidVariable), Environment.ProcessId);
        if (interval is not { } value)
        {
            return null;
        }
        var notifier = registered ?? new SystemdNotifier();
        return notifier.IsEnabled ? new SystemdWatchdog(notifier, value, time) : null;
    }

    internal static TimeSpan? ParsePingInterval(string? usec, string? pid, int ownPid)
    {
        if (!string.IsNullOrEmpty(pid)
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var watchdogPid) || watchdogPid != ownPid))
        {
            return null;
        }
        if (!ulong.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds == 0
            || microseconds > (ulong)TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMicrosecond)
        {
            return null;
        }
        return TimeSpan.FromMicroseconds(microseconds / 2.0);
    }

    /// <summary>Sends WATCHDOG=1 unless one went out less than <see cref="PingInterval"/> ago.</summary>
    /// <returns>False when the notify socket refused the datagram (systemd will then restart the agent).</returns>
    public bool Ping()
    {
        var now = _time.GetUtcNow();
        if (now - _lastPing < PingInterval)
        {
            return true;
        }
        try
        {
            _notifier.Notify(Alive);
            _lastPing = now;
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
