using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing.Libvirt;

namespace HaAgent.Agent.Tests.Link;

/// <summary>A control connection to the test libvirtd (keeps test:///default alive) and domain helpers.</summary>
internal sealed class LinkTestVms : IDisposable
{
    public LinkTestVms(LibvirtSessionDaemon daemon)
    {
        Uri = daemon.TestDefaultUri;
        Control = LibvirtConnection.Open(Uri);
    }

    public string Uri { get; }

    public LibvirtConnection Control { get; }

    public Guid Define(string name, bool start)
    {
        var uuid = Guid.NewGuid();
        using var domain = Control.DefineXml(LibvirtTestNode.DomainXml(name, uuid));
        if (start)
        {
            domain.Create();
        }
        return uuid;
    }

    public DomainState State(string name)
    {
        using var domain = Control.LookupByName(name);
        return domain.GetState().State;
    }

    public int? Id(string name)
    {
        using var domain = Control.LookupByName(name);
        return domain.GetId();
    }

    public void Destroy(string name)
    {
        using var domain = Control.LookupByName(name);
        domain.Destroy();
    }

    public void Start(string name)
    {
        using var domain = Control.LookupByName(name);
        domain.Create();
    }

    public void Dispose() => Control.Dispose();
}
