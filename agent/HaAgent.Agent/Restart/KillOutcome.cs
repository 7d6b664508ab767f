namespace HaAgent.Agent.Restart;

/// <summary>What <see cref="DomainKiller"/> achieved: <see cref="Dead"/> is the proof, <see cref="Problem"/> says why not.</summary>
internal sealed record KillOutcome(bool Dead, bool Killed, string? Problem);
