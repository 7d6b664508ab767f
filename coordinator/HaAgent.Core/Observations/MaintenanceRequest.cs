namespace HaAgent.Core.Observations;

/// <summary>An operator puts a host into maintenance (drain it, give it nothing) or takes it out.</summary>
public sealed record MaintenanceRequest(DateTimeOffset At, string HostId, bool Enable) : Observation(At);
