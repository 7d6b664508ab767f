using HaAgent.NativeInterop.Iscsi;

namespace HaAgent.Agent.Tests.Fixtures;

/// <summary>Host A's and host B's VM nexuses on one LUN (see <see cref="AgentTestHosts.ReservedByVmA"/>).</summary>
internal sealed class IscsiVmPair(IscsiSession vmA, IscsiSession vmB) : IDisposable
{
    public IscsiSession VmA { get; } = vmA;

    public IscsiSession VmB { get; } = vmB;

    public void Dispose()
    {
        VmA.Dispose();
        VmB.Dispose();
    }
}
