using HaAgent.Core.Model;

namespace HaAgent.Simulator.World;

/// <summary>One simulated hypervisor with its agent: what is really true about it, whatever the coordinator believes.</summary>
internal sealed class SimHost(HostSpec spec, HostFenceIdentity identity)
{
    public HostSpec Spec { get; } = spec;
    public HostFenceIdentity Identity { get; } = identity;
    public string Id => Spec.Id;

    /// <summary>Powered and its agent running. A crash clears it and kills every VM.</summary>
    public bool Alive { get; set; } = true;

    /// <summary>The host's network to the coordinator and peers.</summary>
    public bool NetworkUp { get; set; } = true;

    /// <summary>The host's path to shared storage.</summary>
    public bool StorageUp { get; set; } = true;

    /// <summary>Only the coordinator's link to this host is cut (the observer is the one isolated).</summary>
    public bool ObserverCut { get; set; }

    public long Incarnation { get; set; } = 1;

    /// <summary>Reported a self-fence: refuses starts until an unfence order (or a reboot).</summary>
    public bool SelfFenced { get; set; }
    public long Sequence { get; set; }

    /// <summary>The newest coordinator token this agent obeyed; older orders are refused.</summary>
    public long MaxToken { get; set; }

    public SortedSet<string> RunningVms { get; } = new(StringComparer.Ordinal);

    public FaultCounter FenceFails { get; } = new();
    public FaultCounter FenceHangs { get; } = new();
    public FaultCounter FenceUnproven { get; } = new();
    public FaultCounter StartFails { get; } = new();

    /// <summary>Reachable by the coordinator: orders arrive and results come back.</summary>
    public bool Reachable => Alive && NetworkUp && !ObserverCut;
}
