namespace HaAgent.Agent.Configuration;

/// <summary>Hardware watchdog: if the agent stops kicking it for <see cref="Timeout"/>, the host resets.</summary>
internal sealed class WatchdogOptions
{
    /// <summary>"none", "device" (/dev/watchdog style) or "file" (a stand-in that records kicks, for tests).</summary>
    public string Kind { get; set; } = "none";

    public string Path { get; set; } = "/dev/watchdog";

    /// <summary>Reset after this long without a kick; must exceed the self-fence timeout so the agent fences first.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan KickInterval { get; set; } = TimeSpan.FromSeconds(5);
}
