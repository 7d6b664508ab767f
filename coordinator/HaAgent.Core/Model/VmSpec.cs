namespace HaAgent.Core.Model;

/// <summary>An HA-protected VM as configured.</summary>
/// <param name="Id">Stable VM id (libvirt UUID or name).</param>
/// <param name="Priority">Higher restarts first when capacity is short.</param>
/// <param name="Group">Optional HA group name, used by rules.</param>
public sealed record VmSpec(
    string Id,
    int Cpus,
    long MemoryMiB,
    IReadOnlyList<VolumeRef> Volumes,
    int Priority = 0,
    string? Group = null);
