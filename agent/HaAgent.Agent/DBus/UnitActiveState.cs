namespace HaAgent.Agent.DBus;

/// <summary>
/// systemd's ActiveState of a unit, plus <see cref="Unavailable"/> when the agent cannot ask systemd at all
/// (no system bus, bus refused, systemd not on the bus, unit unknown): "cannot know" is never confused with "inactive".
/// </summary>
internal enum UnitActiveState
{
    Unavailable,
    Unknown,
    Active,
    Reloading,
    Inactive,
    Failed,
    Activating,
    Deactivating,
    Maintenance,
    Refreshing,
}
