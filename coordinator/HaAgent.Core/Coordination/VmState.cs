namespace HaAgent.Core.Coordination;

/// <summary>The coordinator's view of one HA VM.</summary>
public enum VmState
{
    /// <summary>Not known to run anywhere and not released; adopted when an agent reports it.</summary>
    Unknown,

    /// <summary>Runs on its host.</summary>
    Running,

    /// <summary>A start was ordered on its host and is not confirmed yet.</summary>
    Starting,

    /// <summary>A stop was ordered on its host (maintenance drain).</summary>
    Stopping,

    /// <summary>Proven not to run anywhere (fenced, self-fenced or stopped): waits for placement.</summary>
    Pending,
}
