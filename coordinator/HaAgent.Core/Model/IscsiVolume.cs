namespace HaAgent.Core.Model;

/// <summary>An iSCSI LUN: fenced by a persistent-reservation PREEMPT (AND ABORT) of the writer's key.</summary>
public sealed record IscsiVolume(string Target, int Lun) : VolumeRef
{
    public override string ToString() => $"iscsi:{Target}/{Lun}";
}
