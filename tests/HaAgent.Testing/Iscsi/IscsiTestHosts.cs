using HaAgent.NativeInterop.Iscsi;

namespace HaAgent.Testing.Iscsi;

/// <summary>Two hypervisor hosts as two initiators (two I_T nexuses) with their own reservation keys.</summary>
public static class IscsiTestHosts
{
    public const string InitiatorA = "iqn.2024-01.test.haagent:host-a";
    public const string InitiatorB = "iqn.2024-01.test.haagent:host-b";
    public const ulong KeyA = 0xA0A0_0000_0000_00A1;
    public const ulong KeyB = 0xB0B0_0000_0000_00B2;
    public const PersistentReservationType WriteExclusiveRegistrantsOnly = PersistentReservationType.WriteExclusiveRegistrantsOnly;

    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(5);

    public static void RequireLibiscsi() => Requires.Library("libiscsi.so.7", "libiscsi7");

    public static IscsiSession Connect(TgtTarget target, string initiator, int lun = 1, TimeSpan? timeout = null) =>
        IscsiSession.Connect(target.Portal, target.TargetIqn, lun, initiator, timeout ?? SessionTimeout);

    /// <summary>One block filled with <paramref name="value"/>.</summary>
    public static byte[] Block(IscsiSession session, byte value)
    {
        var block = new byte[session.Capacity.BlockSize];
        Array.Fill(block, value);
        return block;
    }
}
