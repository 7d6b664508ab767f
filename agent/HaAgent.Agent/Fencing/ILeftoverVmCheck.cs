namespace HaAgent.Agent.Fencing;

/// <summary>Which of this host's HA-managed VMs could still be writing: anything libvirt does not report shut off.</summary>
internal interface ILeftoverVmCheck
{
    /// <summary>Names of HA-managed domains not shut off. Throws when the answer is unknown (libvirt unreachable).</summary>
    Task<IReadOnlyList<string>> FindLiveManagedVmsAsync(CancellationToken cancellationToken);
}
