namespace HaAgent.Testing.Lab;

/// <summary>
/// A libvirt domain whose only disk is an RBD image of the lab cluster: 32 MiB, TCG, no OS. The same definition runs on
/// any lab host (each libvirtd holds the same ceph secret), which is what a restart elsewhere needs.
/// </summary>
public sealed record LabVmDefinition(string Name, Guid Uuid, string Pool, string Image, string Xml)
{
    /// <summary>QOM path of the disk's block backend, the one HMP qemu-io accepts for a libvirt virtio disk.</summary>
    public const string DiskQomPath = "/machine/peripheral/virtio-disk0/virtio-backend";

    public static LabVmDefinition Create(string name, string pool, string image, Guid secretUuid, string cephUser = "admin")
    {
        var uuid = Guid.NewGuid();
        var xml = $"""
            <domain type='qemu'>
              <name>{name}</name>
              <uuid>{uuid}</uuid>
              <memory unit='MiB'>32</memory>
              <vcpu>1</vcpu>
              <os><type arch='x86_64' machine='pc'>hvm</type></os>
              <on_crash>destroy</on_crash>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <disk type='network' device='disk'>
                  <driver name='qemu' type='raw' cache='none'/>
                  <auth username='{cephUser}'><secret type='ceph' uuid='{secretUuid}'/></auth>
                  <source protocol='rbd' name='{pool}/{image}'>
                    <host name='{LabAddresses.Storage}' port='{LabAddresses.CephMonPort}'/>
                  </source>
                  <target dev='vda' bus='virtio'/>
                </disk>
              </devices>
            </domain>
            """;
        return new LabVmDefinition(name, uuid, pool, image, xml);
    }
}
