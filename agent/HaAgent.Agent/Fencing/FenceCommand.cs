namespace HaAgent.Agent.Fencing;

/// <summary>
/// An order to cut <see cref="VictimHostId"/> off its volumes (the coordinator's FenceOrder, agent side).
/// <see cref="Token"/> must be at least the highest fencing token this agent has seen.
/// </summary>
internal sealed record FenceCommand(string FenceId, long Token, string VictimHostId, IReadOnlyList<FenceTargetSpec> Targets);
