namespace HaAgent.Agent.DBus;

/// <summary>
/// One observation of a systemd unit. <see cref="UnavailableReason"/> is set exactly when
/// <see cref="ActiveState"/> is <see cref="UnitActiveState.Unavailable"/>; <see cref="RawActiveState"/> keeps
/// systemd's spelling for states this agent does not know yet.
/// </summary>
internal sealed record SystemdUnitState(
    string Unit,
    UnitActiveState ActiveState,
    string RawActiveState,
    string SubState,
    string? UnavailableReason,
    DateTimeOffset ObservedAt)
{
    public bool IsAvailable => ActiveState != UnitActiveState.Unavailable;

    public static SystemdUnitState Unavailable(string unit, string reason, DateTimeOffset at) =>
        new(unit, UnitActiveState.Unavailable, "", "", reason, at);

    public static SystemdUnitState FromSystemd(string unit, string activeState, string subState, DateTimeOffset at) =>
        new(unit, Parse(activeState), activeState, subState, null, at);

    /// <summary>Same state as <paramref name="other"/>, ignoring when it was observed.</summary>
    public bool SameStateAs(SystemdUnitState other) =>
        ActiveState == other.ActiveState
        && string.Equals(RawActiveState, other.RawActiveState, StringComparison.Ordinal)
        && string.Equals(SubState, other.SubState, StringComparison.Ordinal)
        && string.Equals(UnavailableReason, other.UnavailableReason, StringComparison.Ordinal);

    public override string ToString() =>
        ActiveState == UnitActiveState.Unavailable ? $"unavailable ({UnavailableReason})" : $"{RawActiveState}/{SubState}";

    private static UnitActiveState Parse(string activeState) => activeState switch
    {
        "active" => UnitActiveState.Active,
        "reloading" => UnitActiveState.Reloading,
        "inactive" => UnitActiveState.Inactive,
        "failed" => UnitActiveState.Failed,
        "activating" => UnitActiveState.Activating,
        "deactivating" => UnitActiveState.Deactivating,
        "maintenance" => UnitActiveState.Maintenance,
        "refreshing" => UnitActiveState.Refreshing,
        _ => UnitActiveState.Unknown,
    };
}
