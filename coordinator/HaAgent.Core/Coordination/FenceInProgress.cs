namespace HaAgent.Core.Coordination;

/// <summary>
/// A fence a leader ordered and had neither seen verified nor given up on, as persisted for a successor
/// (<see cref="HaCoordinator.FencesInProgress"/> → <see cref="HaCluster.Fencing"/>). The successor continues it at its
/// first leading step under its own token instead of judging the host again from its own term start: fencing again is
/// the safe direction, and the leader that ordered it had the evidence — which the successor's audit record repeats.
/// </summary>
/// <param name="Epoch">The token (leader epoch) the last order of this fence carried.</param>
/// <param name="FenceId">That order's id.</param>
/// <param name="ExecutorHostId">The peer that order went to (a successor asks it first).</param>
/// <param name="Evidence">Why the host was fenced: the ordering leader's verdict and evidence.</param>
public sealed record FenceInProgress(long Epoch, string FenceId, string ExecutorHostId, string Evidence);
