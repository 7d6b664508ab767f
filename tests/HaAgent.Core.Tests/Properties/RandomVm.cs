namespace HaAgent.Core.Tests.Properties;

/// <summary>A generated VM: host index, size, backend (0 ceph, 1 iSCSI, 2 both) and priority.</summary>
internal sealed record RandomVm(int Host, int Cpus, int Backend, int Priority);
