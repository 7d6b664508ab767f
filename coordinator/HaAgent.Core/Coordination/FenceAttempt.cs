namespace HaAgent.Core.Coordination;

/// <summary>One fence order in flight.</summary>
internal sealed record FenceAttempt(string FenceId, string ExecutorHostId, long Token, DateTimeOffset IssuedAt);
