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

    public static SessionQemuDomain Define(LibvirtConnection connection, string prefix = "ha-") =>
        DefineNamed(connection, $"{prefix}{Guid.NewGuid():N}"[..16]);

    /// <summary>The domain named <paramref name="name"/>: for tests that chose the name first (a watcher started on it).</summary>
    public static SessionQemuDomain DefineNamed(LibvirtConnection connection, string name) =>
        new(name, connection.DefineXml(LibvirtSessionDaemon.QemuDomainXml(name, Guid.NewGuid())));

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

    /// <summary>
    /// <see cref="Remove(LibvirtDomain)"/> for every domain whose name starts with <paramref name="namePrefix"/>: for
    /// domains a test did not define itself (the agent's start executor did).
    /// </summary>
    public static void RemoveAll(LibvirtConnection connection, string namePrefix)
    {
        foreach (var info in connection.ListAllDomains().Where(d => d.Name.StartsWith(namePrefix, StringComparison.Ordinal)))
        {
            try
            {
                using var domain = connection.LookupByUuid(info.Uuid);
                Remove(domain);
            }
            catch (LibvirtException)
            {
                // Gone meanwhile.
            }
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
