namespace HaAgent.Agent.SelfFence;

/// <summary>
/// A watchdog resets the host unless kicked in time. The agent kicks it only while it is healthy: in contact with a
/// coordinator, or self-fenced with every HA VM proven dead. A self-fence that could not kill everything stops the
/// kicks, and the host resets.
/// </summary>
internal interface IWatchdog : IDisposable
{
    string Name { get; }

    void Kick();

    /// <summary>Clean shutdown: disarm (magic close) so stopping the agent does not reset the host.</summary>
    void Disarm();
}
