namespace HaAgent.Protocol.Messages;

/// <param name="LeaderPid">PID of the QEMU process when running or hung, else null.</param>
public sealed record VmStatus(string VmId, VmRunState State, long? LeaderPid);
