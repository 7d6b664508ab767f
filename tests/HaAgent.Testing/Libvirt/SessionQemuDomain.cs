using HaAgent.NativeInterop.Libvirt;

namespace HaAgent.Testing.Libvirt;

/// <summary>
/// A QEMU domain with a fresh name (<see cref="LibvirtSessionDaemon.QemuDomainXml"/>) defined on a connection, for
/// tests that start real VMs: Dispose destroys it if it still runs and undefines it, best effort — the session
/// daemon (and its QEMUs) is killed by its fixture anyway.
/// </summary>
public sealed class SessionQemuDomain : IDisposable
{
    private SessionQemuDomain(string name, LibvirtDomain domain)
    {
        Name = name;
        Domain = domain;
    }

    public string Name { get; }

    public LibvirtDomain Domain { get; }

    public static SessionQemuDomain Define(LibvirtConnection connection, string prefix = "ha-")
    {
        var name = $"{prefix}{Guid.NewGuid():N}"[..16];
        return new SessionQemuDomain(name, connection.DefineXml(LibvirtSessionDaemon.QemuDomainXml(name, Guid.NewGuid())));
    }

    /// <summary>Destroys <paramref name="domain"/> if it is not shut off, then undefines it; libvirt errors are ignored.</summary>
    public static void Remove(LibvirtDomain domain)
    {
        try
        {
            if (domain.GetState().State != DomainState.ShutOff)
            {
                domain.Destroy();
            }
            domain.Undefine();
        }
        catch (LibvirtException)
        {
            // The session daemon (and its QEMUs) is killed by the fixture anyway.
        }
    }

    public void Deconstruct(out string name, out LibvirtDomain domain)
    {
        name = Name;
        domain = Domain;
    }

    public void Dispose()
    {
        Remove(Domain);
        Domain.Dispose();
    }
}
