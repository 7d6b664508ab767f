using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol.Gate;

/// <summary>
/// What the agent must keep across restarts (model: FORGET_EPOCH_ON_REBOOT). Written to disk, fsynced, BEFORE the
/// agent acts on an accepted order. <see cref="Accepted"/> are orders accepted but not finished when it was taken.
/// </summary>
public sealed record OrderGateState(
    int FormatVersion,
    OrderStamp Highest,
    bool SelfFenced,
    IReadOnlyList<AcceptedOrder> Accepted,
    IReadOnlyList<RememberedResult> Results)
{
    public const int CurrentFormatVersion = 1;

    public static OrderGateState Initial { get; } = new(CurrentFormatVersion, default, false, [], []);
}
