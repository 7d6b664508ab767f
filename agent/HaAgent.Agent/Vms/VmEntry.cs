namespace HaAgent.Agent.Vms;

/// <summary>One row of the VM state table.</summary>
internal sealed record VmEntry(string Name, Guid Uuid, VmStatus Status, int? QemuPid, DateTimeOffset Since, string Reason);
