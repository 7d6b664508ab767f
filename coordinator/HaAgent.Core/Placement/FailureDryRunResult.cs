namespace HaAgent.Core.Placement;

/// <summary>The answer to "what happens if this fails now".</summary>
/// <param name="Failure">The failure that was simulated.</param>
/// <param name="FailedHostIds">The hosts the failure takes down, in id order.</param>
/// <param name="AffectedVmIds">The VMs that ran there and need a restart, in id order.</param>
/// <param name="Plan">Where they restart and which stay down, with the reasons.</param>
public sealed record FailureDryRunResult(
    FailureSet Failure,
    IReadOnlyList<string> FailedHostIds,
    IReadOnlyList<string> AffectedVmIds,
    PlacementPlan Plan);
