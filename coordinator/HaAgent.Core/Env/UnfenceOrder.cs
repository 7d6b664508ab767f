namespace HaAgent.Core.Env;

/// <summary>An order to a returning host's own agent to lift the fence on <paramref name="Targets"/>: only that host can register its key again.</summary>
public sealed record UnfenceOrder(string UnfenceId, long Token, string HostId, IReadOnlyList<FenceTarget> Targets);
