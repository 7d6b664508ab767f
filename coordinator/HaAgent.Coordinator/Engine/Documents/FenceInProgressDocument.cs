namespace HaAgent.Coordinator.Engine.Documents;

/// <summary>
/// A fence ordered and not yet verified or given up (HaAgent.Core.Coordination.FenceInProgress): the token (epoch) and
/// id of its last order, the executor it went to, and the ordering leader's verdict evidence.
/// </summary>
internal sealed record FenceInProgressDocument(long Epoch, string FenceId, string Executor, string Evidence);
