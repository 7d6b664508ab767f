using HaAgent.Agent.Tests.Link;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;

namespace HaAgent.Agent.Tests.Reports;

/// <summary>
/// VM definitions are read from libvirt only when they may have changed (a Defined event, a new connection), not at
/// every report: a redefined VM's new XML still reaches the coordinator promptly, an unchanged one is not re-read.
/// </summary>
public sealed class VmDefinitionUpdateTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _directory = new("agent-definitions");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task Redefine_ChangedXml_SentAgainWithinSeconds()
    {
        Requires.Tools("libvirt-daemon", "libvirtd");
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        var uuid = vms.Define("ha-web", start: true);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret);
        agent.Configure([coordinator.BaseUrl], vms.Uri);
        await agent.StartAsync();
        await coordinator.WaitForAsync<VmDefinitionMessage>(d => d.VmId == "ha-web", Wait);

        // Same name and UUID, more memory: libvirt raises a Defined (updated) event.
        var xml = LibvirtTestNode.DomainXml("ha-web", uuid);
        var changed = xml.Replace("<memory", "<description>resized</description><memory", StringComparison.Ordinal);
        Assert.NotEqual(xml, changed);
        using (vms.Control.DefineXml(changed))
        {
        }

        var update = (VmDefinitionMessage)(await coordinator.WaitForAsync<VmDefinitionMessage>(d => d.VmId == "ha-web" && d.DomainXml.Contains("resized", StringComparison.Ordinal), Wait)).Message;
        Assert.Contains("<name>ha-web</name>", update.DomainXml, StringComparison.Ordinal);
        Assert.Equal(2, coordinator.Messages<VmDefinitionMessage>().Count(d => d.VmId == "ha-web"));
    }
}
