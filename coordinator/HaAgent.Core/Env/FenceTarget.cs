namespace HaAgent.Core.Env;

/// <summary>One thing a fence must cut: a Ceph blocklist or an iSCSI reservation preempt.</summary>
public abstract record FenceTarget;
