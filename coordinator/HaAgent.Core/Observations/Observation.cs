namespace HaAgent.Core.Observations;

/// <summary>Something the world told the coordinator; <paramref name="At"/> is when it was received, by the coordinator's clock.</summary>
public abstract record Observation(DateTimeOffset At);
