namespace HaAgent.Core.Model;

/// <summary>An RBD image: fenced by blocklisting the writer's RADOS client addresses.</summary>
public sealed record CephVolume(string Pool, string Image) : VolumeRef
{
    public override string ToString() => $"ceph:{Pool}/{Image}";
}
