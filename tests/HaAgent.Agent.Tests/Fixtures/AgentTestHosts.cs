using HaAgent.Agent.Configuration;
using HaAgent.Agent.Fencing;
using HaAgent.Agent.State;
using HaAgent.Agent.Storage;
using HaAgent.NativeInterop.Iscsi;
using HaAgent.Testing.Iscsi;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Agent.Tests.Fixtures;

/// <summary>
/// Hosts, keys and agent parts the fencing tests share. The hosts' initiators and keys are <see cref="IscsiTestHosts"/>'
/// (one source for every test project); a host's VM I/O uses that initiator, the agent's own nexus a second one.
/// </summary>
internal static class AgentTestHosts
{
    internal const string VmInitiatorA = IscsiTestHosts.InitiatorA;
    internal const string VmInitiatorB = IscsiTestHosts.InitiatorB;
    internal const string AgentInitiatorA = IscsiTestHosts.InitiatorA + "-agent";
    internal const string AgentInitiatorB = IscsiTestHosts.InitiatorB + "-agent";
    internal const ulong KeyA = IscsiTestHosts.KeyA;
    internal const ulong KeyB = IscsiTestHosts.KeyB;
    internal const PersistentReservationType Type5 = IscsiTestHosts.WriteExclusiveRegistrantsOnly;

    internal static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    internal static IscsiAgentOptions IscsiOptions(TgtTarget target, string initiator, ulong key) => new()
    {
        InitiatorIqn = initiator,
        ReservationKey = $"0x{key:X16}",
        Portals = [target.Portal],
        CommandTimeout = TimeSpan.FromSeconds(3),
    };

    /// <summary>A VM's own I/O path on host <paramref name="initiator"/>: a separate nexus, as QEMU's libiscsi would be.</summary>
    internal static IscsiSession VmSession(TgtTarget target, string initiator) =>
        IscsiTestHosts.Connect(target, initiator, timeout: TimeSpan.FromSeconds(3));

    /// <summary>
    /// Two VMs' nexuses on the LUN, both registered (host A with <see cref="KeyA"/>, host B with <see cref="KeyB"/>), and
    /// host A's VM holding the write-exclusive-registrants-only reservation: the victim a fence preempts.
    /// </summary>
    internal static IscsiVmPair ReservedByVmA(TgtTarget target)
    {
        var vmA = VmSession(target, VmInitiatorA);
        var vmB = VmSession(target, VmInitiatorB);
        vmA.Register(KeyA);
        vmB.Register(KeyB);
        vmA.Reserve(KeyA, Type5);
        return new IscsiVmPair(vmA, vmB);
    }

    internal static FenceExecutor Executor(AgentStateStore state, CephConnections? ceph, IscsiSessionPool? iscsi) =>
        new(state, ceph, iscsi, StepTimeout, TimeProvider.System, NullLogger<FenceExecutor>.Instance);

    internal static byte[] Block(IscsiSession session, byte value) => IscsiTestHosts.Block(session, value);

    /// <summary>The victim's first write after a preempt gets one UNIT ATTENTION; the next must be a RESERVATION CONFLICT.</summary>
    internal static ReservationConflictException WriteRefused(IscsiSession session, byte value)
    {
        try
        {
            session.WriteBlocks(0, Block(session, value));
            Assert.Fail("the fenced nexus's write was accepted");
        }
        catch (UnitAttentionException)
        {
        }
        catch (ReservationConflictException conflict)
        {
            return conflict;
        }
        return Assert.Throws<ReservationConflictException>(() => session.WriteBlocks(0, Block(session, value)));
    }
}
