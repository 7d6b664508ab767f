using HaAgent.Core.Model;

namespace HaAgent.Core.Coordination;

/// <summary>The coordinator's view of one VM. Change <see cref="State"/> and <see cref="HostId"/> only through HaCoordinator.SetVm.</summary>
internal sealed class VmRecord(VmSpec spec)
{
    /// <summary>Replaced by HaCoordinator.UpsertVm (priority, group, size, volumes); the id never changes.</summary>
    public VmSpec Spec { get; set; } = spec;
    public string Id { get; } = spec.Id;
    public string Subject { get; } = "vm " + spec.Id;
    public VmState State { get; set; }
    public string? HostId { get; set; }
    public DateTimeOffset Since { get; set; }
    public DateTimeOffset OrderedAt { get; set; }

    /// <summary>Why the VM may restart: the proof its previous host no longer runs or writes it.</summary>
    public string? ReleaseEvidence { get; set; }

    public string? LastUnplacedReason { get; set; }
    public bool RestartLimitAudited { get; set; }
    public Queue<DateTimeOffset> Starts { get; } = new();
}
