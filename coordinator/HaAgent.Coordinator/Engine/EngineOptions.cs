using HaAgent.Core.Coordination;

namespace HaAgent.Coordinator.Engine;

/// <summary>The engine that hosts the decision core (config section <c>Engine</c>).</summary>
internal sealed class EngineOptions
{
    public const string Section = "Engine";

    /// <summary>Run the decision core while this instance leads. Off: the coordinator only serves the API.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>One decision step at least this often; an arriving agent message triggers one sooner.</summary>
    public TimeSpan IterationPeriod { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How often the audit log is read past its last seen entry to spot API changes to hosts, VMs and rules (every
    /// API mutation commits an audit record with the document, so this costs one read of the new entries).
    /// </summary>
    public TimeSpan ChangePollPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The decision core's thresholds (<c>Engine:Core:NetworkSuspectAfter</c>, ...).</summary>
    public CoordinatorOptions Core { get; set; } = new();

    /// <summary>Where the agents' storage heartbeats are read from; none configured means the core sees none.</summary>
    public StorageHeartbeatOptions StorageHeartbeat { get; set; } = new();
}
