namespace HaAgent.Ctl.Checks;

/// <summary>What <c>haagentctl check agent</c> was asked to look at.</summary>
/// <param name="StateFile">Overrides the StateFile key of the agent's config.</param>
/// <param name="Unit">The agent's systemd unit; null skips the systemd part.</param>
/// <param name="CheckCoordinator">Probe the config's CoordinatorEndpoints (GET /healthz).</param>
internal sealed record AgentCheckOptions(string ConfigFile, string? StateFile, string? Unit, bool CheckCoordinator, TimeSpan Timeout);
