namespace HaAgent.Agent.DBus;

/// <summary>Where and what <see cref="SystemdUnitWatcher"/> watches.</summary>
internal sealed class SystemdUnitWatcherOptions
{
    /// <summary>D-Bus address; null means the system bus (DBUS_SYSTEM_BUS_ADDRESS or /run/dbus/system_bus_socket).</summary>
    public string? BusAddress { get; set; }

    /// <summary>The unit followed; libvirtd going away is what makes the VM table stale.</summary>
    public string Unit { get; set; } = "libvirtd.service";

    /// <summary>Bound on connecting and on every call; a bus that never answers must not hang the watcher.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First retry delay after the bus or systemd became unavailable; doubled up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}
