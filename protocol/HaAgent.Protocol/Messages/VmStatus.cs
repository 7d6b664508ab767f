namespace HaAgent.Protocol.Messages;

/// <param name="LeaderPid">
/// PID of the QEMU process when running or hung and known to the agent; null when the VM is stopped or crashed, and
/// also for a running or hung VM whose QEMU the agent has not found (yet). Sent as null; an absent member means the
/// same (optional parameter, so not required by the codec). Informational: nothing decides on it.
/// </param>
public sealed record VmStatus(string VmId, VmRunState State, long? LeaderPid = null);
