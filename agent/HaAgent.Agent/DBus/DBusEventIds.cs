namespace HaAgent.Agent.DBus;

/// <summary>Log event ids of the D-Bus watchers (500 range); to be folded into <see cref="AgentEventIds"/> on merge.</summary>
internal static class DBusEventIds
{
    internal const int UnitStateChanged = 500;
    internal const int UnitWatchUnavailable = 501;
    internal const int MachinedUnavailable = 510;
}
