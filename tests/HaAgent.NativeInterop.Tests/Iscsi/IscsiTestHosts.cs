using HaAgent.NativeInterop.Iscsi;
using HaAgent.Testing;
using HaAgent.Testing.Iscsi;

namespace HaAgent.NativeInterop.Tests.Iscsi;

/// <summary>Two hypervisor hosts as two initiators (two I_T nexuses) with their own reservation keys.</summary>
internal static class IscsiTestHosts
{
    internal const string InitiatorA = "iqn.2024-01.test.haagent:host-a";
    internal const string InitiatorB = "iqn.2024-01.test.haagent:host-b";
    internal const ulong KeyA = 0xA0A0_0000_0000_00A1;
    internal const ulong KeyB = 0xB0B0_0000_0000_00B2;
    internal const PersistentReservationType WriteExclusiveRegistrantsOnly = PersistentReservationType.WriteExclusiveRegistrantsOnly;

    internal static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(5);

    internal static void RequireLibiscsi() => Requires.Library("libiscsi.so.7", "libiscsi7");

    internal static IscsiSession Connect(TgtTarget target, string initiator, int lun = 1, TimeSpan? timeout = null) =>
        IscsiSession.Connect(target.Portal, target.TargetIqn, lun, initiator, timeout ?? SessionTimeout);

    /// <summary>One block filled with <paramref name="value"/>.</summary>
    internal static byte[] Block(IscsiSession session, byte value)
    {
        var block = new byte[session.Capacity.BlockSize];
        Array.Fill(block, value);
        return block;
    }
}
