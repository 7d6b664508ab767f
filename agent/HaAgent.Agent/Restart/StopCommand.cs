namespace HaAgent.Agent.Restart;

/// <summary>An order to stop a VM on this host for good (virDomainDestroy, then SIGKILL through QEMU's pidfd).</summary>
internal sealed record StopCommand(string CommandId, long Token, string VmName, Guid VmUuid);
