using HaAgent.Agent.Vms;
using HaAgent.NativeInterop.Libvirt;

namespace HaAgent.Agent.Restart;

/// <summary>Looks a VM up by UUID and by name (the two must agree) and for a QEMU carrying its UUID. Blocking: run it bounded.</summary>
internal static class DomainInspector
{
    public static DomainInspection Inspect(LibvirtConnection connection, string name, Guid uuid, string? qemuPidDirectory, bool keepXml)
    {
        using var byUuid = TryLookup(() => connection.LookupByUuid(uuid));
        using var byName = TryLookup(() => connection.LookupByName(name));
        var qemuPid = new QemuProcessLocator(qemuPidDirectory).Find(name, uuid);
        if (byUuid is not null && byUuid.Name != name)
        {
            return new DomainInspection(true, null, qemuPid, null, $"UUID {uuid:D} belongs to domain '{byUuid.Name}' here");
        }
        if (byUuid is null && byName is not null)
        {
            return new DomainInspection(false, null, qemuPid, null, $"name '{name}' belongs to domain {byName.Uuid:D} here");
        }
        if (byUuid is null)
        {
            return new DomainInspection(false, null, qemuPid, null, null);
        }
        var state = byUuid.GetState().State;
        return new DomainInspection(true, state, qemuPid, keepXml ? byUuid.GetXml(inactive: true) : null, null);
    }

    private static LibvirtDomain? TryLookup(Func<LibvirtDomain> lookup)
    {
        try
        {
            return lookup();
        }
        catch (LibvirtException e) when (e.Code == LibvirtErrorCode.NoDomain)
        {
            return null;
        }
    }
}
