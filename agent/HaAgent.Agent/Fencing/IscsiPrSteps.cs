using HaAgent.NativeInterop.Iscsi;

namespace HaAgent.Agent.Fencing;

/// <summary>PR commands with the one retry a UNIT ATTENTION calls for (another nexus changed the PR state; the command did not run).</summary>
internal static class IscsiPrSteps
{
    public static T Once<T>(IscsiSession session, Func<IscsiSession, T> command)
    {
        try
        {
            return command(session);
        }
        catch (UnitAttentionException)
        {
            return command(session);
        }
    }

    public static void Once(IscsiSession session, Action<IscsiSession> command) =>
        Once(session, s => { command(s); return true; });

    public static bool IsRegistrantsOnly(PersistentReservationType? type) =>
        type is PersistentReservationType.WriteExclusiveRegistrantsOnly or PersistentReservationType.ExclusiveAccessRegistrantsOnly
            or PersistentReservationType.WriteExclusiveAllRegistrants or PersistentReservationType.ExclusiveAccessAllRegistrants;
}
