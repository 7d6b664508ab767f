namespace HaAgent.Simulator.Scenario;

/// <summary>How the simulated world behaves: how long agent actions take, how long the scenario runs.</summary>
internal sealed class SimSettings
{
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan End { get; set; } = TimeSpan.FromSeconds(120);
    public TimeSpan FenceDuration { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan StartDuration { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan StopDuration { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan UnfenceDuration { get; set; } = TimeSpan.FromSeconds(1);
    public long Epoch { get; set; } = 1;
}
