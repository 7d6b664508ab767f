namespace HaAgent.Agent.SelfFence;

/// <summary>
/// Opens the real watchdog at the first kick. Used when the agent restarts with a failed self-fence pending: opening
/// /dev/watchdog restarts the countdown on many drivers (softdog, iTCO), so an agent that systemd restarts every
/// WatchdogSec would otherwise keep a host alive that must reset. Never opened, the device stays as the previous
/// process left it (armed, no magic close), and a stop does not disarm it.
/// </summary>
internal sealed class DeferredWatchdog : IWatchdog
{
    private readonly Func<IWatchdog> _open;
    private IWatchdog? _opened;

    public DeferredWatchdog(string name, Func<IWatchdog> open)
    {
        Name = name;
        _open = open;
    }

    public string Name { get; }

    public void Kick() => (_opened ??= _open()).Kick();

    public void Disarm() => _opened?.Disarm();

    public void Dispose() => _opened?.Dispose();
}
