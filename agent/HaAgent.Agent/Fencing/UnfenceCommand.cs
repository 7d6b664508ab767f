namespace HaAgent.Agent.Fencing;

/// <summary>
/// An order to this host's own agent to lift its fence. <see cref="CallerConfirmsVmsDead"/> is the coordinator's word
/// that this host's leftover VMs are dead; the agent checks it against libvirt too, and refuses if either says no.
/// </summary>
internal sealed record UnfenceCommand(
    string UnfenceId,
    long Token,
    IReadOnlyList<string> CephAddresses,
    IReadOnlyList<IscsiUnfenceTarget> IscsiLuns,
    bool CallerConfirmsVmsDead);
