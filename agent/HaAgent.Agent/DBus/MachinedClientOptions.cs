namespace HaAgent.Agent.DBus;

/// <summary>Where <see cref="MachinedClient"/> asks.</summary>
internal sealed class MachinedClientOptions
{
    /// <summary>D-Bus address; null means the system bus.</summary>
    public string? BusAddress { get; set; }

    /// <summary>Bound on connecting and on every call.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
