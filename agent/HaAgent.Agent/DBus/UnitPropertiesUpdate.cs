namespace HaAgent.Agent.DBus;

/// <summary>
/// What one PropertiesChanged signal (or the end of the subscription) said about a unit; null means "not in this
/// signal". <see cref="Ended"/> is set when systemd left the bus or the connection closed.
/// </summary>
internal readonly record struct UnitPropertiesUpdate(string? ActiveState, string? SubState, bool Invalidated, string? Ended);
